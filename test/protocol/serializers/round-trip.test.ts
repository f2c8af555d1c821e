import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { MAX_ID } from '../../../src/protocol/ids.js';
import { ERROR_REQUEST_TYPES, MessageType } from '../../../src/protocol/message-type.js';
import { parseMessage } from '../../../src/protocol/parse.js';
import { ALL_SERIALIZERS } from '../../../src/protocol/serializers/index.js';
import type { Serializer } from '../../../src/protocol/serializers/serializer.js';

/**
 * Property-based round trips: any valid message survives encode → decode → parseMessage
 * unchanged, and random bytes never make a decoder fail with anything but an Error.
 */

const MAX_BIG = 2n ** 64n - 1n;
const MIN_BIG = -(2n ** 63n);

const id = fc.oneof(
  fc.constantFrom(1, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, MAX_ID - 1, MAX_ID),
  fc.bigInt({ min: 1n, max: BigInt(MAX_ID) }).map(Number),
);
const uri = fc
  .array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('.'));

/** Values as a decoder gives them back: bigints only outside ±2^53, no -0, no undefined. */
function valueArbitrary(serializer: Serializer): fc.Arbitrary<unknown> {
  // JSON carries neither wide integers exactly nor strings that start with NUL (they mean binary).
  const isJson = serializer.name === 'json';
  const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !isJson || !s.startsWith('\u0000'));
  const key = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((k) => k !== '__proto__');
  const integer = fc.bigInt({ min: -BigInt(MAX_ID), max: BigInt(MAX_ID) }).map(Number);
  const wide = fc.oneof(fc.bigInt({ min: BigInt(MAX_ID) + 1n, max: MAX_BIG }), fc.bigInt({ min: MIN_BIG, max: -BigInt(MAX_ID) - 1n }));
  const double = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0));
  const scalars: fc.Arbitrary<unknown>[] = [fc.constant(null), fc.boolean(), integer, double, text, fc.uint8Array({ maxLength: 16 })];
  if (!isJson) scalars.push(wide);
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      ...scalars,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).value;
}

function messageArbitrary(serializer: Serializer): fc.Arbitrary<unknown[]> {
  const value = valueArbitrary(serializer);
  const key = fc.string({ unit: 'grapheme', maxLength: 8 }).filter((k) => k !== '__proto__');
  const dict = fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true });
  const text = fc.string({ maxLength: 20 });
  const payload = fc.tuple(fc.option(fc.array(value, { maxLength: 4 })), fc.option(dict));
  const withPayload = (head: fc.Arbitrary<unknown[]>) =>
    fc.tuple(head, payload).map(([m, [args, kwargs]]) => {
      // The normalised form: never an empty trailing element, [] kept only before ArgumentsKw.
      if (kwargs !== null && Object.keys(kwargs).length > 0) return [...m, args ?? [], kwargs];
      if (args !== null && args.length > 0) return [...m, args];
      return m;
    });
  const T = MessageType;
  return fc.oneof(
    fc.tuple(fc.constant(T.HELLO), uri, dict),
    fc.tuple(fc.constant(T.WELCOME), id, dict),
    withPayload(fc.tuple(fc.constant(T.ABORT), dict, uri)),
    fc.tuple(fc.constant(T.CHALLENGE), text, dict),
    fc.tuple(fc.constant(T.AUTHENTICATE), text, dict),
    fc.tuple(fc.constant(T.GOODBYE), dict, uri),
    withPayload(fc.tuple(fc.constant(T.ERROR), fc.constantFrom(...ERROR_REQUEST_TYPES), id, dict, uri)),
    withPayload(fc.tuple(fc.constant(T.PUBLISH), id, dict, uri)),
    fc.tuple(fc.constant(T.PUBLISHED), id, id),
    fc.tuple(fc.constant(T.SUBSCRIBE), id, dict, uri),
    fc.tuple(fc.constant(T.SUBSCRIBED), id, id),
    fc.tuple(fc.constant(T.UNSUBSCRIBE), id, id),
    fc.tuple(fc.constant(T.UNSUBSCRIBED), id),
    fc.tuple(fc.constant(T.UNSUBSCRIBED), fc.constant(0), dict),
    withPayload(fc.tuple(fc.constant(T.EVENT), id, id, dict)),
    withPayload(fc.tuple(fc.constant(T.CALL), id, dict, uri)),
    fc.tuple(fc.constant(T.CANCEL), id, dict),
    withPayload(fc.tuple(fc.constant(T.RESULT), id, dict)),
    fc.tuple(fc.constant(T.REGISTER), id, dict, uri),
    fc.tuple(fc.constant(T.REGISTERED), id, id),
    fc.tuple(fc.constant(T.UNREGISTER), id, id),
    fc.tuple(fc.constant(T.UNREGISTERED), id),
    fc.tuple(fc.constant(T.UNREGISTERED), fc.constant(0), dict),
    withPayload(fc.tuple(fc.constant(T.INVOCATION), id, id, dict)),
    fc.tuple(fc.constant(T.INTERRUPT), id, dict),
    withPayload(fc.tuple(fc.constant(T.YIELD), id, dict)),
  );
}

describe.each(ALL_SERIALIZERS.map((s) => [s.name, s] as const))('%s round trip', (_name, serializer) => {
  it('returns any valid message unchanged through encode, decode and parseMessage', () => {
    fc.assert(
      fc.property(messageArbitrary(serializer), (message) => {
        const decoded = serializer.decode(serializer.encode(message));
        expect(parseMessage(decoded)).toStrictEqual(message);
      }),
      { numRuns: 300 },
    );
  });

  it('fails on random bytes with an Error, and parseMessage with a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let value: unknown;
        try {
          value = serializer.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          return;
        }
        try {
          parseMessage(value);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
