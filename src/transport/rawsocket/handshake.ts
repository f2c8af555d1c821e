/**
 * The 4-octet RawSocket handshake (advanced/transport_rawsocket.md): `7F LLLLSSSS 00 00`.
 * `LLLL` announces the largest message the sender will RECEIVE, 2^(9+L) octets; `SSSS` is the
 * serializer. A router refuses with `7F EEEE0000 00 00`, E being one of HandshakeError.
 */
export const MAGIC = 0x7f;
export const HANDSHAKE_LENGTH = 4;

/** RawSocket serializer ids. 0 is illegal, 6-15 reserved. */
export const SerializerId = {
  JSON: 1,
  MSGPACK: 2,
  CBOR: 3,
  UBJSON: 4,
  FLATBUFFERS: 5,
} as const;

/** Error codes of a refusing router reply. 0 is illegal, 5-15 reserved. */
export const HandshakeError = {
  SERIALIZER_UNSUPPORTED: 1,
  MAX_LENGTH_UNACCEPTABLE: 2,
  RESERVED_BITS_USED: 3,
  MAX_CONNECTIONS_REACHED: 4,
} as const;
export type HandshakeErrorCode = (typeof HandshakeError)[keyof typeof HandshakeError];

const ERROR_MEANINGS: Record<number, string> = {
  [HandshakeError.SERIALIZER_UNSUPPORTED]: 'serializer unsupported',
  [HandshakeError.MAX_LENGTH_UNACCEPTABLE]: 'maximum message length unacceptable',
  [HandshakeError.RESERVED_BITS_USED]: 'use of reserved bits (unsupported feature)',
  [HandshakeError.MAX_CONNECTIONS_REACHED]: 'maximum connection count reached',
};

/** What a handshake error code means, for error messages. */
export function handshakeErrorMeaning(code: number): string {
  return ERROR_MEANINGS[code] ?? (code === 0 ? 'illegal error code 0' : `reserved error code ${code}`);
}

/** The largest LLLL value: 2^(9+15) = 2^24 octets = 16 MiB. */
export const MAX_LENGTH_EXPONENT = 15;

/** 2^(9+L): the message size a length exponent announces. */
export function maxLengthOf(exponent: number): number {
  return 2 ** (9 + exponent);
}

/**
 * The length exponent to announce for a receive limit: the largest L in [0, 15] with
 * 2^(9+L) <= maxMessageSize + 1. The `+ 1` lets the common limit 2^24-1 (the largest frame a
 * 24-bit length can carry without the X bit) announce L=15. Below 512 octets, L=0.
 */
export function lengthExponentFor(maxMessageSize: number): number {
  let exponent = 0;
  while (exponent < MAX_LENGTH_EXPONENT && maxLengthOf(exponent + 1) <= maxMessageSize + 1) exponent++;
  return exponent;
}

/** A client's request, or a router's accepting reply: the same 4 octets. */
export function encodeHandshake(serializerId: number, lengthExponent: number): Buffer {
  if (!Number.isInteger(serializerId) || serializerId < 1 || serializerId > 15) {
    throw new RangeError(`RawSocket serializer id must be 1-15, got ${serializerId}`);
  }
  if (!Number.isInteger(lengthExponent) || lengthExponent < 0 || lengthExponent > MAX_LENGTH_EXPONENT) {
    throw new RangeError(`RawSocket length exponent must be 0-15, got ${lengthExponent}`);
  }
  return Buffer.from([MAGIC, (lengthExponent << 4) | serializerId, 0, 0]);
}

/** A router's refusal: `7F E0 00 00`. */
export function encodeHandshakeError(code: HandshakeErrorCode): Buffer {
  return Buffer.from([MAGIC, code << 4, 0, 0]);
}

/** A router's reading of a client's 4 octets. */
export type ClientHandshake =
  | { kind: 'request'; serializerId: number; lengthExponent: number; maxLength: number }
  /** Answer with encodeHandshakeError(code) and close. */
  | { kind: 'refuse'; code: HandshakeErrorCode }
  /** The first octet is not 0x7F: close without answering. */
  | { kind: 'not-rawsocket' };

export function decodeClientHandshake(bytes: Uint8Array): ClientHandshake {
  if (bytes.length < HANDSHAKE_LENGTH) throw new RangeError('a RawSocket handshake has 4 octets');
  if (bytes[0] !== MAGIC) return { kind: 'not-rawsocket' };
  if (bytes[2] !== 0 || bytes[3] !== 0) return { kind: 'refuse', code: HandshakeError.RESERVED_BITS_USED };
  const serializerId = bytes[1]! & 0x0f;
  if (serializerId === 0) return { kind: 'refuse', code: HandshakeError.SERIALIZER_UNSUPPORTED };
  const lengthExponent = bytes[1]! >> 4;
  return { kind: 'request', serializerId, lengthExponent, maxLength: maxLengthOf(lengthExponent) };
}

/** A client's reading of the router's 4 octets. */
export type RouterHandshake =
  | { kind: 'accept'; serializerId: number; lengthExponent: number; maxLength: number }
  | { kind: 'error'; code: number; meaning: string }
  | { kind: 'invalid'; reason: string };

export function decodeRouterHandshake(bytes: Uint8Array): RouterHandshake {
  if (bytes.length < HANDSHAKE_LENGTH) throw new RangeError('a RawSocket handshake has 4 octets');
  if (bytes[0] !== MAGIC) {
    return { kind: 'invalid', reason: `the reply does not start with 0x7F (got 0x${hex(bytes[0]!)})` };
  }
  if (bytes[2] !== 0 || bytes[3] !== 0) {
    const reserved = `0x${hex(bytes[2]!)}${hex(bytes[3]!)}`;
    return { kind: 'invalid', reason: `the reply's reserved octets are not zero (${reserved})` };
  }
  const high = bytes[1]! >> 4;
  const low = bytes[1]! & 0x0f;
  if (low === 0) return { kind: 'error', code: high, meaning: handshakeErrorMeaning(high) };
  return { kind: 'accept', serializerId: low, lengthExponent: high, maxLength: maxLengthOf(high) };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
