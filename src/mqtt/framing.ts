import { MalformedPacketError, PacketTooLargeError } from './errors.js';

/**
 * Splits a byte stream into whole MQTT control packets (fixed header + remaining length, section
 * 2.2) without buffering more than one packet: the remaining length is read first, and a packet
 * larger than `maxPacketSize` (the whole packet, as MQTT 5's Maximum Packet Size counts it) fails
 * before its body is read. Complete packets are handed out as views of the chunk when possible.
 */
export class PacketFramer {
  readonly #maxPacketSize: number;
  readonly #onPacket: (packet: Buffer) => void;
  /** Bytes of an incomplete packet carried over from earlier chunks. */
  #pending: Buffer | undefined;
  #stopped = false;

  constructor(maxPacketSize: number, onPacket: (packet: Buffer) => void) {
    this.#maxPacketSize = maxPacketSize;
    this.#onPacket = onPacket;
  }

  /** Feeds bytes; throws MalformedPacketError or PacketTooLargeError (the connection must close). */
  push(chunk: Buffer): void {
    if (this.#stopped) return;
    let data = chunk;
    if (this.#pending !== undefined) {
      data = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let offset = 0;
    while (offset < data.length && !this.#stopped) {
      const size = packetSize(data, offset, this.#maxPacketSize);
      if (size === 0 || offset + size > data.length) break;
      const packet = data.subarray(offset, offset + size);
      offset += size;
      this.#onPacket(packet);
    }
    if (offset < data.length && !this.#stopped) this.#pending = Buffer.from(data.subarray(offset));
  }

  /** Ignores everything from now on (the connection is closing). */
  stop(): void {
    this.#stopped = true;
    this.#pending = undefined;
  }
}

/**
 * The size of the packet starting at `offset`: fixed header plus remaining length; 0 when the
 * remaining length is not complete yet. Throws when it is malformed or the packet too large.
 */
export function packetSize(data: Buffer, offset: number, maxPacketSize: number): number {
  let remaining = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (offset + i >= data.length) return 0;
    const byte = data[offset + i]!;
    remaining += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      const size = 1 + i + remaining;
      if (size > maxPacketSize) throw new PacketTooLargeError(size, maxPacketSize);
      return size;
    }
    multiplier *= 128;
  }
  throw new MalformedPacketError('remaining length longer than 4 bytes');
}

/** Bytes of a variable byte integer (1 to 4). */
export function varintSize(value: number): number {
  return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
}

/** Writes a variable byte integer at `pos`; returns the position after it. */
export function writeVarint(buffer: Buffer, pos: number, value: number): number {
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    buffer[pos++] = byte;
  } while (v > 0);
  return pos;
}

/** Where the variable header of `packet` starts (after the fixed header), and the remaining length. */
export function fixedHeader(packet: Uint8Array): { start: number; remaining: number } {
  const { value, size } = readVarint(packet, 1);
  return { start: 1 + size, remaining: value };
}

/** The variable byte integer at `pos` (at most 4 bytes; missing bytes read as 0), and its size. */
export function readVarint(bytes: Uint8Array, pos: number): { value: number; size: number } {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    const byte = bytes[pos + i] ?? 0;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
    multiplier *= 128;
  }
  return { value, size: 4 };
}

/** Bytes of the variable byte integer at `pos` of a well-formed packet (no allocation). */
export function varintLengthAt(bytes: Uint8Array, pos: number): number {
  let n = 1;
  while ((bytes[pos + n - 1]! & 0x80) !== 0) n++;
  return n;
}
