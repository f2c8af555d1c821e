import net from 'node:net';
import { silentLogger, type Logger } from '../common/logger.js';
import { ConnectionLimiter } from './connection-limiter.js';
import { bindServer, boundAddress, closeServer, ConnectionTracker, type Listener } from './listener.js';
import { MAGIC } from './rawsocket/handshake.js';
import { acceptRawSocket, rawSocketAcceptOptions } from './rawsocket/server.js';
import { createAcceptor, createHttpFront, type WebSocketListenOptions } from './websocket/listener.js';

export interface UniversalListenOptions extends Omit<WebSocketListenOptions, 'tls'> {
  /**
   * Connections whose first byte is 0x10 (an MQTT CONNECT), with the bytes read so far. Without
   * it they go to the HTTP server like any other non-RawSocket connection.
   */
  mqtt?: (socket: net.Socket, head: Buffer) => void;
}

/** The first byte of an MQTT CONNECT packet (type 1, no flags). */
const MQTT_CONNECT = 0x10;

const DEFAULT_SNIFF_TIMEOUT_MS = 10_000;

/**
 * ONE TCP port serving HTTP (`options.http`, default 404), WebSocket upgrades at `/ws`, RawSocket
 * and, with `options.mqtt`, MQTT. The first octet decides: 0x7F can never start an HTTP request
 * (advanced/transport_rawsocket.md), so such a connection goes to the RawSocket acceptor with
 * the bytes already read; 0x10 (an MQTT CONNECT, never the start of an HTTP method either) to
 * `options.mqtt`; anything else is pushed back and handed to the HTTP server.
 */
export async function listenUniversal(
  target: { host: string; port: number },
  options: UniversalListenOptions,
): Promise<Listener> {
  const logger = options.logger ?? silentLogger;
  const limiter = new ConnectionLimiter(options.maxConnections);
  const acceptor = createAcceptor(options, limiter, false);
  const httpServer = createHttpFront(acceptor, options);
  // This HTTP server never binds: it is fed sockets. Its request timeouts (slow-loris defence)
  // are only armed by the 'listening' event, so emit it once.
  httpServer.emit('listening');
  const rawsocket = rawSocketAcceptOptions(options, limiter);

  const tracker = new ConnectionTracker();
  const sniffTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_SNIFF_TIMEOUT_MS;
  const mqtt = options.mqtt;
  const server = net.createServer((socket) => {
    tracker.add(socket);
    new FirstChunkRouter(socket, sniffTimeoutMs, logger, {
      rawsocket: (head) => acceptRawSocket(socket, rawsocket, head),
      http: () => httpServer.emit('connection', socket),
      mqtt: mqtt === undefined ? undefined : (head) => mqtt(socket, head),
    });
  });
  await bindServer(server, target);
  server.on('error', (error) => logger.error('universal listener error', { error: error.message }));
  return {
    address: () => boundAddress(server, target),
    close: async () => {
      acceptor.close();
      httpServer.closeAllConnections();
      httpServer.close(); // stops the request-timeout timer
      await closeServer(server, tracker, target);
    },
  };
}

interface Routes {
  /** The first chunk starts with 0x7F; `head` is everything read so far. */
  rawsocket(head: Buffer): void;
  /** The first chunk starts with 0x10 (MQTT CONNECT); `head` is everything read so far. Undefined: treated as HTTP. */
  mqtt: ((head: Buffer) => void) | undefined;
  /** Anything else; the bytes read were pushed back with `unshift`. */
  http(): void;
}

/** Waits for a connection's first bytes (paused mode: nothing flows before it is routed). */
class FirstChunkRouter {
  readonly #socket: net.Socket;
  readonly #routes: Routes;
  readonly #logger: Logger;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(socket: net.Socket, timeoutMs: number, logger: Logger, routes: Routes) {
    this.#socket = socket;
    this.#routes = routes;
    this.#logger = logger;
    socket.on('readable', this.#onReadable);
    socket.on('error', this.#onError);
    socket.on('end', this.#onEnd);
    this.#timer = setTimeout(this.#onTimeout, timeoutMs);
    this.#timer.unref();
  }

  readonly #onReadable = (): void => {
    const chunk = this.#socket.read() as Buffer | null;
    if (chunk === null || chunk.length === 0) return;
    this.#finish();
    if (chunk[0] === MAGIC) {
      this.#routes.rawsocket(chunk);
    } else if (chunk[0] === MQTT_CONNECT && this.#routes.mqtt !== undefined) {
      this.#routes.mqtt(chunk);
    } else {
      this.#socket.unshift(chunk);
      this.#routes.http();
    }
  };

  readonly #onEnd = (): void => {
    this.#finish();
    this.#socket.destroy();
  };

  readonly #onError = (error: Error): void => {
    this.#logger.debug('universal listener: connection error before routing', { error: error.message });
    this.#finish();
    this.#socket.destroy();
  };

  readonly #onTimeout = (): void => {
    this.#logger.debug('universal listener: no data, connection dropped');
    this.#finish();
    this.#socket.destroy();
  };

  #finish(): void {
    clearTimeout(this.#timer);
    this.#socket.off('readable', this.#onReadable);
    this.#socket.off('error', this.#onError);
    this.#socket.off('end', this.#onEnd);
  }
}
