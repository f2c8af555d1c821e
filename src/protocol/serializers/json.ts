import { fromBase64, toBase64 } from './base64.js';
import type { Serializer } from './serializer.js';

/**
 * `wamp.2.json`, RawSocket serializer 1, WebSocket text frames.
 *
 * Binary values (Uint8Array, Buffer, ArrayBuffer) travel as the string `"\u0000" + base64(bytes)`
 * and such strings decode back to Uint8Array (advanced/serialization_binary_json.md). Bigints are
 * written as numbers (a JSON peer reads nothing wider than a double anyway).
 *
 * The common case stays on the fast native path: JSON.stringify gets a replacer only when a walk
 * finds binary or a bigint in the message, and JSON.parse gets a reviver only when the text holds
 * an escaped NUL (`\u0000`), which every binary string starts with.
 */
const MAX_DEPTH = 500;

const textEncoder = new TextEncoder();
/** fatal: malformed UTF-8 is an error, not U+FFFD. */
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export const jsonSerializer: Serializer = {
  name: 'json',
  subprotocol: 'wamp.2.json',
  rawSocketId: 1,
  binary: false,
  encode(message) {
    return utf8Of(encodeText(message));
  },
  decode(data) {
    const text = typeof data === 'string' ? data : textDecoder.decode(data);
    return text.includes('\\u0000') ? JSON.parse(text, binaryReviver) : JSON.parse(text);
  },
};

/**
 * Encoded messages are views of a shared chunk, written one after another and never written
 * again once handed out (as the CBOR and MessagePack encoders do, byte-writer.ts): TextEncoder's
 * encode() allocates a fresh ArrayBuffer per message, several times the cost of encodeInto().
 */
const CHUNK_SIZE = 64 * 1024;
/** Texts that might need more than this many octets get an array of their own. */
const MAX_POOLED = 8 * 1024;
let chunk = new Uint8Array(CHUNK_SIZE);
let chunkUsed = 0;

/** The UTF-8 octets of `text`. */
function utf8Of(text: string): Uint8Array {
  // A UTF-16 code unit takes at most 3 octets in UTF-8.
  const worst = text.length * 3;
  if (worst > MAX_POOLED) return textEncoder.encode(text);
  if (CHUNK_SIZE - chunkUsed < worst) {
    chunk = new Uint8Array(CHUNK_SIZE);
    chunkUsed = 0;
  }
  const start = chunkUsed;
  chunkUsed += textEncoder.encodeInto(text, start === 0 ? chunk : chunk.subarray(start)).written;
  return chunk.subarray(start, chunkUsed);
}

/** The JSON text of a message, for WebSocket text frames. */
export function encodeText(message: unknown): string {
  return needsReplacer(message, 0) ? JSON.stringify(message, binaryReplacer) : JSON.stringify(message);
}

function isBinary(v: object): v is Uint8Array | ArrayBuffer {
  return v instanceof Uint8Array || v instanceof ArrayBuffer;
}

/** Whether the value holds binary or a bigint anywhere (stops at the first). */
function needsReplacer(v: unknown, depth: number): boolean {
  if (typeof v === 'bigint') return true;
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return false;
  if (isBinary(v)) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if ((typeof e === 'object' || typeof e === 'bigint') && needsReplacer(e, depth + 1)) return true;
    }
    return false;
  }
  const d = v as Record<string, unknown>;
  for (const key in d) {
    const e = d[key];
    if ((typeof e === 'object' || typeof e === 'bigint') && needsReplacer(e, depth + 1)) return true;
  }
  return false;
}

/**
 * Reads the holder's own value (`this[key]`): JSON.stringify has already replaced a Buffer by
 * its toJSON() form before calling the replacer.
 */
function binaryReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === 'object' && raw !== null && isBinary(raw)) {
    return `\u0000${toBase64(raw instanceof Uint8Array ? raw : new Uint8Array(raw))}`;
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

function binaryReviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.charCodeAt(0) === 0 ? fromBase64(value, 1) : value;
}
