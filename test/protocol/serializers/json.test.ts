import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageType } from '../../../src/protocol/message-type.js';
import { parseMessage } from '../../../src/protocol/parse.js';
import { encodeText, jsonSerializer as json } from '../../../src/protocol/serializers/json.js';
import { hex, testFixtures } from './fixture-tests.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('json serializer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('describes itself as wamp.2.json, RawSocket serializer 1, text', () => {
    expect(json.name).toBe('json');
    expect(json.subprotocol).toBe('wamp.2.json');
    expect(json.rawSocketId).toBe(1);
    expect(json.binary).toBe(false);
  });

  describe('fixtures', () => testFixtures(json, (f) => hex(utf8(f.json))));

  it('decodes the same message from a string and from UTF-8 bytes', () => {
    const wire = '[16,1,{},"com.myapp.chat",["héllo 😀"]]';
    expect(json.decode(wire)).toStrictEqual(json.decode(utf8(wire)));
    expect(json.decode(wire)).toStrictEqual([16, 1, {}, 'com.myapp.chat', ['héllo 😀']]);
  });

  it('gives the text of a message with encodeText', () => {
    expect(encodeText([MessageType.PUBLISHED, 1, 2 ** 53])).toBe('[17,1,9007199254740992]');
  });

  describe('binary values', () => {
    it('encodes Uint8Array, Buffer and ArrayBuffer as "\\u0000" + base64', () => {
      const bytes = json.encode([Uint8Array.of(1, 2, 3), Buffer.from('hi'), Uint8Array.of(255).buffer, new Uint8Array(0)]);
      expect(text(bytes)).toBe('["\\u0000AQID","\\u0000aGk=","\\u0000/w==","\\u0000"]');
    });

    it('encodes binary nested in ArgumentsKw', () => {
      const message = [MessageType.EVENT, 1, 2, {}, [], { frame: { data: Uint8Array.of(0xde, 0xad) } }];
      expect(text(json.encode(message))).toBe('[36,1,2,{},[],{"frame":{"data":"\\u00003q0="}}]');
    });

    it('decodes "\\u0000"-prefixed strings as Uint8Array', () => {
      const value = json.decode('[36,1,2,{},["\\u0000AQID","\\u0000",{"k":["\\u0000/w=="]}]]');
      expect(value).toStrictEqual([36, 1, 2, {}, [Uint8Array.of(1, 2, 3), new Uint8Array(0), { k: [Uint8Array.of(255)] }]]);
    });

    it('accepts base64 without padding', () => {
      expect(json.decode('["\\u0000aGk"]')).toStrictEqual([Uint8Array.of(0x68, 0x69)]);
    });

    it('throws on a "\\u0000"-prefixed string that is not base64', () => {
      expect(() => json.decode('["\\u0000not base64!"]')).toThrow(Error);
      expect(() => json.decode('["\\u0000A"]')).toThrow(Error);
    });

    it('leaves a string with an escaped backslash before "u0000" alone', () => {
      expect(json.decode('["\\\\u0000abc"]')).toStrictEqual(['\\u0000abc']);
    });
  });

  describe('fast path', () => {
    it('calls JSON.stringify without a replacer when the message holds no binary', () => {
      const spy = vi.spyOn(JSON, 'stringify');
      json.encode([MessageType.PUBLISH, 1, { acknowledge: true }, 'a.b', [1, 'x', { y: [null] }], { z: 2 }]);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]).toHaveLength(1);
    });

    it('calls JSON.parse without a reviver when the text holds no NUL escape', () => {
      const spy = vi.spyOn(JSON, 'parse');
      json.decode('[16,1,{},"a.b",["x"]]');
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]).toHaveLength(1);
    });
  });

  describe('numbers', () => {
    it('writes ids up to 2^53 as integer literals', () => {
      expect(text(json.encode([MessageType.EVENT, 2 ** 53, 2 ** 40 + 7, {}]))).toBe('[36,9007199254740992,1099511627783,{}]');
    });

    it('writes bigints as numbers', () => {
      expect(text(json.encode([MessageType.PUBLISHED, 5n, 2n ** 53n]))).toBe('[17,5,9007199254740992]');
    });

    it('leaves out undefined dict entries and writes undefined list elements as null', () => {
      expect(text(json.encode([{ a: undefined, b: 1 }, [undefined]]))).toBe('[{"b":1},[null]]');
    });
  });

  describe('malformed input', () => {
    it.each([
      ['empty text', ''],
      ['a truncated list', '[16,1,{},"a.b"'],
      ['a trailing comma', '[17,1,2,]'],
      ['a raw NUL in a string', '["\u0000AQID"]'],
      ['trailing garbage', '[17,1,2] x'],
    ])('throws on %s', (_name, wire) => {
      expect(() => json.decode(wire)).toThrow(Error);
      expect(() => json.decode(utf8(wire))).toThrow(Error);
    });

    it('throws on bytes that are not UTF-8', () => {
      expect(() => json.decode(Uint8Array.of(0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d))).toThrow(TypeError);
    });
  });

  describe('encoded octets', () => {
    it('keeps every encoded message intact while later ones are encoded', () => {
      // Enough messages to fill several of the encoder's shared chunks.
      const messages = Array.from({ length: 5000 }, (_, i) => [MessageType.EVENT, i, i * 7, {}, [`é${'x'.repeat(i % 90)}😀`]]);
      const encoded = messages.map((m) => json.encode(m));
      expect(encoded.map((bytes) => json.decode(bytes))).toStrictEqual(messages);
      expect(text(encoded[0]!)).toBe('[36,0,0,{},["é😀"]]');
    });

    it('encodes a message larger than the shared chunk', () => {
      const message = [MessageType.EVENT, 1, 2, {}, ['ü'.repeat(100_000)]];
      const bytes = json.encode(message);
      expect(bytes.length).toBe(new TextEncoder().encode(JSON.stringify(message)).length);
      expect(json.decode(bytes)).toStrictEqual(message);
    });
  });

  it('round-trips a message with binary through parseMessage', () => {
    const message = [MessageType.YIELD, 3, {}, [Uint8Array.of(0xde, 0xad, 0xbe, 0xef)]];
    expect(parseMessage(json.decode(json.encode(message)))).toStrictEqual(message);
  });
});
