import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import { parseMessage } from '../../../src/protocol/parse.js';
import { msgpackSerializer as msgpack } from '../../../src/protocol/serializers/msgpack.js';
import { fromHex, hex, testFixtures } from './fixture-tests.js';

describe('msgpack serializer', () => {
  it('describes itself as wamp.2.msgpack, RawSocket serializer 2, binary', () => {
    expect(msgpack.name).toBe('msgpack');
    expect(msgpack.subprotocol).toBe('wamp.2.msgpack');
    expect(msgpack.rawSocketId).toBe(2);
    expect(msgpack.binary).toBe(true);
  });

  describe('fixtures', () => testFixtures(msgpack, (f) => f.msgpackHex));

  describe('integers', () => {
    it('encodes ids above 2^32 as uint64, never as floats', () => {
      const bytes = msgpack.encode([MessageType.EVENT, 2 ** 53, 2 ** 40 + 7, {}]);
      expect(hex(bytes)).toBe('94' + '24' + 'cf0020000000000000' + 'cf0000010000000007' + '80');
    });

    it('encodes payload integers at and beyond 2^32 as integers', () => {
      expect(hex(msgpack.encode([2 ** 32, -(2 ** 32) - 1, 1718000000000]))).toBe(
        '93' + 'cf0000000100000000' + 'd3fffffffeffffffff' + 'cf0000019000c79c00',
      );
    });

    it('encodes non-integral and out-of-range numbers as float64', () => {
      expect(hex(msgpack.encode([0.5, 2 ** 53 + 2]))).toBe('92' + 'cb3fe0000000000000' + 'cb4340000000000001');
    });

    it('encodes bigints within 2^53 exactly like numbers', () => {
      expect(msgpack.encode([5n, 2n ** 53n, -(2n ** 40n)])).toEqual(msgpack.encode([5, 2 ** 53, -(2 ** 40)]));
    });

    it('encodes bigints up to 64 bits as uint64 or int64', () => {
      expect(hex(msgpack.encode([2n ** 64n - 1n, -(2n ** 63n)]))).toBe('92' + 'cfffffffffffffffff' + 'd38000000000000000');
    });

    it('refuses bigints wider than 64 bits', () => {
      expect(() => msgpack.encode([2n ** 64n])).toThrow(RangeError);
      expect(() => msgpack.encode([-(2n ** 63n) - 1n])).toThrow(RangeError);
    });

    it('decodes a 64-bit integer up to 2^53 as a number', () => {
      const value = msgpack.decode(fromHex('93 cf0020000000000000 d3ffe0000000000000 cf0000000000000005'));
      expect(value).toStrictEqual([2 ** 53, -(2 ** 53), 5]);
    });

    it('decodes a 64-bit integer beyond 2^53 as a bigint', () => {
      expect(msgpack.decode(fromHex('93 cf0020000000000001 d3ffdfffffffffffff cfffffffffffffffff'))).toStrictEqual([
        2n ** 53n + 1n,
        -(2n ** 53n) - 1n,
        2n ** 64n - 1n,
      ]);
    });

    it('keeps bigints beyond 2^53 exact next to small ones, so parseMessage rejects the id', () => {
      const value = msgpack.decode(fromHex('93 11 cf0020000000000001 cf0000000100000000'));
      expect(value).toStrictEqual([17, 2n ** 53n + 1n, 2 ** 32]);
      expect(() => parseMessage(value)).toThrow(ProtocolError);
    });

    it('accepts ids that msgpackr (Wampy) wrote as float64', () => {
      // msgpackr encodes [36, 5512315355, 4429313566, {}, ["x"]] with float64 ids and a map16 header.
      const bytes = fromHex('9524cb41f488f41db00000cb41f0801f61e00000de000091a178');
      expect(parseMessage(msgpack.decode(bytes))).toStrictEqual([36, 5512315355, 4429313566, {}, ['x']]);
    });
  });

  describe('undefined, binary and other values', () => {
    it('decodes ext type 0 (d4 00 00) as undefined so that parseMessage drops the option', () => {
      // What Wampy (msgpackr) sends for SUBSCRIBE [32, 1, {match: undefined}, "com.myapp.topic"].
      const bytes = fromHex('942001de0001a56d61746368d40000af636f6d2e6d796170702e746f706963');
      const value = msgpack.decode(bytes) as unknown[];
      expect(value[2]).toStrictEqual({ match: undefined });
      expect(parseMessage(value)).toStrictEqual([32, 1, {}, 'com.myapp.topic']);
    });

    it('decodes ext type 0 in a list as undefined', () => {
      // msgpackr encoding of [48, 1, {}, "a", [undefined, 1]].
      expect(msgpack.decode(fromHex('953001de0000a16192d4000001'))).toStrictEqual([48, 1, {}, 'a', [undefined, 1]]);
    });

    it('leaves out undefined and function dict entries and writes them as nil in lists', () => {
      const bytes = msgpack.encode([{ a: undefined, b: 1, c: () => 1 }, [undefined, Symbol('s')]]);
      expect(hex(bytes)).toBe('92' + '81a16201' + '92c0c0');
    });

    it('encodes strings as str and Uint8Array, Buffer and ArrayBuffer as bin', () => {
      const bytes = msgpack.encode(['ab', Uint8Array.of(1, 2), Buffer.from([3]), Uint8Array.of(4, 5).buffer]);
      expect(hex(bytes)).toBe('94' + 'a26162' + 'c4020102' + 'c40103' + 'c4020405');
    });

    it('decodes bin as plain Uint8Array copies of the input', () => {
      const input = Buffer.from(fromHex('91 c403 010203'));
      const [bytes] = msgpack.decode(input) as [Uint8Array];
      input.fill(0);
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      expect(bytes).toStrictEqual(Uint8Array.of(1, 2, 3));
    });

    it('writes what toJSON returns, as JSON does, and Maps as maps', () => {
      const date = new Date(Date.UTC(2024, 0, 2));
      expect(msgpack.decode(msgpack.encode([date, new Map([['k', 1]])]))).toStrictEqual([date.toJSON(), { k: 1 }]);
    });

    it('writes lone surrogates as U+FFFD, as TextEncoder does', () => {
      for (const s of ['a\ud800b', '\udc00', `${'é'.repeat(60)}\ud83d`]) {
        expect(msgpack.decode(msgpack.encode([s]))).toStrictEqual([new TextDecoder().decode(new TextEncoder().encode(s))]);
      }
    });

    it('refuses values nested deeper than 500 levels', () => {
      let deep: unknown = [];
      for (let i = 0; i < 600; i++) deep = [deep];
      expect(() => msgpack.encode([deep])).toThrow(RangeError);
    });
  });

  describe('malformed input', () => {
    it.each([
      ['empty input', ''],
      ['a truncated uint32', '9510 ce0e49c1'],
      ['a truncated str', '9310 b2 636f6d'],
      ['trailing bytes after the message', '9110 00'],
      ['an array claiming 2^32-1 elements', 'ddffffffff'],
      ['the never-used type byte 0xc1', 'c1'],
      ['0xc1 inside a dict', '9210 81a161c1'],
      ['an unknown extension type', '91 d40500'],
    ])('throws on %s', (_name, bytes) => {
      expect(() => msgpack.decode(fromHex(bytes))).toThrow(Error);
    });

    it('does not mistake a 0xc1 byte inside a value for the type byte', () => {
      expect(msgpack.decode(fromHex('92 c401c1 cdc1c1'))).toStrictEqual([Uint8Array.of(0xc1), 0xc1c1]);
    });

    it('throws on a string instead of bytes', () => {
      expect(() => msgpack.decode('[1]')).toThrow(TypeError);
    });
  });

  describe('output buffer', () => {
    it('never overwrites the bytes of an earlier message', () => {
      const first = msgpack.encode([MessageType.PUBLISHED, 1, 2]);
      const copy = Uint8Array.from(first);
      for (let i = 0; i < 2000; i++) msgpack.encode([MessageType.PUBLISH, i + 1, {}, 'a.b', ['x'.repeat(100)]]);
      expect(first).toStrictEqual(copy);
    });

    it('encodes a message larger than its pooled chunk', () => {
      msgpack.encode(['x'.repeat(1000)]);
      const payload = Uint8Array.from({ length: 200_000 }, (_, i) => i & 0xff);
      const message = [MessageType.EVENT, 1, 2, {}, [payload, 'é'.repeat(50_000)]];
      expect(msgpack.decode(msgpack.encode(message))).toStrictEqual(message);
    });
  });
});
