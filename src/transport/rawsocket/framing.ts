import { RawSocketError, type RawSocketErrorCode } from './errors.js';

/**
 * RawSocket frames (advanced/transport_rawsocket.md): a 4-octet prefix `RRRR XTTT` + 24-bit
 * big-endian length, then the payload. R bits are reserved (must be 0); TTT is the frame type;
 * X is a 25th length bit, set only for a payload of exactly 2^24 octets. We never send X:
 * outgoing payloads are capped at MAX_FRAME_PAYLOAD (Bondy and older peers reject X=1).
 */
export const FrameType = {
  WAMP: 0,
  PING: 1,
  PONG: 2,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_HEADER_LENGTH = 4;
/** The largest payload a 24-bit length expresses; the cap on everything we send. */
export const MAX_FRAME_PAYLOAD = 2 ** 24 - 1;

const X_BIT = 0x08;
const TYPE_MASK = 0x07;
const RESERVED_MASK = 0xf0;

/** Writes the 4-octet prefix of a frame into `target` at `offset`. */
export function writeFrameHeader(target: Uint8Array, offset: number, type: FrameType, length: number): void {
  if (length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`a RawSocket frame carries at most ${MAX_FRAME_PAYLOAD} octets, got ${length}`);
  }
  target[offset] = type;
  target[offset + 1] = length >>> 16;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
}

/** One Buffer holding the prefix and the payload: written with a single `write`. */
export function encodeFrame(type: FrameType, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  writeFrameHeader(frame, 0, type, payload.length);
  frame.set(payload, FRAME_HEADER_LENGTH);
  return frame;
}

/** Receives the frames a FrameDecoder reassembles. */
export interface FrameSink {
  onFrame(type: FrameType, payload: Buffer): void;
  /** The stream broke the framing rules; the decoder has stopped. Fail the connection. */
  onFrameError(error: RawSocketError): void;
}

/**
 * Reassembles frames from chunks split at any boundary. Chunks are kept as a list and each
 * payload is copied at most once: a payload inside one chunk is returned as a view of it (no
 * copy); one spanning chunks is gathered into a single new Buffer.
 */
export class FrameDecoder {
  readonly #sink: FrameSink;
  readonly #maxPayload: number;
  #chunks: Buffer[] = [];
  /** Index of the first chunk not yet fully consumed, and the read offset in it. */
  #head = 0;
  #offset = 0;
  #buffered = 0;
  /** Type and length of the frame whose prefix was read, or -1 while waiting for a prefix. */
  #type = -1;
  #length = 0;
  #stopped = false;

  /** `maxPayload`: the receive limit this side announced; a larger frame fails the stream. */
  constructor(sink: FrameSink, maxPayload: number) {
    this.#sink = sink;
    this.#maxPayload = maxPayload;
  }

  /** Bytes received but not yet returned as frames. */
  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): void {
    if (this.#stopped || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (!this.#stopped) {
      if (this.#type < 0) {
        if (this.#buffered < FRAME_HEADER_LENGTH) return;
        if (!this.#readHeader()) return;
      }
      if (this.#buffered < this.#length) return;
      const type = this.#type as FrameType;
      this.#type = -1;
      this.#sink.onFrame(type, this.#take(this.#length));
    }
  }

  /** Drops buffered bytes and ignores all further input. */
  stop(): void {
    this.#stopped = true;
    this.#chunks = [];
    this.#head = 0;
    this.#offset = 0;
    this.#buffered = 0;
  }

  #readHeader(): boolean {
    const b0 = this.#byteAt(0);
    const length = (this.#byteAt(1) << 16) | (this.#byteAt(2) << 8) | this.#byteAt(3);
    this.#skip(FRAME_HEADER_LENGTH);
    if ((b0 & RESERVED_MASK) !== 0) {
      return this.#fail('RAWSOCKET_RESERVED_BITS', `RawSocket frame uses reserved bits (0x${b0.toString(16)})`);
    }
    const type = b0 & TYPE_MASK;
    if (type > FrameType.PONG) {
      return this.#fail('RAWSOCKET_RESERVED_FRAME_TYPE', `RawSocket frame has reserved type ${type}`);
    }
    let total = length;
    if ((b0 & X_BIT) !== 0) {
      // X marks a length of exactly 2^24; any other use is a reserved-bit violation.
      if (length !== 0) {
        return this.#fail('RAWSOCKET_RESERVED_BITS', 'RawSocket frame sets the X bit with a non-zero length');
      }
      total = 2 ** 24;
    }
    if (total > this.#maxPayload) {
      return this.#fail(
        'RAWSOCKET_FRAME_TOO_LARGE',
        `RawSocket frame of ${total} octets exceeds the announced limit of ${this.#maxPayload}`,
      );
    }
    this.#type = type;
    this.#length = total;
    return true;
  }

  #fail(code: RawSocketErrorCode, message: string): false {
    this.stop();
    this.#sink.onFrameError(new RawSocketError(code, message));
    return false;
  }

  /** The byte `index` positions past the read position (must be buffered). */
  #byteAt(index: number): number {
    let i = this.#head;
    let at = this.#offset + index;
    while (at >= this.#chunks[i]!.length) {
      at -= this.#chunks[i]!.length;
      i++;
    }
    return this.#chunks[i]![at]!;
  }

  #skip(n: number): void {
    this.#buffered -= n;
    while (n > 0) {
      const chunk = this.#chunks[this.#head]!;
      const left = chunk.length - this.#offset;
      if (n < left) {
        this.#offset += n;
        return;
      }
      n -= left;
      this.#advanceChunk();
    }
  }

  /** Removes and returns the next `n` buffered bytes. */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.#buffered -= n;
    const first = this.#chunks[this.#head]!;
    const left = first.length - this.#offset;
    if (n <= left) {
      const view = first.subarray(this.#offset, this.#offset + n);
      if (n === left) this.#advanceChunk();
      else this.#offset += n;
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.#chunks[this.#head]!;
      const count = Math.min(chunk.length - this.#offset, n - written);
      chunk.copy(out, written, this.#offset, this.#offset + count);
      written += count;
      if (this.#offset + count === chunk.length) this.#advanceChunk();
      else this.#offset += count;
    }
    return out;
  }

  #advanceChunk(): void {
    this.#chunks[this.#head] = EMPTY;
    this.#head++;
    this.#offset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}

const EMPTY = Buffer.alloc(0);
