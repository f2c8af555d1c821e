import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/protocol/serializers/byte-writer.js';

/** Writes `s` the way the encoders do: a one-byte gap, then the UTF-8 bytes. */
function utf8Of(w: ByteWriter, s: string): Uint8Array {
  w.begin();
  w.reserve(1 + 3 * s.length);
  const n = w.utf8After(1, s);
  w.u8(0);
  w.skip(n);
  return w.finish().subarray(1);
}

describe('ByteWriter', () => {
  it('writes big-endian fields after a type byte', () => {
    const w = new ByteWriter();
    w.begin();
    w.u8(1);
    w.u8u8(2, 0xab);
    w.u8u16(3, 0x1234);
    w.u8u32(4, 0xdeadbeef);
    w.u8u64(5, 2 ** 53);
    w.u8big64(6, 2n ** 64n - 1n);
    w.u8f64(7, 1.5);
    w.bytes(Uint8Array.of(9, 9));
    expect(Buffer.from(w.finish()).toString('hex')).toBe(
      '01' + '02ab' + '031234' + '04deadbeef' + '050020000000000000' + '06ffffffffffffffff' + '073ff8000000000000' + '0909',
    );
  });

  it('encodes any string as TextEncoder does, short or long', () => {
    const w = new ByteWriter();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })), (s) => {
        expect(utf8Of(w, s)).toStrictEqual(new TextEncoder().encode(s));
      }),
    );
  });

  it('moves string bytes left when the header is shorter than the gap', () => {
    const w = new ByteWriter();
    w.begin();
    w.reserve(3 + 6);
    const n = w.utf8After(3, 'ab');
    w.closeGap(3, 1, n);
    w.u8(0xa0 | n);
    w.skip(n);
    expect(Array.from(w.finish())).toStrictEqual([0xa2, 0x61, 0x62]);
  });

  it('hands out messages that later messages never overwrite', () => {
    const w = new ByteWriter();
    const kept: [Uint8Array, number][] = [];
    for (let i = 0; i < 5000; i++) {
      w.begin();
      for (let j = 0; j < 40; j++) w.u8(i & 0xff);
      kept.push([w.finish(), i & 0xff]);
    }
    for (const [bytes, value] of kept) expect(bytes.every((b) => b === value)).toBe(true);
  });

  it('discards a message abandoned without finish', () => {
    const w = new ByteWriter();
    w.begin();
    w.u8(1);
    w.u8(2);
    w.begin();
    w.u8(3);
    expect(Array.from(w.finish())).toStrictEqual([3]);
  });

  it('keeps the start of a message when it grows past its chunk', () => {
    const w = new ByteWriter();
    w.begin();
    w.bytes(new Uint8Array(60_000));
    w.finish();
    w.begin();
    w.u8(0x42);
    w.bytes(new Uint8Array(10_000).fill(7));
    const out = w.finish();
    expect(out.length).toBe(10_001);
    expect(out[0]).toBe(0x42);
    expect(out.subarray(1).every((b) => b === 7)).toBe(true);
  });
});
