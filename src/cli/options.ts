import { resolve } from 'node:path';
import { InvalidUrlError, parseUrl } from '../client/url.js';
import { type ConfigProblem, formatProblem } from '../common/config-problem.js';
import { CONFIG_LOG_LEVELS, createLogger, type Logger, type LogLevel } from '../common/logger.js';
import { isValidUri, type MatchPolicy } from '../protocol/uris.js';
import type { OptionsTable } from './args.js';
import type { CliIo } from './command.js';
import { stderrIsJournal } from './systemd-notify.js';
import { UsageError } from './usage-error.js';

/**
 * The flags every client command (call, publish, subscribe, …) shares, as a parseArgs options
 * table to spread into the command's own: `parseCommandArgs(argv, { ...CLIENT_OPTIONS, kw: … })`.
 */
export const CLIENT_OPTIONS = {
  url: { type: 'string', default: 'rs://127.0.0.1:8081' },
  realm: { type: 'string', default: 'home' },
  serializer: { type: 'string', default: 'cbor' },
  authid: { type: 'string' },
  ticket: { type: 'string' },
  secret: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
} as const satisfies OptionsTable;

/** The lines to put under "Options:" in a client command's usage. */
export const CLIENT_OPTIONS_USAGE = `  --url URL            router to connect to: rs://host:port, rss://host:port,
                       unix:///path/to.sock, ws://host:port/ws or wss://… (default rs://127.0.0.1:8081)
  --realm REALM        realm to join (default home)
  --serializer NAME    json, cbor or msgpack (default cbor)
  --authid ID          authenticate as ID
  --ticket TICKET      ticket authentication (needs --authid)
  --secret SECRET      WAMP-CRA authentication (needs --authid)
  --key FILE           cryptosign authentication with the Ed25519 private key in FILE
                       (PKCS#8 PEM as "switchyard keygen" writes it, or a 64-hex seed)
  --ca FILE            rss:// and wss://: also trust the CA certificate (PEM) in FILE,
                       e.g. a router's self-signed certificate
  --insecure           rss:// and wss://: accept any certificate (prints a warning;
                       anyone on the path can read and change the traffic)
`;

export const SERIALIZERS = ['json', 'cbor', 'msgpack'] as const;
export type SerializerName = (typeof SERIALIZERS)[number];


export type ClientAuth =
  | { method: 'anonymous'; authid?: string }
  | { method: 'ticket'; authid: string; ticket: string }
  | { method: 'wampcra'; authid: string; secret: string }
  | { method: 'cryptosign'; authid?: string; keyFile: string };

/** TLS flags: a CA file to trust (resolved path), or `insecure`. */
export interface ClientTls {
  caFile?: string;
  insecure?: boolean;
}

export interface ClientOptions {
  url: string;
  realm: string;
  serializer: SerializerName;
  auth: ClientAuth;
  tls: ClientTls;
}

/** The values parseArgs returns for CLIENT_OPTIONS (a command's own values may have more keys). */
export interface ClientOptionValues {
  url?: string;
  realm?: string;
  serializer?: string;
  authid?: string;
  ticket?: string;
  secret?: string;
  key?: string;
  ca?: string;
  insecure?: boolean;
}

/**
 * A procedure or topic URI given on the command line (`what`: "procedure URI", "topic URI"). A
 * router URL in its place (`switchyard call ws://pi:8080/ws …`, a loose URI after all) is named
 * as what it is.
 */
export function uriArgument(value: string, what: string, match: MatchPolicy = 'exact', qualifier = ''): string {
  if (/^(?:rss?|wss?|unix):\/\//i.test(value)) throw new UsageError(`'${value}' is a router URL, not a ${what}: give it with --url`);
  if (!isValidUri(value, 'loose', match)) throw new UsageError(`'${value}' is not a valid ${what}${qualifier}`);
  return value;
}

/**
 * Checks the client flags and picks the auth method from which secret flag is given (at most
 * one). Throws UsageError; messages never repeat a secret. `cwd` resolves a relative --key path.
 */
export function clientOptionsFrom(values: ClientOptionValues, cwd: string): ClientOptions {
  const url = checkUrl(values.url ?? CLIENT_OPTIONS.url.default);
  const realm = values.realm ?? CLIENT_OPTIONS.realm.default;
  if (!isValidUri(realm, 'loose', 'exact')) throw new UsageError(`--realm: '${realm}' is not a valid realm name`);
  const serializer = values.serializer ?? CLIENT_OPTIONS.serializer.default;
  if (!isSerializer(serializer)) {
    throw new UsageError(`--serializer: expected one of ${SERIALIZERS.join(', ')}, got '${serializer}'`);
  }
  return { url, realm, serializer, auth: authFrom(values, cwd), tls: tlsFrom(values, cwd) };
}

function tlsFrom(values: ClientOptionValues, cwd: string): ClientTls {
  if (values.ca === '') throw new UsageError('--ca: expected a file name');
  if (values.ca !== undefined && values.insecure === true) throw new UsageError('give --ca or --insecure, not both');
  if (values.ca !== undefined) return { caFile: resolve(cwd, values.ca) };
  return values.insecure === true ? { insecure: true } : {};
}

function authFrom(values: ClientOptionValues, cwd: string): ClientAuth {
  const { authid, ticket, secret, key } = values;
  const given = (['ticket', 'secret', 'key'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length > 1) throw new UsageError(`give only one of --ticket, --secret, --key (got ${given.map((f) => `--${f}`).join(', ')})`);
  if (authid === '') throw new UsageError('--authid: expected a non-empty value');
  for (const flag of given) if (values[flag] === '') throw new UsageError(`--${flag}: expected a non-empty value`);
  if ((ticket !== undefined || secret !== undefined) && authid === undefined) {
    throw new UsageError(`--${ticket !== undefined ? 'ticket' : 'secret'} needs --authid`);
  }
  if (ticket !== undefined) return { method: 'ticket', authid: authid!, ticket };
  if (secret !== undefined) return { method: 'wampcra', authid: authid!, secret };
  if (key !== undefined) {
    const keyFile = resolve(cwd, key);
    return authid === undefined ? { method: 'cryptosign', keyFile } : { method: 'cryptosign', authid, keyFile };
  }
  return authid === undefined ? { method: 'anonymous' } : { method: 'anonymous', authid };
}

/** The client's own URL parser, so the message names the real problem (`port 99999 is out of range 1-65535`). */
function checkUrl(text: string): string {
  try {
    parseUrl(text);
  } catch (error) {
    if (error instanceof InvalidUrlError) throw new UsageError(`--url ${text}: ${error.problem}`);
    throw error;
  }
  return text;
}

function isSerializer(name: string): name is SerializerName {
  return (SERIALIZERS as readonly string[]).includes(name);
}

/** The `--log-level` of a long-running command (`router`, `device`); UsageError when it is not a level. */
export function logLevelFlag(value: string | undefined): LogLevel | undefined {
  if (value !== undefined && !(CONFIG_LOG_LEVELS as readonly string[]).includes(value)) {
    throw new UsageError(`--log-level must be one of ${CONFIG_LOG_LEVELS.join(', ')}`);
  }
  return value as LogLevel | undefined;
}

/**
 * The logger of a long-running command: lines to stderr (journal priorities under systemd) at
 * `level`, with the config's warnings logged first.
 */
export function serviceLogger(io: CliIo, level: LogLevel, warnings: readonly ConfigProblem[]): Logger {
  const logger = createLogger({ level, write: (line) => io.stderr.write(`${line}\n`), journal: stderrIsJournal(io.env) });
  for (const warning of warnings) logger.warn(formatProblem(warning));
  return logger;
}
