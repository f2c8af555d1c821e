import type { Writable } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { ProtocolError } from '../../protocol/errors.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import { BaseTransport } from '../base-transport.js';
import type { TransportInfo } from '../transport.js';
import { backlogOf, batchWrites } from '../write-batcher.js';
import { closeReasonText, NORMAL_CLOSURE } from './close-reason.js';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;
/** Payloads up to this size are copied next to their frame header (one write); larger ones are not copied. */
const COPY_LIMIT = 64 * 1024;

/**
 * A WAMP connection over an accepted `ws` WebSocket. wamp.2.json travels in text messages,
 * wamp.2.cbor and wamp.2.msgpack in binary ones; the other kind is a protocol error.
 *
 * Messages are framed here and written to the upgraded socket directly (RFC 6455 §5.2: a server
 * frame is FIN + opcode, the payload length, the payload; never masked): one Buffer and one
 * write per message, where ws.send() makes an options object, a header Buffer and two writes.
 * `ws` keeps handling everything else (reading, ping/pong, the closing handshake); with
 * permessage-deflate off its sender writes synchronously too, so frames never interleave.
 */
export class WebSocketServerTransport extends BaseTransport {
  readonly #ws: WebSocket;
  /** The upgraded TCP/TLS socket under `ws`, corked per event-loop turn to batch frames. */
  readonly #socket: Writable;
  readonly #maxOutgoingSize: number;
  readonly #opcode: number;
  #closeReason: string | undefined;
  #error: Error | undefined;

  constructor(ws: WebSocket, socket: Writable, serializer: Serializer, info: TransportInfo, maxOutgoingSize: number) {
    super(serializer, info);
    this.#ws = ws;
    this.#socket = socket;
    this.#maxOutgoingSize = maxOutgoingSize;
    this.#opcode = serializer.binary ? OPCODE_BINARY : OPCODE_TEXT;
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
    // Once closing (our close frame, or the peer's, is on its way) nothing more may be sent;
    // ws.send() would drop it as well.
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    const socket = this.#socket;
    batchWrites(socket);
    const length = bytes.length;
    const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
    if (length <= COPY_LIMIT) {
      const frame = Buffer.allocUnsafe(headerLength + length);
      writeFrameHeader(frame, this.#opcode, length);
      frame.set(bytes, headerLength);
      socket.write(frame);
      return;
    }
    // Large payload (maybe shared by many subscribers): no copy; the socket is corked (batchWrites).
    const header = Buffer.allocUnsafe(headerLength);
    writeFrameHeader(header, this.#opcode, length);
    socket.write(header);
    socket.write(bytes);
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

/** The header of an unmasked, final frame (2, 4 or 10 octets, by the payload length). */
function writeFrameHeader(target: Buffer, opcode: number, length: number): void {
  target[0] = FIN | opcode;
  if (length < 126) {
    target[1] = length;
  } else if (length < 0x10000) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
  } else {
    target[1] = 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    target.writeUInt32BE(length >>> 0, 6);
  }
}
