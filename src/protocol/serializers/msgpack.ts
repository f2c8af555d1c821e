import { C1, Unpackr } from 'msgpackr';
import { MAX_ID } from '../ids.js';
import { ByteWriter } from './byte-writer.js';
import { isPresent, MAX_DEPTH, plainBytes } from './codec-rules.js';
import type { Serializer } from './serializer.js';

/**
 * `wamp.2.msgpack` (MessagePack v5: str and bin are distinct), RawSocket serializer 2.
 *
 * Encoding is our own, because msgpackr writes every integer of 2^32 or more as a float64 and a
 * positive bigint as int64 (0xd3), and uses map16 headers for small dicts. Ours writes the
 * shortest form, as msgpack-python does: non-negative integers up to 2^53 and bigints up to 2^64
 * as positive fixint/uint8…uint64 (0xcf), negative ones as negative fixint/int8…int64, other
 * numbers as float64, strings as str, Uint8Array/ArrayBuffer as bin. Values are mapped as
 * JSON.stringify maps them: `undefined`/function entries of a dict are left out and become nil
 * in a list, objects with toJSON (Date) are written as what toJSON returns.
 *
 * Decoding uses msgpackr (`useRecords: false, mapsAsObjects: true`); 8-byte integers come back as
 * numbers when they fit in ±2^53 and as exact bigints otherwise, bin values as plain Uint8Array
 * copies. Ext type 0 with one zero byte (`d4 00 00`, what msgpackr and so Wampy send for
 * `undefined`) decodes as `undefined`, which parseMessage treats as an absent dict entry. The
 * never-used byte 0xc1 is rejected.
 */
const MAX_ID_BIG = BigInt(MAX_ID);
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

/** 'auto': a number when it fits in ±2^53, else a bigint. msgpackr's typings lack the value. */
const AUTO = 'auto' as unknown as 'bigint';

const writer = new ByteWriter();
// copyBuffers: bin values are copies, never views of a frame the transport may reuse.
// `fast` reads 8-byte integers as numbers (exact up to ±2^53); `exact` keeps wider ones as bigints.
const fast = new Unpackr({ useRecords: false, mapsAsObjects: true, copyBuffers: true, int64AsType: 'number' });
const exact = new Unpackr({ useRecords: false, mapsAsObjects: true, copyBuffers: true, int64AsType: AUTO });

export const msgpackSerializer: Serializer = {
  name: 'msgpack',
  subprotocol: 'wamp.2.msgpack',
  rawSocketId: 2,
  binary: true,
  encode(message) {
    writer.begin();
    writeValue(message, 0);
    return writer.finish();
  },
  decode(data) {
    if (typeof data === 'string') throw new TypeError('MessagePack data must be bytes, not a string');
    const bytes = plainBytes(data);
    const value: unknown = mayHoldWideInteger(bytes) ? exact.unpack(bytes) : fast.unpack(bytes);
    // msgpackr returns a marker object for 0xc1; look for it only when that byte occurs at all.
    if (data.indexOf(0xc1) !== -1 && holdsC1(value, 0)) {
      throw new Error('MessagePack: the never-used type byte 0xc1 is not valid');
    }
    return value;
  },
};

function writeValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      return writeStr(v);
    case 'number':
      if (Number.isInteger(v) && v <= MAX_ID && v >= -MAX_ID) return writeInt(v);
      return writer.u8f64(0xcb, v);
    case 'boolean':
      return writer.u8(v ? 0xc3 : 0xc2);
    case 'bigint':
      return writeBigInt(v);
    case 'object':
      if (v === null) return writer.u8(0xc0);
      if (depth >= MAX_DEPTH) throw new RangeError(`MessagePack: value nested deeper than ${MAX_DEPTH} levels`);
      return writeObject(v, depth + 1);
    default:
      // undefined, function, symbol: nil, as JSON.stringify writes them in a list.
      return writer.u8(0xc0);
  }
}

/** `v` an integer in [-2^53, 2^53]. */
function writeInt(v: number): void {
  if (v >= 0) {
    if (v < 0x80) writer.u8(v);
    else if (v < 0x100) writer.u8u8(0xcc, v);
    else if (v < 0x1_0000) writer.u8u16(0xcd, v);
    else if (v < 0x1_0000_0000) writer.u8u32(0xce, v);
    else writer.u8u64(0xcf, v);
  } else if (v >= -32) {
    writer.u8(v & 0xff);
  } else if (v >= -0x80) {
    writer.u8u8(0xd0, v & 0xff);
  } else if (v >= -0x8000) {
    writer.u8u16(0xd1, v & 0xffff);
  } else if (v >= -0x8000_0000) {
    writer.u8u32(0xd2, v >>> 0);
  } else {
    writer.u8big64(0xd3, BigInt.asUintN(64, BigInt(v)));
  }
}

