import { describe, expect, it } from 'vitest';
import {
  decodeClientHandshake,
  decodeRouterHandshake,
  encodeHandshake,
  encodeHandshakeError,
  HandshakeError,
  handshakeErrorMeaning,
  lengthExponentFor,
  maxLengthOf,
  SerializerId,
} from '../../../src/transport/rawsocket/handshake.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');

describe('rawsocket handshake', () => {
  it.each([
    // serializer, L, octets
    [SerializerId.JSON, 0, '7f 01 00 00'],
    [SerializerId.MSGPACK, 9, '7f 92 00 00'],
    [SerializerId.CBOR, 15, '7f f3 00 00'],
    [SerializerId.UBJSON, 4, '7f 44 00 00'],
  ])('encodes serializer %i with L=%i as %s and decodes it back', (serializerId, exponent, wire) => {
    const encoded = encodeHandshake(serializerId, exponent);
    expect(hex(encoded)).toBe(wire.replace(/ /g, ''));
    expect(decodeClientHandshake(encoded)).toEqual({
      kind: 'request',
      serializerId,
      lengthExponent: exponent,
      maxLength: 2 ** (9 + exponent),
    });
    expect(decodeRouterHandshake(encoded)).toEqual({
      kind: 'accept',
      serializerId,
      lengthExponent: exponent,
      maxLength: 2 ** (9 + exponent),
    });
  });

  it.each([
    [HandshakeError.SERIALIZER_UNSUPPORTED, '7f 10 00 00', 'serializer unsupported'],
    [HandshakeError.MAX_LENGTH_UNACCEPTABLE, '7f 20 00 00', 'maximum message length unacceptable'],
    [HandshakeError.RESERVED_BITS_USED, '7f 30 00 00', 'use of reserved bits (unsupported feature)'],
    [HandshakeError.MAX_CONNECTIONS_REACHED, '7f 40 00 00', 'maximum connection count reached'],
  ])('encodes error %i as %s, meaning "%s"', (code, wire, meaning) => {
    expect(hex(encodeHandshakeError(code))).toBe(wire.replace(/ /g, ''));
    expect(decodeRouterHandshake(bytes(wire))).toEqual({ kind: 'error', code, meaning });
  });

  it('names reserved and illegal error codes', () => {
    expect(handshakeErrorMeaning(0)).toBe('illegal error code 0');
    expect(handshakeErrorMeaning(9)).toBe('reserved error code 9');
    expect(decodeRouterHandshake(bytes('7f 90 00 00'))).toMatchObject({ kind: 'error', code: 9 });
  });

  it('tells a router to drop a client whose first octet is not 0x7F', () => {
    expect(decodeClientHandshake(Buffer.from('GET '))).toEqual({ kind: 'not-rawsocket' });
  });

  it('refuses a client request with non-zero reserved octets with error 3', () => {
    expect(decodeClientHandshake(bytes('7f f3 00 01'))).toEqual({ kind: 'refuse', code: 3 });
    expect(decodeClientHandshake(bytes('7f f3 80 00'))).toEqual({ kind: 'refuse', code: 3 });
  });

  it('refuses the illegal serializer id 0 with error 1', () => {
    expect(decodeClientHandshake(bytes('7f f0 00 00'))).toEqual({ kind: 'refuse', code: 1 });
  });

  it('reports a router reply with a bad magic or reserved octets as invalid', () => {
    expect(decodeRouterHandshake(bytes('48 54 54 50'))).toMatchObject({ kind: 'invalid' });
    expect(decodeRouterHandshake(bytes('7f f3 00 07'))).toMatchObject({ kind: 'invalid' });
  });

  it('rejects out-of-range fields when encoding', () => {
    expect(() => encodeHandshake(0, 15)).toThrow(RangeError);
    expect(() => encodeHandshake(16, 15)).toThrow(RangeError);
    expect(() => encodeHandshake(3, 16)).toThrow(RangeError);
    expect(() => decodeClientHandshake(bytes('7f f3'))).toThrow(RangeError);
  });

  it.each([
    [2 ** 24, 15],
    [2 ** 24 - 1, 15],
    [2 ** 30, 15],
    [2 ** 20, 11],
    [2 ** 20 - 2, 10],
    [1000, 0],
    [512, 0],
    [100, 0],
  ])('announces a receive limit of %i octets as L=%i', (limit, exponent) => {
    expect(lengthExponentFor(limit)).toBe(exponent);
    expect(maxLengthOf(exponent)).toBe(2 ** (9 + exponent));
  });
});
