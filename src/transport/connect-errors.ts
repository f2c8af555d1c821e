import net from 'node:net';
import tls from 'node:tls';

/**
 * Why dialing a router failed, in one readable line instead of OpenSSL's or `ws`'s words:
 * `the server at hub:8443 does not speak TLS`, `certificate is self-signed`, `no WAMP endpoint
 * at ws://hub:8080/`. The Node transport factory (node-connector.ts) and the RawSocket client
 * throw ConnectError; `problem` is the fact, `hint` what to change in the library's options,
 * and `code` lets a caller (the CLI) give its own hint (`pass --ca FILE`).
 */

export type ConnectErrorCode =
  /** rss:// or wss:// to a server that answered in plain text. */
  | 'NOT_TLS'
  /** rs:// or ws:// to a server that speaks TLS. */
  | 'SPEAKS_TLS'
  | 'CERT_SELF_SIGNED'
  | 'CERT_UNTRUSTED'
  | 'CERT_EXPIRED'
  | 'CERT_HOSTNAME'
  /** A WebSocket URL whose path the server does not serve. */
  | 'NO_WAMP_PATH';

export class ConnectError extends Error {
  readonly code: ConnectErrorCode;
  /** The fact, e.g. `certificate is self-signed`. */
  readonly problem: string;
  /** What to change in the library's options; empty when there is nothing to add. */
  readonly hint: string;

  constructor(code: ConnectErrorCode, problem: string, hint: string, options?: { cause?: unknown }) {
    super(hint === '' ? problem : `${problem}: ${hint}`, options);
    this.name = 'ConnectError';
    this.code = code;
    this.problem = problem;
    this.hint = hint;
  }
}

/** Where a dial went: enough to name the server and suggest the other scheme. */
export interface DialTarget {
  kind: 'rawsocket' | 'websocket';
  tls: boolean;
  host: string;
  port: number;
  /** WebSocket only: the HTTP path. */
  path?: string;
}

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED']);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** What OpenSSL and Node say when the server answers a ClientHello in plain text, or hangs up on it. */
const PLAIN_ANSWER = /wrong version number|packet length too long|unknown protocol|disconnected before secure TLS connection|record layer failure|EPROTO/i;
const CA_HINT = 'trust it with the tls.ca option (the CA or the certificate itself, PEM)';

/**
 * The ConnectError that explains `error`, raised while dialing `target`, or `error` itself
 * when there is nothing better to say (refused, unreachable, timeouts...).
 */
export function explainConnectError(error: unknown, target: DialTarget): unknown {
  if (error instanceof ConnectError) return error;
  const cause = causeOf(error);
  const code = codeOf(cause) ?? codeOf(error);
  const message = `${messageOf(error)} ${messageOf(cause)}`;
  const server = serverOf(target);
  const options = { cause: error };
  if (target.tls) {
    if (code !== undefined && SELF_SIGNED.has(code)) return new ConnectError('CERT_SELF_SIGNED', 'certificate is self-signed', CA_HINT, options);
    if (code !== undefined && UNTRUSTED.has(code)) {
      return new ConnectError('CERT_UNTRUSTED', 'certificate is not signed by a trusted CA', CA_HINT, options);
    }
    if (code !== undefined && EXPIRED.has(code)) {
      const when = code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet';
      return new ConnectError('CERT_EXPIRED', `certificate ${when} (check the clocks of both machines)`, '', options);
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const reason = (cause as { reason?: unknown } | undefined)?.reason ?? (error as { reason?: unknown }).reason;
      const detail = typeof reason === 'string' ? ` (${reason})` : '';
      return new ConnectError('CERT_HOSTNAME', `certificate is not for ${target.host}${detail}`, 'connect by a name the certificate lists, or set tls.servername', options);
    }
    if (PLAIN_ANSWER.test(message) || code === 'ECONNRESET') {
      const plain = target.kind === 'rawsocket' ? 'rs://' : 'ws://';
      return new ConnectError('NOT_TLS', `the server at ${server} does not speak TLS`, `use ${plain} for it`, options);
    }
    return error;
  }
  if (target.kind === 'websocket') {
    const status = /Unexpected server response: (\d+)/.exec(message)?.[1];
    if (status !== undefined && (target.path === undefined || target.path === '/')) {
      return new ConnectError(
        'NO_WAMP_PATH',
        `no WAMP endpoint at ws://${server}/ (HTTP ${status})`,
        `routers serve WebSocket at a path: try ws://${server}/ws`,
        options,
      );
    }
    if (/socket hang up|ECONNRESET/.test(message) || code === 'ECONNRESET') {
      return new ConnectError('SPEAKS_TLS', `the server at ${server} hung up on a plain WebSocket request`, `if it speaks TLS, use wss://${server}${target.path ?? '/'}`, options);
    }
  }
  return error;
}

/** The error for rs:// to a port that turned out to speak TLS. */
export function speaksTlsError(target: DialTarget): ConnectError {
  const server = serverOf(target);
  return new ConnectError('SPEAKS_TLS', `the server at ${server} speaks TLS`, `use rss://${server}`);
}

/**
 * Whether the server at host:port speaks TLS: a throwaway TLS handshake that trusts anything
 * (nothing is sent over it). A RawSocket client whose handshake gets no answer asks this, because
 * a TLS server waits silently for the rest of a record after the 4 handshake bytes: rs:// to an
 * rss:// port would otherwise only end with the connect timeout. An alert from the server (it
 * wants a client certificate, say) counts as TLS too. Aborting `signal` ends the probe (false).
 */
export function probeTls(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const servername = net.isIP(host) === 0 ? host : undefined;
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(servername !== undefined ? { servername } : {}) });
    let settled = false;
    const done = (speaksTls: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(speaksTls);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    socket.once('secureConnect', () => done(true));
    socket.once('error', (error) => done(/alert/i.test(error.message)));
    socket.once('close', () => done(false));
    // The handshake got its answer after all: stop probing.
    signal?.addEventListener('abort', () => done(false), { once: true });
  });
}

/** `host:port`, an IPv6 host in brackets. */
function serverOf(target: DialTarget): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : error === undefined ? '' : String(error);
}
