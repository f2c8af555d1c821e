import { readFileSync } from 'node:fs';
import type { StateListener } from '../client/connection.js';
import type { TlsClientOptions } from '../client/connector.js';
import type { AuthOptions } from '../client/types.js';
import { ConfigError, describeReadError } from '../common/config-problem.js';
import { connect, type ManagedSession } from '../node.js';
import { WampError } from '../protocol/errors.js';
import { ConnectError, type ConnectErrorCode } from '../transport/connect-errors.js';
import type { CliIo } from './command.js';
import { toJson } from './json-args.js';
import { KeyFileError, readPrivateKeyFile } from '../key-file.js';
import type { ClientAuth, ClientOptions, ClientTls } from './options.js';

/**
 * The session behind `switchyard call | publish | subscribe`: client flags → connect(), and
 * failures → one line for stderr (exit 2).
 */

/** A runtime failure of a client command; `main` prints `switchyard CMD: <message>` and exits 2. */
export class ClientFailure extends Error {
  readonly code = 'SWITCHYARD_CLIENT_FAILURE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientFailure';
  }
}

export interface OpenSessionOptions {
  /** The command name, for warnings on stderr. */
  command: string;
  /**
   * false (call, publish): one attempt, so an unreachable router fails at once. true
   * (subscribe): the default backoff; re-subscribes after every rejoin.
   */
  reconnect: boolean;
  /** Aborting it before the first join makes the open fail. */
  signal?: AbortSignal;
  onState?: StateListener;
}

/**
 * Joins the realm with the flags' URL, serializer and credentials. A key file that cannot be
 * used is a ConfigError (exit 1); a router that cannot be reached or refuses the session is a
 * ClientFailure naming the URL.
 */
export async function openSession(options: ClientOptions, io: CliIo, open: OpenSessionOptions): Promise<ManagedSession> {
  const auth = authOptionsFrom(options.auth, io, open.command);
  const tls = tlsOptionsFrom(options.tls, options.url, io, open.command);
  try {
    return await connect({
      url: options.url,
      realm: options.realm,
      serializer: options.serializer,
      auth,
      ...(tls !== undefined ? { tls } : {}),
      ...(open.reconnect ? {} : { reconnect: false as const }),
      ...(open.signal !== undefined ? { signal: open.signal } : {}),
      ...(open.onState !== undefined ? { onState: open.onState } : {}),
    });
  } catch (error) {
    throw connectFailure(options, error);
  }
}

/** The failure to report when joining `options.realm` at `options.url` failed with `error`. */
export function connectFailure(options: Pick<ClientOptions, 'url' | 'realm'>, error: unknown): ClientFailure {
  const what = error instanceof WampError ? `cannot join realm '${options.realm}' at` : 'cannot connect to';
  return new ClientFailure(`${what} ${options.url}: ${describeError(error)}`, { cause: error });
}

/** What the command line says instead of the library's hint (which names the tls.ca option). */
const CLI_HINTS: Partial<Record<ConnectErrorCode, string>> = {
  CERT_SELF_SIGNED: 'pass --ca FILE (the certificate, PEM) to trust it',
  CERT_UNTRUSTED: 'pass --ca FILE (the CA certificate, PEM) to trust it',
};

/**
 * --ca FILE read into the TLS options (a file that cannot be read is a ConfigError, exit 1);
 * --insecure turns verification off with a loud warning. Undefined: the defaults.
 */
export function tlsOptionsFrom(tls: ClientTls, url: string, io: CliIo, command: string): TlsClientOptions | undefined {
  const secure = /^(rss|wss):/i.test(url);
  if (tls.insecure === true) {
    if (secure) {
      io.stderr.write(`switchyard ${command}: WARNING: --insecure: the router's certificate is not checked; anyone on the network path can read and change this session\n`);
    }
    return { rejectUnauthorized: false };
  }
  if (tls.caFile === undefined) return undefined;
  let ca: string;
  try {
    ca = readFileSync(tls.caFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`switchyard ${command}: --ca ${tls.caFile}: cannot read: ${describeReadError(error)}`);
  }
  if (!ca.includes('BEGIN CERTIFICATE')) throw new ConfigError(`switchyard ${command}: --ca ${tls.caFile}: not a PEM certificate`);
  return { ca };
}

/**
 * The credentials for connect(): a cryptosign key file is read here (warning on stderr when
 * group or others may read it). Throws ConfigError for a key file that cannot be used.
 */
export function authOptionsFrom(auth: ClientAuth, io: CliIo, command: string): AuthOptions {
  if (auth.method !== 'cryptosign') return auth;
  let key;
  try {
    key = readPrivateKeyFile(auth.keyFile);
  } catch (error) {
    if (error instanceof KeyFileError) throw new ConfigError(`switchyard ${command}: --key ${error.message}`);
    throw error;
  }
  if (key.looseMode !== undefined) {
    io.stderr.write(`switchyard ${command}: warning: key file ${auth.keyFile} is readable by others (${key.looseMode}); run: chmod 600 ${auth.keyFile}\n`);
  }
  return auth.authid === undefined
    ? { method: 'cryptosign', privateKey: key.seedHex }
    : { method: 'cryptosign', authid: auth.authid, privateKey: key.seedHex };
}

/**
 * One line for an error: a WAMP error as `uri: message` (its args/kwargs as JSON when the first
 * arg is not a message), anything else as its message.
 */
export function describeError(error: unknown): string {
  if (error instanceof WampError) {
    const first = error.args[0];
    if (typeof first === 'string') return `${error.uri}: ${first}`;
    if (error.message.startsWith(`${error.uri}: `)) return error.message;
    const parts = [];
    if (error.args.length > 0) parts.push(toJson(error.args));
    if (Object.keys(error.kwargs).length > 0) parts.push(toJson(error.kwargs));
    if (parts.length > 0) return `${error.uri}: ${parts.join(' ')}`;
    return error.message === error.uri ? error.uri : `${error.uri}: ${error.message}`;
  }
  if (error instanceof ConnectError) {
    const hint = CLI_HINTS[error.code] ?? error.hint;
    return hint === '' ? error.problem : `${error.problem}: ${hint}`;
  }
  if (error instanceof Error) {
    const message = error.message.trim();
    return message === '' ? error.name : message;
  }
  return String(error);
}
