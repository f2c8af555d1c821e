/**
 * Standard base64 (RFC 4648 §4, with padding) for binary values in JSON
 * (advanced/serialization_binary_json.md). Browser-safe: no Buffer, no btoa/atob (which need a
 * binary string and are slow in Node 20).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE: string[] = ALPHABET.split('');
/** Char code → 6-bit value, or -1. */
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Strings are built in slices of this many input bytes to bound the size of intermediate parts. */
const SLICE = 3 * 4096;

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let start = 0; start < bytes.length; start += SLICE) {
    out += encodeSlice(bytes, start, Math.min(start + SLICE, bytes.length));
  }
  return out;
}

function encodeSlice(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ENCODE[n >> 18]! + ENCODE[(n >> 12) & 63]! + ENCODE[(n >> 6) & 63]! + ENCODE[n & 63]!;
  }
  const rest = end - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${ENCODE[n >> 18]!}${ENCODE[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${ENCODE[n >> 18]!}${ENCODE[(n >> 12) & 63]!}${ENCODE[(n >> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Decodes base64 text starting at `offset` (1 skips the leading NUL of a JSON binary string).
 * Padding is optional; any other character, or a length no encoder produces, throws.
 */
export function fromBase64(text: string, offset = 0): Uint8Array {
  let end = text.length;
  if (end > offset && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > offset && text.charCodeAt(end - 1) === 61) end--;
  const chars = end - offset;
  if (chars % 4 === 1) throw new SyntaxError('invalid base64: impossible length');
  const out = new Uint8Array(Math.floor((chars * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = offset; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) throw new SyntaxError(`invalid base64: unexpected character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
