import { Decoder } from 'cbor-x';
import { MAX_ID } from '../ids.js';
import { ByteWriter } from './byte-writer.js';
import { isPresent, MAX_DEPTH, plainBytes } from './codec-rules.js';
import type { Serializer } from './serializer.js';

/**
 * `wamp.2.cbor` (RFC 8949), RawSocket serializer 3.
 *
 * Encoding is our own, because cbor-x writes every integer of 2^32 or more (ids, millisecond
 * timestamps) as a float64, tags Uint8Array (tag 64) under Node and uses wide map headers. Ours
 * writes the preferred (shortest) form: integers up to ±2^53 and bigints up to 64 bits as major
 * types 0/1, other numbers as float64, Uint8Array/ArrayBuffer as byte strings, definite lengths.
 * Values are mapped as JSON.stringify maps them: `undefined`/function entries of a dict are left
 * out and become null in a list, objects with toJSON (Date) are written as what toJSON returns.
 *
 * Decoding uses cbor-x (plain CBOR: `useRecords: false, mapsAsObjects: true`). 8-byte integers
 * come back as numbers when they fit in [-2^53, 2^53] and as exact bigints otherwise (so a
 * router passes 64-bit payload values through unchanged, and parseMessage rejects such ids).
 * Byte strings come back as plain Uint8Array copies. Simple value 23 (`undefined`) decodes as
 * `undefined`, which parseMessage treats as an absent dict entry.
 */
const MAX_ID_BIG = BigInt(MAX_ID);
const TWO_64 = 1n << 64n;

const writer = new ByteWriter();
// copyBuffers: byte strings are copies, never views of a frame the transport may reuse.
// `fast` reads 8-byte integers as numbers (exact up to 2^53); `exact` reads them as bigints.
// (int64AsNumber is missing from cbor-x's typings, hence the separate object.)
const FAST_OPTIONS = { useRecords: false, mapsAsObjects: true, copyBuffers: true, int64AsNumber: true };
const fast = new Decoder(FAST_OPTIONS);
const exact = new Decoder({ useRecords: false, mapsAsObjects: true, copyBuffers: true });

export const cborSerializer: Serializer = {
  name: 'cbor',
  subprotocol: 'wamp.2.cbor',
  rawSocketId: 3,
  binary: true,
  encode(message) {
    writer.begin();
    writeValue(message, 0);
    return writer.finish();
  },
  decode(data) {
    if (typeof data === 'string') throw new TypeError('CBOR data must be bytes, not a string');
    const bytes = plainBytes(data);
    if (!mayHoldWideInteger(bytes)) return fast.decode(bytes);
    return narrowIntegers(exact.decode(bytes), 0);
  },
};

/** Writes a major type and its argument (RFC 8949 §3), `n` an integer in [0, 2^53]. */
function head(major: number, n: number): void {
  const mt = major << 5;
  if (n < 24) writer.u8(mt | n);
  else if (n < 0x100) writer.u8u8(mt | 24, n);
  else if (n < 0x1_0000) writer.u8u16(mt | 25, n);
  else if (n < 0x1_0000_0000) writer.u8u32(mt | 26, n);
  else writer.u8u64(mt | 27, n);
}

function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : n < 0x1_0000_0000 ? 5 : 9;
}

function writeValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      return writeText(v);
    case 'number':
      if (Number.isInteger(v) && v <= MAX_ID && v >= -MAX_ID) return v >= 0 ? head(0, v) : head(1, -1 - v);
      return writer.u8f64(0xfb, v);
    case 'boolean':
      return writer.u8(v ? 0xf5 : 0xf4);
    case 'bigint':
      return writeBigInt(v);
    case 'object':
      if (v === null) return writer.u8(0xf6);
      if (depth >= MAX_DEPTH) throw new RangeError(`CBOR: value nested deeper than ${MAX_DEPTH} levels`);
      return writeObject(v, depth + 1);
    default:
      // undefined, function, symbol: null, as JSON.stringify writes them in a list.
      return writer.u8(0xf6);
  }
}

function writeText(s: string): void {
  const reserved = headSize(s.length * 3);
  writer.reserve(reserved + s.length * 3);
  const length = writer.utf8After(reserved, s);
  const needed = headSize(length);
  writer.closeGap(reserved, needed, length);
  head(3, length);
  writer.skip(length);
}

function writeBigInt(v: bigint): void {
  if (v >= 0n) {
    if (v <= MAX_ID_BIG) return head(0, Number(v));
    if (v < TWO_64) return writer.u8big64(0x1b, v);
  } else {
    const n = -1n - v;
    if (n < MAX_ID_BIG) return head(1, Number(n));
    if (n < TWO_64) return writer.u8big64(0x3b, n);
  }
  throw new RangeError(`CBOR: integer ${v} does not fit in 64 bits`);
}

function writeObject(v: object, depth: number): void {
  if (Array.isArray(v)) {
    head(4, v.length);
    for (let i = 0; i < v.length; i++) writeValue(v[i], depth);
  } else if (v instanceof Uint8Array) {
    head(2, v.length);
    writer.bytes(v);
  } else if (v instanceof ArrayBuffer) {
    head(2, v.byteLength);
    writer.bytes(new Uint8Array(v));
  } else if (v instanceof Map) {
    head(5, v.size);
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
  head(5, count);
  for (const key in d) {
    const value = d[key];
    if (!isPresent(value)) continue;
    writeText(key);
    writeValue(value, depth);
  }
}


/**
 * Whether an 8-byte integer beyond ±2^53 may occur: a 0x1b/0x3b byte followed by a high word of
 * 0x00200000 or more. A false positive (the byte inside a string) only costs the exact decode.
 */
function mayHoldWideInteger(data: Uint8Array): boolean {
  return wideAfter(data, 0x1b) || wideAfter(data, 0x3b);
}

function wideAfter(data: Uint8Array, marker: number): boolean {
  for (let i = data.indexOf(marker); i !== -1; i = data.indexOf(marker, i + 1)) {
    if (data[i + 1] !== 0 || (data[i + 2] ?? 0xff) >= 0x20) return true;
  }
  return false;
}

/** Turns bigints that fit in [-2^53, 2^53] back into numbers, in place. */
function narrowIntegers(v: unknown, depth: number): unknown {
  if (typeof v === 'bigint') return v <= MAX_ID_BIG && v >= -MAX_ID_BIG ? Number(v) : v;
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (typeof e === 'bigint' || (typeof e === 'object' && e !== null)) v[i] = narrowIntegers(e, depth + 1);
    }
  } else if (!ArrayBuffer.isView(v)) {
    const d = v as Record<string, unknown>;
    for (const key in d) {
      const e = d[key];
      if (typeof e === 'bigint' || (typeof e === 'object' && e !== null)) d[key] = narrowIntegers(e, depth + 1);
    }
  }
  return v;
}
