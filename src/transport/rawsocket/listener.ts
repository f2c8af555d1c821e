import net from 'node:net';
import tls from 'node:tls';
import { silentLogger } from '../../common/logger.js';
import { ConnectionLimiter } from '../connection-limiter.js';
import {
  bindServer,
  boundAddress,
  closeServer,
  ConnectionTracker,
  type ListenAddress,
  type Listener,
  type ListenOptions,
  type TlsCredentials,
} from '../listener.js';
import { applySocketAccess, type UnixSocketAccess } from '../unix-socket-access.js';
import { acceptRawSocket, rawSocketAcceptOptions } from './server.js';

export interface RawSocketListenOptions extends ListenOptions {
  /** Serve RawSocket over TLS with these credentials (PEM). */
  tls?: TlsCredentials & tls.TlsOptions;
  /** Unix socket only: the socket file's mode and group, set once it is bound. */
  unixSocket?: UnixSocketAccess;
}

/**
 * A RawSocket listener on TCP (`{host, port}`, port 0 picks a free one), on a Unix socket
 * (`{path}`), either of them over TLS when `options.tls` is given.
 */
export async function listenRawSocket(target: ListenAddress, options: RawSocketListenOptions): Promise<Listener> {
  const logger = options.logger ?? silentLogger;
  const accept = rawSocketAcceptOptions(options, new ConnectionLimiter(options.maxConnections));
  accept.tls = options.tls !== undefined;
  if ('path' in target) accept.unixPath = target.path;

  const tracker = new ConnectionTracker();
  let server: net.Server;
  if (options.tls === undefined) {
    server = net.createServer((socket) => acceptRawSocket(socket, accept));
  } else {
    server = tls.createServer(options.tls, (socket) => {
      tracker.add(socket);
      acceptRawSocket(socket, accept);
    });
    server.on('tlsClientError', (error) => logger.debug('rawsocket TLS handshake failed', { error: error.message }));
  }
  server.on('connection', (socket: net.Socket) => tracker.add(socket));
  await bindServer(server, target);
  if ('path' in target && options.unixSocket !== undefined) {
    await applySocketAccess(target.path, options.unixSocket).catch(async (error: unknown) => {
      await closeServer(server, tracker, target);
      throw error;
    });
  }
  server.on('error', (error) => logger.error('rawsocket listener error', { error: error.message }));
  return {
    address: () => boundAddress(server, target),
    close: () => closeServer(server, tracker, target),
  };
}
