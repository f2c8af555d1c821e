import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import { parseMessage } from '../../../src/protocol/parse.js';
import { cborSerializer as cbor } from '../../../src/protocol/serializers/cbor.js';
import { fromHex, hex, testFixtures } from './fixture-tests.js';

describe('cbor serializer', () => {
  it('describes itself as wamp.2.cbor, RawSocket serializer 3, binary', () => {
    expect(cbor.name).toBe('cbor');
    expect(cbor.subprotocol).toBe('wamp.2.cbor');
    expect(cbor.rawSocketId).toBe(3);
    expect(cbor.binary).toBe(true);
  });

  describe('fixtures', () => testFixtures(cbor, (f) => f.cborHex));

  describe('integers', () => {
    it('encodes ids above 2^32 as 8-byte unsigned integers, never as floats', () => {
      const bytes = cbor.encode([MessageType.EVENT, 2 ** 53, 2 ** 40 + 7, {}]);
      expect(hex(bytes)).toBe('84 1824 1b0020000000000000 1b0000010000000007 a0'.replace(/ /g, ''));
    });

    it('encodes payload integers at and beyond 2^32 as integers', () => {
      expect(hex(cbor.encode([2 ** 32, -(2 ** 32) - 1, 1718000000000]))).toBe(
        '83' + '1b0000000100000000' + '3b0000000100000000' + '1b0000019000c79c00',
      );
    });

    it('encodes non-integral and out-of-range numbers as float64', () => {
      expect(hex(cbor.encode([0.5, 2 ** 53 + 2, Number.NaN]))).toBe(
        '83' + 'fb3fe0000000000000' + 'fb4340000000000001' + 'fb7ff8000000000000',
      );
    });

    it('encodes bigints within 2^53 exactly like numbers', () => {
      expect(cbor.encode([5n, 2n ** 53n, -(2n ** 40n)])).toEqual(cbor.encode([5, 2 ** 53, -(2 ** 40)]));
    });

    it('encodes bigints up to 64 bits as integers', () => {
      expect(hex(cbor.encode([2n ** 64n - 1n, -(2n ** 64n)]))).toBe('82' + '1bffffffffffffffff' + '3bffffffffffffffff');
    });

    it('refuses bigints wider than 64 bits', () => {
      expect(() => cbor.encode([2n ** 64n])).toThrow(RangeError);
      expect(() => cbor.encode([-(2n ** 64n) - 1n])).toThrow(RangeError);
    });

    it('decodes an 8-byte integer up to 2^53 as a number', () => {
      const value = cbor.decode(fromHex('82 1b0020000000000000 3b001fffffffffffff'));
      expect(value).toStrictEqual([2 ** 53, -(2 ** 53)]);
    });

    it('decodes an 8-byte integer beyond 2^53 as a bigint', () => {
      expect(cbor.decode(fromHex('83 1b0020000000000001 3b0020000000000000 1bffffffffffffffff'))).toStrictEqual([
        2n ** 53n + 1n,
        -(2n ** 53n) - 1n,
        2n ** 64n - 1n,
      ]);
    });

    it('decodes small values sent in the 8-byte form as numbers', () => {
      expect(cbor.decode(fromHex('82 1b0000000000000005 1b0000000100000000'))).toStrictEqual([5, 2 ** 32]);
    });

    it('keeps bigints beyond 2^53 exact next to narrowed ones, so parseMessage rejects the id', () => {
      const value = cbor.decode(fromHex('83 11 1b0020000000000001 1b0000000100000000'));
      expect(value).toStrictEqual([17, 2n ** 53n + 1n, 2 ** 32]);
      expect(() => parseMessage(value)).toThrow(ProtocolError);
    });

    it('accepts ids that cbor-x (Wampy) wrote as float64', () => {
      // cbor-x encodes [36, 5512315355, 4429313566, {}, ["x"]] with float64 ids.
      const bytes = fromHex('851824fb41f488f41db00000fb41f0801f61e00000b90000816178');
      expect(parseMessage(cbor.decode(bytes))).toStrictEqual([36, 5512315355, 4429313566, {}, ['x']]);
    });
  });

  describe('undefined, binary and other values', () => {
    it('decodes simple value 23 (undefined) so that parseMessage drops the option', () => {
      // cbor-x (Wampy) encoding of [32, 1, {match: undefined}, "com.myapp.topic"].
      const bytes = fromHex('84182001b90001656d61746368f76f636f6d2e6d796170702e746f706963');
      const value = cbor.decode(bytes) as unknown[];
      expect(value[2]).toStrictEqual({ match: undefined });
      expect(parseMessage(value)).toStrictEqual([32, 1, {}, 'com.myapp.topic']);
    });

    it('leaves out undefined and function dict entries and writes them as null in lists', () => {
      const bytes = cbor.encode([{ a: undefined, b: 1, c: () => 1 }, [undefined, Symbol('s')]]);
      expect(hex(bytes)).toBe('82' + 'a1616201' + '82f6f6');
    });

    it('encodes Uint8Array, Buffer and ArrayBuffer as byte strings', () => {
      const bytes = cbor.encode([Uint8Array.of(1, 2), Buffer.from([3]), Uint8Array.of(4, 5).buffer]);
      expect(hex(bytes)).toBe('83' + '420102' + '4103' + '420405');
    });

    it('decodes byte strings as plain Uint8Array copies of the input', () => {
      const input = Buffer.from(fromHex('81 43 010203'));
      const [bytes] = cbor.decode(input) as [Uint8Array];
      input.fill(0);
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      expect(bytes).toStrictEqual(Uint8Array.of(1, 2, 3));
    });

    it('writes what toJSON returns, as JSON does, and Maps as maps', () => {
      const date = new Date(Date.UTC(2024, 0, 2));
      expect(cbor.decode(cbor.encode([date, new Map([['k', 1]])]))).toStrictEqual([date.toJSON(), { k: 1 }]);
    });

    it('writes lone surrogates as U+FFFD, as TextEncoder does', () => {
      for (const s of ['a\ud800b', '\udc00', `${'é'.repeat(60)}\ud83d`]) {
        expect(cbor.decode(cbor.encode([s]))).toStrictEqual([new TextDecoder().decode(new TextEncoder().encode(s))]);
      }
    });

    it('decodes indefinite-length lists and maps from other encoders', () => {
      expect(cbor.decode(fromHex('9f 10 bf 6161 01 ff ff'))).toStrictEqual([16, { a: 1 }]);
    });

    it('refuses values nested deeper than 500 levels', () => {
      let deep: unknown = [];
      for (let i = 0; i < 600; i++) deep = [deep];
      expect(() => cbor.encode([deep])).toThrow(RangeError);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['empty input', ''],
      ['a truncated 4-byte integer', '8510 1a0e49c1'],
      ['a truncated text string', '8310 72 636f6d'],
      ['a lone break code', 'ff'],
      ['trailing bytes after the message', '8110 00'],
      ['an array claiming 2^32-1 elements', '9affffffff'],
    ])('throws on %s', (_name, bytes) => {
      expect(() => cbor.decode(fromHex(bytes))).toThrow(Error);
    });

    it('throws on a string instead of bytes', () => {
      expect(() => cbor.decode('[1]')).toThrow(TypeError);
    });
  });

  describe('output buffer', () => {
    it('never overwrites the bytes of an earlier message', () => {
      const first = cbor.encode([MessageType.PUBLISHED, 1, 2]);
      const copy = Uint8Array.from(first);
      for (let i = 0; i < 2000; i++) cbor.encode([MessageType.PUBLISH, i + 1, {}, 'a.b', ['x'.repeat(100)]]);
      expect(first).toStrictEqual(copy);
    });

    it('encodes a message larger than its pooled chunk', () => {
      cbor.encode(['x'.repeat(1000)]); // start mid-chunk, so the message has to move when it grows
      const payload = Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff);
      const message = [MessageType.EVENT, 1, 2, {}, [payload, 'é'.repeat(50_000)]];
      expect(cbor.decode(cbor.encode(message))).toStrictEqual(message);
    });
  });
});
