import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/protocol/parse.js';
import type { Serializer } from '../../../src/protocol/serializers/serializer.js';
import { ALL_FIXTURES, type MessageFixture } from '../../fixtures/messages/index.js';

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Three tests per fixture, as mqtt-packet's testParseGenerate: parse (wire bytes → decode →
 * parseMessage equals the message), encode (the message encodes to exactly the wire bytes) and
 * mirror (encode → decode → parseMessage gives the message back).
 */
export function testFixtures(serializer: Serializer, wireHex: (f: MessageFixture) => string): void {
  describe.each(ALL_FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    it('parses the wire bytes into the message', () => {
      expect(parseMessage(serializer.decode(fromHex(wireHex(fixture))))).toStrictEqual(fixture.message);
    });

    it('encodes the message into exactly the wire bytes', () => {
      expect(hex(serializer.encode(fixture.message))).toBe(wireHex(fixture));
    });

    it('round-trips the message unchanged', () => {
      const bytes = serializer.encode(fixture.message);
      expect(parseMessage(serializer.decode(bytes))).toStrictEqual(fixture.message);
    });

    it('rejects every truncation of the wire bytes', () => {
      const bytes = fromHex(wireHex(fixture));
      for (let end = 0; end < bytes.length; end++) {
        expect(() => serializer.decode(bytes.subarray(0, end)), `first ${end} bytes`).toThrow(Error);
      }
    });
  });
}
