import { describe, expect, it } from 'vitest';
import { payloadMapping } from '../../src/mqtt/payload.js';

const bytes = (text: string) => Buffer.from(text);

describe('payload mapping', () => {
  const json = payloadMapping('json');
  const raw = payloadMapping('raw');

  it('json: an object becomes kwargs, any other JSON value one arg', () => {
    expect(json.toWamp(bytes('{"temp": 21.5, "unit": "C"}'))).toEqual({ kwargs: { temp: 21.5, unit: 'C' } });
    expect(json.toWamp(bytes('21.5'))).toEqual({ args: [21.5] });
    expect(json.toWamp(bytes('[1,2]'))).toEqual({ args: [[1, 2]] });
    expect(json.toWamp(bytes('true'))).toEqual({ args: [true] });
    expect(json.toWamp(bytes('null'))).toEqual({ args: [null] });
    expect(json.toWamp(bytes('"quoted"'))).toEqual({ args: ['quoted'] });
  });

  it('json: text that is not JSON becomes one string arg, bytes that are not UTF-8 one binary arg', () => {
    expect(json.toWamp(bytes('ON'))).toEqual({ args: ['ON'] });
    expect(json.toWamp(bytes('nothing to see'))).toEqual({ args: ['nothing to see'] });
    expect(json.toWamp(bytes('{broken'))).toEqual({ args: ['{broken'] });
    const binary = json.toWamp(Buffer.from([0xff, 0xfe, 0x00]));
    expect(binary.args?.[0]).toBeInstanceOf(Uint8Array);
    expect([...(binary.args![0] as Uint8Array)]).toEqual([0xff, 0xfe, 0x00]);
  });

  it('raw: the bytes in one binary arg; both modes: an empty payload is no argument', () => {
    const mapped = raw.toWamp(bytes('{"a":1}'));
    expect(Buffer.from(mapped.args![0] as Uint8Array).toString()).toBe('{"a":1}');
    expect(raw.toWamp(Buffer.alloc(0))).toEqual({});
    expect(json.toWamp(Buffer.alloc(0))).toEqual({});
  });

  it('WAMP → MQTT: one arg as its JSON (a string as its text, bytes as they are), kwargs as JSON, else args and kwargs', () => {
    const out = (args?: unknown[], kwargs?: Record<string, unknown>) => {
      const body = json.fromWamp(args, kwargs);
      return typeof body === 'string' ? body : Buffer.from(body!).toString();
    };
    expect(out([21.5])).toBe('21.5');
    expect(out([{ a: 1 }])).toBe('{"a":1}');
    expect(out(['ON'])).toBe('ON');
    expect(out([new Uint8Array([104, 105])])).toBe('hi');
    expect(out([], { temp: 21 })).toBe('{"temp":21}');
    expect(out(undefined, undefined)).toBe('');
    expect(out([1, 2])).toBe('{"args":[1,2],"kwargs":{}}');
    expect(out([1], { k: true })).toBe('{"args":[1],"kwargs":{"k":true}}');
    expect(json.fromWamp([10n], undefined)).toBeUndefined();
  });

  it('an MQTT payload makes the round trip through WAMP unchanged', () => {
    for (const text of ['{"temp":21.5}', '21.5', 'ON', '[1,2]', '']) {
      const mapped = json.toWamp(bytes(text));
      const back = json.fromWamp(mapped.args, mapped.kwargs)!;
      expect(typeof back === 'string' ? back : Buffer.from(back).toString()).toBe(text);
    }
    const mapped = raw.toWamp(Buffer.from([1, 2, 3]));
    expect([...(raw.fromWamp(mapped.args, mapped.kwargs) as Uint8Array)]).toEqual([1, 2, 3]);
  });
});
