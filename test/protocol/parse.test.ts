import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.js';
import { MAX_ID } from '../../src/protocol/ids.js';
import { MessageType } from '../../src/protocol/message-type.js';
import { isDict, parseMessage, type ParseOptions } from '../../src/protocol/parse.js';
import { ALL_FIXTURES } from '../fixtures/messages/index.js';

const T = MessageType;

/** The ProtocolError parseMessage throws for `value` (fails the test if it throws nothing). */
function violation(value: unknown, options?: ParseOptions): ProtocolError {
  try {
    parseMessage(value, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).uri).toBe('wamp.error.protocol_violation');
    return error as ProtocolError;
  }
  throw new Error(`parseMessage accepted ${String(value)}`);
}

describe('parseMessage', () => {
  describe('valid messages', () => {
    it.each(ALL_FIXTURES.map((f) => [f.name, f.message] as const))('accepts %s unchanged', (_name, message) => {
      expect(parseMessage(structuredClone(message))).toStrictEqual(message);
    });

    it('normalises the given array in place and returns it', () => {
      const value = [T.PUBLISH, 1, {}, 'a.b', []];
      expect(parseMessage(value)).toBe(value);
      expect(value).toStrictEqual([T.PUBLISH, 1, {}, 'a.b']);
    });

    it('accepts ids from 1 to 2^53', () => {
      expect(parseMessage([T.PUBLISHED, 1, MAX_ID])).toStrictEqual([T.PUBLISHED, 1, 2 ** 53]);
    });

    it('accepts bigint ids and turns them into numbers', () => {
      expect(parseMessage([T.PUBLISHED, 5n, 2n ** 53n])).toStrictEqual([T.PUBLISHED, 5, 2 ** 53]);
    });

    it('accepts every request type in ERROR', () => {
      for (const type of [T.SUBSCRIBE, T.UNSUBSCRIBE, T.PUBLISH, T.REGISTER, T.UNREGISTER, T.CALL, T.INVOCATION]) {
        expect(parseMessage([T.ERROR, type, 1, {}, 'x.y'])).toStrictEqual([T.ERROR, type, 1, {}, 'x.y']);
      }
    });

    it('accepts the revocation forms of UNSUBSCRIBED and UNREGISTERED', () => {
      const unsubscribed = [T.UNSUBSCRIBED, 0, { subscription: 7, reason: 'wamp.authentication.lost' }];
      const unregistered = [T.UNREGISTERED, 0, { registration: 9 }];
      expect(parseMessage(structuredClone(unsubscribed))).toStrictEqual(unsubscribed);
      expect(parseMessage(structuredClone(unregistered))).toStrictEqual(unregistered);
    });

    it('accepts dicts with a null prototype', () => {
      const options = Object.create(null) as Record<string, unknown>;
      options.acknowledge = true;
      expect(parseMessage([T.SUBSCRIBE, 1, options, 'a.b'])[2]).toBe(options);
    });
  });

  describe('normalisation', () => {
    it('drops undefined dict values (msgpack ext 0, CBOR simple 23)', () => {
      expect(parseMessage([T.SUBSCRIBE, 1, { match: undefined, get_retained: true }, 'a.b'])).toStrictEqual([
        T.SUBSCRIBE,
        1,
        { get_retained: true },
        'a.b',
      ]);
      expect(parseMessage([T.UNSUBSCRIBED, 0, { subscription: 3, reason: undefined }])).toStrictEqual([
        T.UNSUBSCRIBED,
        0,
        { subscription: 3 },
      ]);
    });

    it('keeps null dict values', () => {
      expect(parseMessage([T.HELLO, 'realm1', { authid: null }])).toStrictEqual([T.HELLO, 'realm1', { authid: null }]);
    });

    it.each([
      ['null Arguments', [T.PUBLISH, 1, {}, 'a.b', null], [T.PUBLISH, 1, {}, 'a.b']],
      ['empty Arguments', [T.PUBLISH, 1, {}, 'a.b', []], [T.PUBLISH, 1, {}, 'a.b']],
      ['null Arguments and null ArgumentsKw', [T.RESULT, 1, {}, null, null], [T.RESULT, 1, {}]],
      ['empty Arguments and empty ArgumentsKw', [T.YIELD, 1, {}, [], {}], [T.YIELD, 1, {}]],
      ['null ArgumentsKw after Arguments', [T.CALL, 1, {}, 'a.b', [1], null], [T.CALL, 1, {}, 'a.b', [1]]],
      ['empty ArgumentsKw after Arguments', [T.EVENT, 1, 2, {}, [1], {}], [T.EVENT, 1, 2, {}, [1]]],
      ['null Arguments before ArgumentsKw', [T.ERROR, T.CALL, 1, {}, 'e', null, { k: 1 }], [T.ERROR, T.CALL, 1, {}, 'e', [], { k: 1 }]],
      ['empty Arguments before ArgumentsKw', [T.ABORT, {}, 'r', [], { k: 1 }], [T.ABORT, {}, 'r', [], { k: 1 }]],
    ])('drops or fills %s', (_name, input, output) => {
      expect(parseMessage(input)).toStrictEqual(output);
    });
  });

  describe('protocol violations', () => {
    it.each([
      ['an object', { 0: 16 }],
      ['a string', '[16]'],
      ['null', null],
      ['undefined', undefined],
      ['a number', 16],
      ['a Map', new Map([[0, 16]])],
      ['an empty list', []],
    ])('rejects %s as a message', (_name, value) => {
      expect(violation(value).message).toMatch(/non-empty list/);
    });

    it.each([
      ['7', [7, {}]],
      ['99', [99, 1]],
      ['a string code', ['16', 1, {}, 'a.b']],
      ['a fractional code', [16.5, 1, {}, 'a.b']],
      ['a bigint code', [2n ** 60n, 1]],
      ['null', [null, 1]],
    ])('rejects the unknown message type %s', (_name, value) => {
      expect(violation(value).message).toMatch(/unknown message type/);
    });

    it.each([
      ['HELLO without Details', [T.HELLO, 'realm1']],
      ['HELLO with an extra element', [T.HELLO, 'realm1', {}, []]],
      ['PUBLISHED without Publication', [T.PUBLISHED, 1]],
      ['SUBSCRIBE with a payload', [T.SUBSCRIBE, 1, {}, 'a.b', []]],
      ['PUBLISH with three payload elements', [T.PUBLISH, 1, {}, 'a.b', [], {}, []]],
      ['ERROR without Error', [T.ERROR, T.CALL, 1, {}]],
      ['UNSUBSCRIBED with Details but a non-zero Request', [T.UNSUBSCRIBED, 5, {}]],
      ['UNREGISTERED with four elements', [T.UNREGISTERED, 0, {}, {}]],
    ])('rejects %s (wrong arity)', (_name, value) => {
      expect(violation(value).message).toMatch(/must have \d+( to \d+)? elements, got \d+/);
    });

    it.each([
      ['0', 0],
      ['-1', -1],
      ['1.5', 1.5],
      ['2^53 + 2', 2 ** 53 + 2],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['the string "12"', '12'],
      ['null', null],
      ['true', true],
      ['0n', 0n],
      ['2n^53 + 1n', 2n ** 53n + 1n],
    ])('rejects the id %s', (_name, bad) => {
      expect(violation([T.SUBSCRIBED, 1, bad]).message).toMatch(/SUBSCRIBED\.Subscription must be an integer id/);
      expect(violation([T.CALL, bad, {}, 'a.b']).message).toMatch(/CALL\.Request must be an integer id/);
    });

    it.each([
      ['a list', []],
      ['null', null],
      ['a string', '{}'],
      ['a number', 1],
      ['a Map', new Map()],
      ['a byte string', Uint8Array.of(1)],
      ['a typed array', new Float32Array(1)],
    ])('rejects %s as Options', (_name, bad) => {
      expect(violation([T.PUBLISH, 1, bad, 'a.b']).message).toMatch(/PUBLISH\.Options must be a dict/);
    });

    it('rejects a Map as revocation Details', () => {
      expect(violation([T.UNREGISTERED, 0, new Map()]).message).toMatch(/UNREGISTERED\.Details must be a dict/);
    });

    it.each([
      ['HELLO', T.HELLO],
      ['PUBLISHED', T.PUBLISHED],
      ['ERROR', T.ERROR],
      ['the string "48"', '48'],
      ['48.5', 48.5],
    ])('rejects %s as the request type of an ERROR', (_name, type) => {
      expect(violation([T.ERROR, type, 1, {}, 'e']).message).toMatch(/ERROR\.REQUEST\.Type must be the type of a request/);
    });

    it.each([
      ['a dict', {}],
      ['a string', 'x'],
      ['a number', 1],
      ['a byte string', Uint8Array.of(1)],
    ])('rejects %s as Arguments', (_name, bad) => {
      expect(violation([T.PUBLISH, 1, {}, 'a.b', bad]).message).toMatch(/PUBLISH\.Arguments must be a list/);
    });

    it.each([
      ['a list', []],
      ['a string', 'x'],
      ['a Map', new Map()],
    ])('rejects %s as ArgumentsKw', (_name, bad) => {
      expect(violation([T.YIELD, 1, {}, [], bad]).message).toMatch(/YIELD\.ArgumentsKw must be a dict/);
    });

    it('rejects a URI that is not a string', () => {
      expect(violation([T.CALL, 1, {}, 42]).message).toMatch(/CALL\.Procedure must be a URI string/);
      expect(violation([T.GOODBYE, {}, null]).message).toMatch(/GOODBYE\.Reason must be a URI string/);
    });

    it('rejects a CHALLENGE whose AuthMethod is not a string', () => {
      expect(violation([T.CHALLENGE, 1, {}]).message).toMatch(/CHALLENGE\.AuthMethod must be a string/);
    });

    it('carries the reason as the first argument of the error', () => {
      const error = violation([T.PUBLISHED, 1, 0]);
      expect(error.args).toStrictEqual([error.message]);
      expect(error.code).toBe('wamp.error.protocol_violation');
    });
  });

  describe('lenientIds', () => {
    it('accepts ids sent as decimal strings, as fox-wamp sends them', () => {
      expect(parseMessage([T.WELCOME, '12345', {}], { lenientIds: true })).toStrictEqual([T.WELCOME, 12345, {}]);
      expect(parseMessage([T.SUBSCRIBED, 1, '9007199254740992'], { lenientIds: true })).toStrictEqual([
        T.SUBSCRIBED,
        1,
        2 ** 53,
      ]);
    });

    it('still rejects strings that are not ids', () => {
      for (const bad of ['0', '-1', '012', '1.5', ' 1', '1e3', '9007199254740993', '']) {
        violation([T.WELCOME, bad, {}], { lenientIds: true });
      }
    });

    it('is off by default', () => {
      violation([T.WELCOME, '12345', {}]);
    });
  });
});

describe('isDict', () => {
  it('accepts plain objects and rejects lists, Maps and byte strings', () => {
    expect(isDict({})).toBe(true);
    expect(isDict(Object.create(null))).toBe(true);
    for (const v of [[], new Map(), Uint8Array.of(1), new ArrayBuffer(1), null, 'x', 1, undefined]) {
      expect(isDict(v)).toBe(false);
    }
  });
});
