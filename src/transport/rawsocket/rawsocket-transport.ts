import type { Socket } from 'node:net';
import type { ParseOptions } from '../../protocol/parse.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import { BaseTransport } from '../base-transport.js';
import type { CloseInfo, TransportInfo } from '../transport.js';
import { RawSocketError } from './errors.js';
import { backlogOf, batchWrites } from '../write-batcher.js';
import {
  encodeFrame,
  FRAME_HEADER_LENGTH,
  FrameDecoder,
  FrameType,
  MAX_FRAME_PAYLOAD,
  writeFrameHeader,
  type FrameSink,
} from './framing.js';

export interface RawSocketTransportOptions {
  serializer: Serializer;
  info: TransportInfo;
  /** The limit the peer announced in its handshake (capped at 2^24-1: we never send the X bit). */
  maxOutgoingSize: number;
  /** The limit this side announced; a larger inbound frame fails the connection. */
  maxIncomingSize: number;
  /** Bytes that arrived after the 4 handshake octets, before this transport existed. */
  head?: Buffer;
  parse?: ParseOptions;
  /** After close(): how long to wait for the peer to close before destroying the socket. */
  closeTimeoutMs?: number;
}

/**
 * Payloads up to this size are copied next to their header: one stream write per frame is cheaper
 * than two. Larger ones (maybe shared by many subscribers) are written header + payload without a
 * copy. Either way the socket is corked for the turn (batchWrites), so no frame costs a syscall.
 */
const COPY_LIMIT = 64 * 1024;
const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

interface PendingPing {
  payload: Buffer;
  sentAt: number;
  resolve(rtt: number): void;
  reject(error: Error): void;
}

/**
 * A WAMP connection over an established RawSocket (TCP, TLS or Unix socket, after the
 * handshake). Answers every PING with a PONG echoing its payload; `ping()` measures round trips.
 */
export class RawSocketTransport extends BaseTransport {
  readonly #socket: Socket;
  readonly #decoder: FrameDecoder;
  readonly #maxOutgoingSize: number;
  readonly #closeTimeoutMs: number;
  #pings: PendingPing[] = [];
  #pingCounter = 0;
  #closeReason: string | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #error: Error | undefined;

  constructor(socket: Socket, options: RawSocketTransportOptions) {
    super(options.serializer, options.info, options.parse);
    this.#socket = socket;
    this.#maxOutgoingSize = Math.min(options.maxOutgoingSize, MAX_FRAME_PAYLOAD);
    this.#closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    const sink: FrameSink = { onFrame: this.#onFrame, onFrameError: this.#onFrameError };
    this.#decoder = new FrameDecoder(sink, options.maxIncomingSize);
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onSocketClose);
    if (options.head !== undefined && options.head.length > 0) this.#decoder.push(options.head);
  }

  get maxOutgoingSize(): number {
    return this.#maxOutgoingSize;
  }

  get bufferedAmount(): number {
    return backlogOf(this.#socket);
  }

  /**
   * Sends a RawSocket PING and resolves with the round-trip time in milliseconds when the
   * matching PONG arrives; rejects when the transport closes first. Only use it with routers
   * known to answer PINGs (Crossbar's RawSocket does not: a PING kills the connection there).
   */
  ping(payload?: Uint8Array): Promise<number> {
    if (!this.isOpen) return Promise.reject(new RawSocketError('RAWSOCKET_CLOSED', 'transport is closed'));
    let bytes: Buffer;
    if (payload === undefined) {
      bytes = Buffer.allocUnsafe(4);
      bytes.writeUInt32BE(++this.#pingCounter >>> 0);
    } else {
      bytes = Buffer.from(payload);
    }
    if (bytes.length > this.#maxOutgoingSize) {
      return Promise.reject(new RangeError(`PING payload of ${bytes.length} octets exceeds the peer's limit`));
    }
    return new Promise<number>((resolve, reject) => {
      this.#pings.push({ payload: bytes, sentAt: performance.now(), resolve, reject });
      this.#socket.write(encodeFrame(FrameType.PING, bytes));
    });
  }

  protected writeMessage(bytes: Uint8Array): void {
    const socket = this.#socket;
    batchWrites(socket);
    if (bytes.length <= COPY_LIMIT) {
      socket.write(encodeFrame(FrameType.WAMP, bytes));
      return;
    }
    const header = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
    writeFrameHeader(header, 0, FrameType.WAMP, bytes.length);
    socket.write(header);
    socket.write(bytes);
  }

  protected closeConnection(reason: string): void {
    this.#closeReason = reason;
    this.#decoder.stop();
    // end() flushes what is queued; the peer answers our FIN with its own. Destroying at once
    // could reset the connection and lose the last message (e.g. an ABORT).
    this.#socket.end();
    this.#closeTimer = setTimeout(destroySocket, this.#closeTimeoutMs, this.#socket);
    this.#closeTimer.unref();
  }

  protected override destroyConnection(reason: string): void {
    this.#closeReason = reason;
    this.#decoder.stop();
    this.#socket.destroy();
  }

  protected override onClosed(_info: CloseInfo): void {
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#decoder.stop();
    const pings = this.#pings;
    this.#pings = [];
    for (const ping of pings) ping.reject(new RawSocketError('RAWSOCKET_CLOSED', 'transport closed before PONG'));
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#decoder.push(chunk);
  };

  readonly #onFrame = (type: FrameType, payload: Buffer): void => {
    switch (type) {
      case FrameType.WAMP:
        this.receive(payload);
        return;
      case FrameType.PING:
        // A peer MUST answer each PING with exactly one PONG echoing the payload.
        if (this.#socket.writable) this.#socket.write(encodeFrame(FrameType.PONG, payload));
        return;
      case FrameType.PONG:
        this.#onPong(payload);
        return;
      default: {
        const unreachable: never = type;
        throw new Error(`unhandled frame type ${String(unreachable)}`);
      }
    }
  };

  #onPong(payload: Buffer): void {
    const ping = this.#pings[0];
    // An unsolicited or non-matching PONG is ignored.
    if (ping === undefined || !ping.payload.equals(payload)) return;
    this.#pings.shift();
    ping.resolve(performance.now() - ping.sentAt);
  }

  readonly #onFrameError = (error: RawSocketError): void => {
    // [transport_rawsocket] a peer receiving an oversized or malformed frame MUST fail the connection.
    this.#error = error;
    this.#socket.destroy();
    this.closed(error.message, error);
  };

  readonly #onError = (error: Error): void => {
    this.#error ??= error;
  };

  readonly #onSocketClose = (): void => {
    const error = this.#error;
    const reason = this.#closeReason ?? (error === undefined ? 'connection closed by peer' : error.message);
    this.closed(reason, error);
  };
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}
