import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../src/protocol/serializers/base64.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('base64', () => {
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as the RFC 4648 test vector %j and back', (plain, encoded) => {
    expect(toBase64(ascii(plain))).toBe(encoded);
    expect(fromBase64(encoded)).toStrictEqual(ascii(plain));
  });

  it('agrees with Node for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = toBase64(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(encoded)).toStrictEqual(bytes);
      }),
    );
  });

  it('encodes inputs longer than one slice', () => {
    const bytes = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('decodes from an offset, skipping the NUL of a JSON binary string', () => {
    expect(fromBase64('\u0000Zm9v', 1)).toStrictEqual(ascii('foo'));
  });

  it('accepts missing padding', () => {
    expect(fromBase64('Zg')).toStrictEqual(ascii('f'));
    expect(fromBase64('Zm8')).toStrictEqual(ascii('fo'));
  });

  it.each([['Zm9v!'], ['Zm 9v'], ['Z'], ['Zm9vY'], ['Zg=a'], ['Z==='], ['Zm9vé']])('rejects %j', (text) => {
    expect(() => fromBase64(text)).toThrow(SyntaxError);
  });
});
