import { lstat, unlink } from 'node:fs/promises';
import type http from 'node:http';
import net from 'node:net';
import type { Logger } from '../common/logger.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import type { Transport } from './transport.js';

export type ListenAddress = { host: string; port: number } | { path: string };

/**
 * What answers plain HTTP requests (not WebSocket upgrades) on a universal or websocket listener:
 * the router's web UI, or a test's handler. Declared here, not beside the WebSocket server, so
 * that the public type declarations naming it (ServeOptions) do not pull in `ws`'s types.
 */
export type HttpHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A bound listener. `close()` stops accepting and destroys every open connection. */
export interface Listener {
  address(): ListenAddress;
  close(): Promise<void>;
}

/** Options every listener takes. */
export interface ListenOptions {
  onTransport(transport: Transport): void;
  /** This side's receive limit in octets (default 2^24). */
  maxMessageSize?: number;
  /** Established connections beyond this are refused (RawSocket error 4, HTTP 503). */
  maxConnections?: number;
  /** Serializers offered (default: all). */
  serializers?: readonly Serializer[];
  /** Dropping clients that do not complete the RawSocket handshake / first bytes (default 10 s). */
  handshakeTimeoutMs?: number;
  logger?: Logger;
}

/** TLS server credentials as PEM strings or buffers. */
export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
}

/**
 * Tracks the sockets of a server so `close()` can destroy them. Tracks the raw TCP socket of
 * every connection, plus the TLS socket wrapping it once established.
 */
export class ConnectionTracker {
  readonly #sockets = new Set<net.Socket>();

  add(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

/**
 * Binds `server`. For a Unix socket, a stale socket file left by a crashed process is removed
 * first; a file that is not a socket, or a socket another process still listens on, is an error.
 */
export async function bindServer(server: net.Server, target: ListenAddress): Promise<void> {
  if ('path' in target) await removeStaleSocket(target.path);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    if ('path' in target) server.listen(target.path, onListening);
    else server.listen(target.port, target.host, onListening);
  });
}

/** The bound address: the real port when 0 was asked for. */
export function boundAddress(server: net.Server, target: ListenAddress): ListenAddress {
  if ('path' in target) return { path: target.path };
  const address = server.address();
  if (address === null || typeof address === 'string') return { host: target.host, port: target.port };
  return { host: address.address, port: address.port };
}

/** Stops accepting, destroys open connections and waits until the server is closed. */
export async function closeServer(
  server: net.Server,
  tracker: ConnectionTracker,
  target: ListenAddress,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  tracker.destroyAll();
  await closed;
  if ('path' in target) await unlink(target.path).catch(() => undefined);
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new Error(`cannot listen on ${path}: the file exists and is not a socket`);
  if (await isListening(path)) {
    throw Object.assign(new Error(`cannot listen on ${path}: another process is listening on it`), {
      code: 'EADDRINUSE',
    });
  }
  await unlink(path);
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