function writeBigInt(v: bigint): void {
  if (v >= -MAX_ID_BIG && v <= MAX_ID_BIG) return writeInt(Number(v));
  if (v > 0n && v < TWO_64) return writer.u8big64(0xcf, v);
  if (v < 0n && v >= -TWO_63) return writer.u8big64(0xd3, BigInt.asUintN(64, v));
  throw new RangeError(`MessagePack: integer ${v} does not fit in 64 bits`);
}

function strHeadSize(n: number): number {
  return n < 32 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5;
}

function writeStr(s: string): void {
  const reserved = strHeadSize(s.length * 3);
  writer.reserve(reserved + s.length * 3);
  const n = writer.utf8After(reserved, s);
  writer.closeGap(reserved, strHeadSize(n), n);
  if (n < 32) writer.u8(0xa0 | n);
  else if (n < 0x100) writer.u8u8(0xd9, n);
  else if (n < 0x1_0000) writer.u8u16(0xda, n);
  else writer.u8u32(0xdb, n);
  writer.skip(n);
}

function writeBin(b: Uint8Array): void {
  const n = b.length;
  if (n < 0x100) writer.u8u8(0xc4, n);
  else if (n < 0x1_0000) writer.u8u16(0xc5, n);
  else writer.u8u32(0xc6, n);
  writer.bytes(b);
}

function writeArrayHead(n: number): void {
  if (n < 16) writer.u8(0x90 | n);
  else if (n < 0x1_0000) writer.u8u16(0xdc, n);
  else writer.u8u32(0xdd, n);
}

function writeMapHead(n: number): void {
  if (n < 16) writer.u8(0x80 | n);
  else if (n < 0x1_0000) writer.u8u16(0xde, n);
  else writer.u8u32(0xdf, n);
}

function writeObject(v: object, depth: number): void {
  if (Array.isArray(v)) {
    writeArrayHead(v.length);
    for (let i = 0; i < v.length; i++) writeValue(v[i], depth);
  } else if (v instanceof Uint8Array) {
    writeBin(v);
  } else if (v instanceof ArrayBuffer) {
    writeBin(new Uint8Array(v));
  } else if (v instanceof Map) {
    writeMapHead(v.size);
    for (const [key, value] of v) {
      writeValue(key, depth);
      writeValue(value, depth);
    }
  } else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    writeValue((v as { toJSON(): unknown }).toJSON(), depth);
  } else {
    writeDict(v as Record<string, unknown>, depth);
  }
}

function writeDict(d: Record<string, unknown>, depth: number): void {
  let count = 0;
  for (const key in d) if (isPresent(d[key])) count++;
  writeMapHead(count);
  for (const key in d) {
    const value = d[key];
    if (!isPresent(value)) continue;
    writeStr(key);
    writeValue(value, depth);
  }
}


/**
 * Whether a 64-bit integer beyond ±2^53 may occur: 0xcf followed by a high word of 0x00200000 or
 * more, or 0xd3 followed by one outside [0xffe00000, 0x001fffff]. A false positive (the byte
 * inside a string) only costs the exact decode.
 */
function mayHoldWideInteger(data: Uint8Array): boolean {
  for (let i = data.indexOf(0xcf); i !== -1; i = data.indexOf(0xcf, i + 1)) {
    if (data[i + 1] !== 0 || (data[i + 2] ?? 0xff) >= 0x20) return true;
  }
  for (let i = data.indexOf(0xd3); i !== -1; i = data.indexOf(0xd3, i + 1)) {
    const b1 = data[i + 1];
    const b2 = data[i + 2] ?? 0x80;
    if (!((b1 === 0 && b2 < 0x20) || (b1 === 0xff && b2 >= 0xe0))) return true;
  }
  return false;
}

function holdsC1(v: unknown, depth: number): boolean {
  if (v === C1) return true;
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH || ArrayBuffer.isView(v)) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (holdsC1(v[i], depth + 1)) return true;
    return false;
  }
  for (const key in v) if (holdsC1((v as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}
