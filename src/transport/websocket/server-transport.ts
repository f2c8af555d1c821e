import type { Writable } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { ProtocolError } from '../../protocol/errors.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import { BaseTransport } from '../base-transport.js';
import type { TransportInfo } from '../transport.js';
import { backlogOf, batchWrites } from '../write-batcher.js';
import { closeReasonText, NORMAL_CLOSURE } from './close-reason.js';

const BINARY = { binary: true } as const;
const TEXT = { binary: false } as const;

/**
 * A WAMP connection over an accepted `ws` WebSocket. wamp.2.json travels in text messages,
 * wamp.2.cbor and wamp.2.msgpack in binary ones; the other kind is a protocol error.
 */
export class WebSocketServerTransport extends BaseTransport {
  readonly #ws: WebSocket;
  /** The upgraded TCP/TLS socket under `ws`, corked per event-loop turn to batch frames. */
  readonly #socket: Writable;
  readonly #maxOutgoingSize: number;
  readonly #sendOptions: typeof BINARY | typeof TEXT;
  #closeReason: string | undefined;
  #error: Error | undefined;

  constructor(ws: WebSocket, socket: Writable, serializer: Serializer, info: TransportInfo, maxOutgoingSize: number) {
    super(serializer, info);
    this.#ws = ws;
    this.#socket = socket;
    this.#maxOutgoingSize = maxOutgoingSize;
    this.#sendOptions = serializer.binary ? BINARY : TEXT;
    ws.on('message', this.#onMessage);
    ws.on('error', this.#onError);
    ws.on('close', this.#onClose);
  }

  /** WebSocket has no limit negotiation: the router's own limit is assumed for the peer. */
  get maxOutgoingSize(): number {
    return this.#maxOutgoingSize;
  }

  get bufferedAmount(): number {
    return backlogOf(this.#socket);
  }

  protected writeMessage(bytes: Uint8Array): void {
    // A Buffer sent with binary:false goes out as a text frame without a string round trip.
    batchWrites(this.#socket);
    this.#ws.send(bytes, this.#sendOptions);
  }

  protected closeConnection(reason: string): void {
    this.#closeReason = reason;
    this.#ws.close(NORMAL_CLOSURE, closeReasonText(reason));
  }

  protected override destroyConnection(reason: string): void {
    this.#closeReason = reason;
    this.#ws.terminate();
  }

  readonly #onMessage = (data: RawData, isBinary: boolean): void => {
    if (isBinary !== this.serializer.binary) {
      this.protocolError(
        new ProtocolError(
          `${isBinary ? 'binary' : 'text'} WebSocket message on ${this.serializer.subprotocol}, ` +
            `which uses ${this.serializer.binary ? 'binary' : 'text'} messages`,
        ),
      );
      return;
    }
    // binaryType is the default 'nodebuffer': one Buffer per message.
    this.receive(data as Buffer);
  };

  readonly #onError = (error: Error): void => {
    this.#error ??= error;
  };

  readonly #onClose = (code: number, reason: Buffer): void => {
    const text = reason.length > 0 ? reason.toString('utf8') : `WebSocket closed with code ${code}`;
    this.closed(this.#closeReason ?? text, this.#error);
  };
}
