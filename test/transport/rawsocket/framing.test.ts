import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawSocketError } from '../../../src/transport/rawsocket/errors.js';
import {
  encodeFrame,
  FrameDecoder,
  FrameType,
  MAX_FRAME_PAYLOAD,
  type FrameSink,
} from '../../../src/transport/rawsocket/framing.js';

class Collect implements FrameSink {
  frames: [FrameType, string][] = [];
  errors: RawSocketError[] = [];
  onFrame(type: FrameType, payload: Buffer): void {
    this.frames.push([type, payload.toString('hex')]);
  }
  onFrameError(error: RawSocketError): void {
    this.errors.push(error);
  }
}

const hex = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');

describe('rawsocket framing', () => {
  it('encodes the type and a 24-bit big-endian length before the payload', () => {
    expect(encodeFrame(FrameType.WAMP, hex('aabbcc')).toString('hex')).toBe('00000003aabbcc');
    expect(encodeFrame(FrameType.PING, hex('')).toString('hex')).toBe('01000000');
    expect(encodeFrame(FrameType.PONG, Buffer.alloc(0x012345)).subarray(0, 4).toString('hex')).toBe('02012345');
  });

  it('refuses to encode a payload that needs the X bit', () => {
    expect(() => encodeFrame(FrameType.WAMP, Buffer.alloc(MAX_FRAME_PAYLOAD + 1))).toThrow(RangeError);
  });

  it('decodes several frames from one chunk, including empty ones', () => {
    const sink = new Collect();
    const decoder = new FrameDecoder(sink, 1024);
    decoder.push(hex('00000002 abcd 01000000 02000001 ff'));
    expect(sink.frames).toEqual([
      [FrameType.WAMP, 'abcd'],
      [FrameType.PING, ''],
      [FrameType.PONG, 'ff'],
    ]);
    expect(decoder.buffered).toBe(0);
  });

  it('reassembles a frame whose header and payload arrive byte by byte', () => {
    const sink = new Collect();
    const decoder = new FrameDecoder(sink, 1024);
    for (const byte of hex('00000004 01020304')) decoder.push(Buffer.from([byte]));
    expect(sink.frames).toEqual([[FrameType.WAMP, '01020304']]);
  });

  it('reassembles any split of a stream of frames into the same frames', () => {
    const frame = fc.record({
      type: fc.constantFrom(FrameType.WAMP, FrameType.PING, FrameType.PONG),
      payload: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 20 }), fc.array(fc.nat(400), { maxLength: 30 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.payload)));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const sink = new Collect();
        const decoder = new FrameDecoder(sink, 300);
        let last = 0;
        for (const point of [...points, stream.length]) {
          decoder.push(stream.subarray(last, point));
          last = point;
        }
        expect(sink.errors).toEqual([]);
        expect(sink.frames).toEqual(frames.map((f) => [f.type, Buffer.from(f.payload).toString('hex')]));
        expect(decoder.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a payload inside one chunk as a view of it, without copying', () => {
    const chunk = hex('00000003 aabbcc');
    let payload: Buffer | undefined;
    const decoder = new FrameDecoder({ onFrame: (_t, p) => (payload = p), onFrameError: () => {} }, 1024);
    decoder.push(chunk);
    expect(payload?.buffer).toBe(chunk.buffer);
  });

  it('fails a frame longer than the announced limit as soon as its header arrives', () => {
    const sink = new Collect();
    const decoder = new FrameDecoder(sink, 512);
    decoder.push(hex('00000201'));
    expect(sink.errors.map((e) => e.code)).toEqual(['RAWSOCKET_FRAME_TOO_LARGE']);
    decoder.push(hex('00000001 aa'));
    expect(sink.frames).toEqual([]);
  });

  it('accepts a frame of exactly the announced limit', () => {
    const sink = new Collect();
    new FrameDecoder(sink, 512).push(encodeFrame(FrameType.WAMP, Buffer.alloc(512)));
    expect(sink.frames).toHaveLength(1);
  });

  it.each([
    ['10000000', 'RAWSOCKET_RESERVED_BITS'],
    ['80000000', 'RAWSOCKET_RESERVED_BITS'],
    ['03000000', 'RAWSOCKET_RESERVED_FRAME_TYPE'],
    ['07000000', 'RAWSOCKET_RESERVED_FRAME_TYPE'],
    ['08000001', 'RAWSOCKET_RESERVED_BITS'],
  ])('fails on header %s with %s', (header, code) => {
    const sink = new Collect();
    new FrameDecoder(sink, 2 ** 24).push(hex(header));
    expect(sink.errors.map((e) => e.code)).toEqual([code]);
  });

  it('reads the X bit as a length of exactly 2^24', () => {
    const sink = new Collect();
    new FrameDecoder(sink, 2 ** 24 - 1).push(hex('08000000'));
    expect(sink.errors[0]?.message).toMatch(/16777216 octets exceeds/);
  });

  it('ignores input after stop()', () => {
    const sink = new Collect();
    const decoder = new FrameDecoder(sink, 1024);
    decoder.push(hex('000000'));
    decoder.stop();
    decoder.push(hex('01 ff'));
    expect(sink.frames).toEqual([]);
    expect(decoder.buffered).toBe(0);
  });
});
