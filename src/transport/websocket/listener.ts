import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { silentLogger } from '../../common/logger.js';
import { ConnectionLimiter } from '../connection-limiter.js';
import {
  bindServer,
  boundAddress,
  closeServer,
  ConnectionTracker,
  type HttpHandler,
  type Listener,
  type ListenOptions,
  type TlsCredentials,
} from '../listener.js';
import { rejectUpgrade, WebSocketAcceptor, type WebSocketAcceptOptions } from './server.js';

export interface WebSocketListenOptions extends ListenOptions {
  /** Plain HTTP requests (not upgrades); default: 404. */
  http?: HttpHandler;
  /** Path that accepts WebSocket upgrades (default `/ws`); other paths get 404. */
  wsPath?: string;
  /** Serve https/wss with these credentials (PEM). */
  tls?: TlsCredentials & tls.TlsOptions;
}

const DEFAULT_WS_PATH = '/ws';
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** The WebSocket acceptor a listener's options describe, counting connections with `limiter`. */
export function createAcceptor(options: ListenOptions, limiter: ConnectionLimiter, secure: boolean): WebSocketAcceptor {
  const accept: WebSocketAcceptOptions = {
    onTransport: options.onTransport,
    limiter,
    logger: options.logger ?? silentLogger,
    tls: secure,
  };
  if (options.maxMessageSize !== undefined) accept.maxMessageSize = options.maxMessageSize;
  if (options.serializers !== undefined) accept.serializers = options.serializers;
  return new WebSocketAcceptor(accept);
}

/**
 * An HTTP(S) server that hands upgrades at `wsPath` to `acceptor` and other requests to
 * `options.http` (default 404). Not bound: the caller listens, or feeds it sockets.
 */
export function createHttpFront(
  acceptor: WebSocketAcceptor,
  options: Pick<WebSocketListenOptions, 'http' | 'wsPath' | 'tls' | 'handshakeTimeoutMs'>,
): http.Server {
  const handler = options.http ?? notFound;
  // A client gets as long for its request headers as a RawSocket client for its handshake.
  const headersTimeout = options.handshakeTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const timeouts: http.ServerOptions = {
    headersTimeout,
    requestTimeout: Math.max(headersTimeout, DEFAULT_REQUEST_TIMEOUT_MS),
    connectionsCheckingInterval: Math.min(headersTimeout, 1000),
  };
  const server =
    options.tls === undefined
      ? http.createServer(timeouts, handler)
      : https.createServer({ ...options.tls, ...timeouts }, handler);
  const wsPath = options.wsPath ?? DEFAULT_WS_PATH;
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req.url) === wsPath) acceptor.handleUpgrade(req, socket, head);
    else rejectUpgrade(socket, 404, `no WebSocket endpoint at ${pathOf(req.url)}; use ${wsPath}`);
  });
  return server;
}

/**
 * A WebSocket listener (`ws://host:port/ws`, or wss:// with `options.tls`) that also answers
 * plain HTTP through `options.http`. Port 0 picks a free port.
 */
export async function listenWebSocket(
  target: { host: string; port: number },
  options: WebSocketListenOptions,
): Promise<Listener> {
  const logger = options.logger ?? silentLogger;
  const acceptor = createAcceptor(options, new ConnectionLimiter(options.maxConnections), options.tls !== undefined);
  const server = createHttpFront(acceptor, options);
  const tracker = new ConnectionTracker();
  server.on('connection', (socket: net.Socket) => tracker.add(socket));
  if (options.tls !== undefined) {
    server.on('secureConnection', (socket: net.Socket) => tracker.add(socket));
    server.on('tlsClientError', (error: Error) =>
      logger.debug('websocket TLS handshake failed', { error: error.message }),
    );
  }
  await bindServer(server, target);
  server.on('error', (error) => logger.error('websocket listener error', { error: error.message }));
  return {
    address: () => boundAddress(server, target),
    close: async () => {
      acceptor.close();
      await closeServer(server, tracker, target);
    },
  };
}

function notFound(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
