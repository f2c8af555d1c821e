/**
 * Rules the CBOR and MsgPack codecs share, so both put the same values on the wire.
 */

/** Nesting beyond this is refused (a hostile peer cannot blow the stack). */
export const MAX_DEPTH = 500;

/** Whether a dict entry is written at all (JSON.stringify's rule). */
export function isPresent(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** A Buffer seen as a plain Uint8Array, so that decoded byte strings are plain Uint8Arrays too. */
export function plainBytes(data: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(data) === Uint8Array.prototype
    ? data
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
