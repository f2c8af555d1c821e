import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger, type Logger } from '../../common/logger.js';
import { ALL_SERIALIZERS } from '../../protocol/serializers/index.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import type { ConnectionLimiter } from '../connection-limiter.js';
import { describePeer } from '../socket-peer.js';
import { WebSocketServerTransport } from './server-transport.js';

export interface WebSocketAcceptOptions {
  onTransport(transport: WebSocketServerTransport): void;
  /** Largest inbound message (ws `maxPayload`); also assumed as the peer's limit (default 2^24). */
  maxMessageSize?: number;
  /** Serializers offered (default: all), matched against the client's subprotocols. */
  serializers?: readonly Serializer[];
  limiter?: ConnectionLimiter;
  logger?: Logger;
  tls?: boolean;
}

const DEFAULT_MAX_MESSAGE_SIZE = 2 ** 24;

/**
 * Turns HTTP upgrade requests into WAMP transports (a `ws` server in noServer mode). The
 * subprotocol is the first one the CLIENT listed among those offered; a request without a
 * matching one is answered 400 and a full limiter 503. Compression is off (CPU on small boards).
 */
export class WebSocketAcceptor {
  readonly #wss: WebSocketServer;
  readonly #options: WebSocketAcceptOptions;
  readonly #logger: Logger;
  readonly #bySubprotocol: Map<string, Serializer>;
  readonly #maxMessageSize: number;

  constructor(options: WebSocketAcceptOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#bySubprotocol = new Map((options.serializers ?? ALL_SERIALIZERS).map((s) => [s.subprotocol, s]));
    this.#wss = new WebSocketServer({
      noServer: true,
      // Also required by WebSocketServerTransport, which frames outbound messages itself.
      perMessageDeflate: false,
      maxPayload: this.#maxMessageSize,
      clientTracking: true,
      // The JSON serializer decodes text with a fatal TextDecoder, which rejects malformed UTF-8
      // anyway (a WAMP protocol error, then ABORT), and the binary serializers refuse text frames:
      // a second, separate validation pass in ws would only cost time on every text message.
      skipUTF8Validation: true,
      handleProtocols: (protocols) => this.#choose(protocols)?.subprotocol ?? false,
    });
    this.#wss.on('error', (error) => this.#logger.warn('websocket server error', { error: error.message }));
  }

  /** Subprotocols this acceptor speaks, e.g. for a 400 body. */
  get subprotocols(): string[] {
    return [...this.#bySubprotocol.keys()];
  }

  /** Call from an HTTP server's 'upgrade' event (after routing by path). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', ignoreError);
    const serializer = this.#choose(offeredSubprotocols(req));
    if (serializer === undefined) {
      this.#logger.debug('websocket upgrade without a WAMP subprotocol', {
        offered: req.headers['sec-websocket-protocol'],
      });
      rejectUpgrade(socket, 400, `no supported WAMP subprotocol offered; use one of: ${this.subprotocols.join(', ')}`);
      return;
    }
    const limiter = this.#options.limiter;
    if (limiter !== undefined && !limiter.tryAcquire()) {
      rejectUpgrade(socket, 503, 'maximum connection count reached');
      return;
    }
    // Released when the socket goes, also when `ws` itself refuses the handshake.
    if (limiter !== undefined) socket.once('close', () => limiter.release());
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', ignoreError);
      this.#onConnection(ws, req, serializer);
    });
  }

  /** Drops every open WebSocket and closes the `ws` server. */
  close(): void {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  #onConnection(ws: WebSocket, req: IncomingMessage, serializer: Serializer): void {
    const transport = new WebSocketServerTransport(
      ws,
      req.socket,
      serializer,
      {
        kind: 'websocket',
        peer: describePeer(req.socket as Socket),
        serializer: serializer.name,
        protocol: serializer.subprotocol,
        tls: this.#options.tls === true,
        httpHeaders: req.headers,
      },
      this.#maxMessageSize,
    );
    this.#options.onTransport(transport);
  }

  /** The client's first offered subprotocol that we speak. */
  #choose(offered: Iterable<string>): Serializer | undefined {
    for (const protocol of offered) {
      const serializer = this.#bySubprotocol.get(protocol);
      if (serializer !== undefined) return serializer;
    }
    return undefined;
  }
}

function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  socket.on('error', ignoreError);
  if (socket.writable) {
    const body = `${message}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.once('finish', () => socket.destroy());
  } else {
    socket.destroy();
  }
}

function ignoreError(): void {}
