/**
 * Router URLs (PRODUCT.md "Transports and URLs") parsed into what a transport factory needs.
 * Browser-safe: uses only the WHATWG `URL` global.
 *
 * | URL                    | kind      | tls   | default port |
 * | ---------------------- | --------- | ----- | ------------ |
 * | `rs://host:port`       | rawsocket | false | 8081         |
 * | `rss://host:port`      | rawsocket | true  | 8443         |
 * | `unix:///path/to.sock` | rawsocket | false | —            |
 * | `ws://host:port/path`  | websocket | false | 80           |
 * | `wss://host:port/path` | websocket | true  | 443          |
 */

/** RawSocket over TCP or TLS. */
export interface RawSocketTcpUrl {
  kind: 'rawsocket';
  tls: boolean;
  /** Host name or IP address; IPv6 without brackets. */
  host: string;
  port: number;
  /** The URL as written (normalised), for logs and state events. */
  url: string;
}

/** RawSocket over a Unix domain socket. */
export interface RawSocketUnixUrl {
  kind: 'rawsocket';
  tls: false;
  /** Absolute path of the socket file. */
  socketPath: string;
  url: string;
}

/** WAMP over WebSocket. */
export interface WebSocketUrl {
  kind: 'websocket';
  tls: boolean;
  host: string;
  port: number;
  /** HTTP path plus query, e.g. `/ws`. */
  path: string;
  /** What to hand to a WebSocket constructor: `ws://host:port/path`. */
  url: string;
}

export type ParsedUrl = RawSocketTcpUrl | RawSocketUnixUrl | WebSocketUrl;

/** A router URL that cannot be used; `url` is the text given, the message says what is wrong. */
export class InvalidUrlError extends Error {
  readonly code = 'INVALID_URL';
  readonly url: string;
  /** What is wrong, e.g. `port 99999 is out of range 1-65535`. */
  readonly problem: string;

  constructor(url: string, problem: string) {
    super(`invalid router URL ${JSON.stringify(url)}: ${problem}`);
    this.name = 'InvalidUrlError';
    this.url = url;
    this.problem = problem;
  }
}

export const DEFAULT_PORTS = { rs: 8081, rss: 8443, ws: 80, wss: 443 } as const;

const SCHEMES = 'rs://, rss://, unix://, ws:// or wss://';

/** Parses and validates a router URL; throws InvalidUrlError naming the problem. */
export function parseUrl(text: string): ParsedUrl {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidUrlError(String(text), 'empty URL');
  const hostPort = /^([\w.-]+|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(text.trim());
  if (hostPort !== null) {
    const [, host, port] = hostPort;
    throw new InvalidUrlError(text, `no scheme: write rs://${host}:${port} (RawSocket) or ws://${host}:${port}/ws (WebSocket)`);
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    const port = /^[a-z]+:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i.exec(text.trim())?.[1];
    if (port !== undefined && Number(port) > 65535) throw new InvalidUrlError(text, `port ${port} is out of range 1-65535`);
    throw new InvalidUrlError(text, `not a URL (expected ${SCHEMES})`);
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (url.username !== '' || url.password !== '') {
    throw new InvalidUrlError(text, 'credentials in the URL are not supported; pass them as auth options');
  }
  if (url.hash !== '') throw new InvalidUrlError(text, 'a fragment (#…) has no meaning here');
  switch (scheme) {
    case 'rs':
    case 'rss':
      return parseRawSocketTcp(text, url, scheme);
    case 'unix':
      return parseUnix(text, url);
    case 'ws':
    case 'wss':
      return parseWebSocket(text, url, scheme);
    default:
      throw new InvalidUrlError(text, `unsupported scheme ${JSON.stringify(`${scheme}:`)} (expected ${SCHEMES})`);
  }
}

function parseRawSocketTcp(text: string, url: URL, scheme: 'rs' | 'rss'): RawSocketTcpUrl {
  const host = hostOf(text, url);
  if (url.pathname !== '' && url.pathname !== '/') {
    throw new InvalidUrlError(text, `RawSocket has no path (got ${JSON.stringify(url.pathname)}); use unix:///path for a Unix socket`);
  }
  if (url.search !== '') throw new InvalidUrlError(text, 'RawSocket URLs take no query');
  const port = portOf(text, url, DEFAULT_PORTS[scheme]);
  return { kind: 'rawsocket', tls: scheme === 'rss', host, port, url: `${scheme}://${hostForUrl(host)}:${port}` };
}

function parseUnix(text: string, url: URL): RawSocketUnixUrl {
  if (url.hostname !== '') {
    throw new InvalidUrlError(text, `a Unix socket URL has no host (got ${JSON.stringify(url.hostname)}); write unix:///absolute/path`);
  }
  if (url.port !== '') throw new InvalidUrlError(text, 'a Unix socket URL has no port');
  if (url.search !== '') throw new InvalidUrlError(text, 'a Unix socket URL takes no query');
  let socketPath: string;
  try {
    socketPath = decodeURIComponent(url.pathname);
  } catch {
    throw new InvalidUrlError(text, 'bad percent-encoding in the socket path');
  }
  if (!socketPath.startsWith('/') || socketPath === '/') {
    throw new InvalidUrlError(text, 'the socket path must be absolute, e.g. unix:///run/switchyard/router.sock');
  }
  if (socketPath.endsWith('/')) throw new InvalidUrlError(text, 'the socket path names a directory');
  return { kind: 'rawsocket', tls: false, socketPath, url: `unix://${socketPath}` };
}

function parseWebSocket(text: string, url: URL, scheme: 'ws' | 'wss'): WebSocketUrl {
  const host = hostOf(text, url);
  const port = portOf(text, url, DEFAULT_PORTS[scheme]);
  const path = (url.pathname === '' ? '/' : url.pathname) + url.search;
  return { kind: 'websocket', tls: scheme === 'wss', host, port, path, url: `${scheme}://${hostForUrl(host)}:${port}${path}` };
}

function hostOf(text: string, url: URL): string {
  const host = url.hostname.toLowerCase();
  if (host === '') throw new InvalidUrlError(text, 'no host (expected e.g. rs://127.0.0.1:8081)');
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function portOf(text: string, url: URL, fallback: number): number {
  // The URL parser drops a scheme's default port (ws :80, wss :443) and rejects ports > 65535.
  if (url.port === '') return fallback;
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidUrlError(text, `port ${url.port} is out of range 1-65535`);
  }
  return port;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
