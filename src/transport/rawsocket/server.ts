import type { Socket } from 'node:net';
import { silentLogger, type Logger } from '../../common/logger.js';
import { ALL_SERIALIZERS, serializerByRawSocketId } from '../../protocol/serializers/index.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import type { ConnectionLimiter } from '../connection-limiter.js';
import type { ListenOptions } from '../listener.js';
import { describePeer } from '../socket-peer.js';
import {
  decodeClientHandshake,
  encodeHandshake,
  encodeHandshakeError,
  HANDSHAKE_LENGTH,
  HandshakeError,
  lengthExponentFor,
  MAGIC,
  maxLengthOf,
  type HandshakeErrorCode,
} from './handshake.js';
import { RawSocketTransport } from './rawsocket-transport.js';

export interface RawSocketAcceptOptions {
  /** Receives each transport once its handshake succeeded. */
  onTransport(transport: RawSocketTransport): void;
  /** The router's receive limit, announced as LLLL (default 2^24, L=15). */
  maxMessageSize?: number;
  /** Serializers offered (default: all). Another id is refused with error 1. */
  serializers?: readonly Serializer[];
  /** Shared connection count; when full, the handshake is refused with error 4. */
  limiter?: ConnectionLimiter;
  /** A client that has not completed the handshake by then is dropped (default 10 s). */
  handshakeTimeoutMs?: number;
  logger?: Logger;
  /** The listening path of a Unix socket, for TransportInfo.peer. */
  unixPath?: string;
  tls?: boolean;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 2 ** 24;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long a refused client gets to read the error reply before the socket is destroyed. */
const REFUSE_LINGER_MS = 1000;

/** The accept options a listener's options describe, counting connections with `limiter`. */
export function rawSocketAcceptOptions(options: ListenOptions, limiter: ConnectionLimiter): RawSocketAcceptOptions {
  const accept: RawSocketAcceptOptions = {
    onTransport: options.onTransport,
    limiter,
    logger: options.logger ?? silentLogger,
  };
  if (options.maxMessageSize !== undefined) accept.maxMessageSize = options.maxMessageSize;
  if (options.serializers !== undefined) accept.serializers = options.serializers;
  if (options.handshakeTimeoutMs !== undefined) accept.handshakeTimeoutMs = options.handshakeTimeoutMs;
  return accept;
}

/**
 * Runs the router side of the RawSocket handshake on an accepted socket (net, TLS or Unix).
 * `head` holds bytes a universal listener already read from the socket (it peeked the 0x7F).
 * A first octet other than 0x7F closes the connection without a reply.
 */
export function acceptRawSocket(socket: Socket, options: RawSocketAcceptOptions, head?: Buffer): void {
  const handshake = new ServerHandshake(socket, options);
  if (head !== undefined && head.length > 0) handshake.push(head);
}

class ServerHandshake {
  readonly #socket: Socket;
  readonly #options: RawSocketAcceptOptions;
  readonly #logger: Logger;
  readonly #timer: ReturnType<typeof setTimeout>;
  #received: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(socket: Socket, options: RawSocketAcceptOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    socket.on('data', this.push);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    this.#timer = setTimeout(this.#onTimeout, options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    this.#timer.unref();
  }

  readonly push = (chunk: Buffer): void => {
    if (this.#done) return;
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    const bytes = this.#received;
    if (bytes[0] !== MAGIC) {
      this.#drop('not a RawSocket client (first octet is not 0x7F)', { firstByte: bytes[0] });
      return;
    }
    if (bytes.length < HANDSHAKE_LENGTH) return;
    const request = decodeClientHandshake(bytes);
    switch (request.kind) {
      case 'refuse':
        this.#refuse(request.code);
        return;
      case 'request':
        this.#accept(request.serializerId, request.maxLength, bytes.subarray(HANDSHAKE_LENGTH));
        return;
    }
  };

  #accept(serializerId: number, peerMaxLength: number, rest: Buffer): void {
    const serializer = this.#findSerializer(serializerId);
    if (serializer === undefined) {
      this.#refuse(HandshakeError.SERIALIZER_UNSUPPORTED);
      return;
    }
    const limiter = this.#options.limiter;
    if (limiter !== undefined) {
      if (!limiter.tryAcquire()) {
        this.#refuse(HandshakeError.MAX_CONNECTIONS_REACHED);
        return;
      }
      this.#socket.once('close', () => limiter.release());
    }
    this.#finish();
    const socket = this.#socket;
    const exponent = lengthExponentFor(this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE);
    socket.write(encodeHandshake(serializerId, exponent));
    const transport = new RawSocketTransport(socket, {
      serializer,
      info: {
        kind: 'rawsocket',
        peer: describePeer(socket, this.#options.unixPath),
        serializer: serializer.name,
        tls: this.#options.tls === true,
      },
      maxOutgoingSize: peerMaxLength,
      maxIncomingSize: maxLengthOf(exponent),
      head: rest,
    });
    this.#options.onTransport(transport);
  }

  #findSerializer(id: number): Serializer | undefined {
    const serializer = serializerByRawSocketId(id);
    if (serializer === undefined) return undefined;
    const allowed = this.#options.serializers ?? ALL_SERIALIZERS;
    return allowed.includes(serializer) ? serializer : undefined;
  }

  #refuse(code: HandshakeErrorCode): void {
    this.#logger.debug('rawsocket handshake refused', { code, peer: this.#socket.remoteAddress });
    this.#finish();
    const socket = this.#socket;
    socket.on('error', ignoreError);
    socket.end(encodeHandshakeError(code));
    setTimeout(destroySocket, REFUSE_LINGER_MS, socket).unref();
  }

  #drop(why: string, fields: Record<string, unknown>): void {
    this.#logger.debug(`rawsocket connection dropped: ${why}`, { ...fields, peer: this.#socket.remoteAddress });
    this.#finish();
    this.#socket.on('error', ignoreError);
    this.#socket.destroy();
  }

  /** Hands the socket on: our listeners go, and later bytes belong to the transport. */
  #finish(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.#socket.off('data', this.push);
    this.#socket.off('error', this.#onError);
    this.#socket.off('close', this.#onClose);
  }

  readonly #onTimeout = (): void => {
    this.#drop('handshake timed out', {});
  };

  readonly #onError = (error: Error): void => {
    this.#logger.debug('rawsocket error during handshake', { error: error.message });
  };

  readonly #onClose = (): void => {
    this.#finish();
  };
}

function ignoreError(): void {}

function destroySocket(socket: Socket): void {
  socket.destroy();
}
