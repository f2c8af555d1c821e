import { describe, expect, it } from 'vitest';
import { MessageType, messageTypeName } from '../../src/protocol/message-type.js';
import { withPayload } from '../../src/protocol/messages.js';

describe('withPayload', () => {
  const head = (): unknown[] => [MessageType.YIELD, 1, {}];

  it.each([
    ['no payload', undefined, undefined, []],
    ['null payload', null, null, []],
    ['empty Arguments', [], undefined, []],
    ['empty ArgumentsKw', undefined, {}, []],
    ['Arguments only', [1], undefined, [[1]]],
    ['Arguments and empty ArgumentsKw', [1], {}, [[1]]],
    ['ArgumentsKw only', undefined, { a: 1 }, [[], { a: 1 }]],
    ['empty Arguments and ArgumentsKw', [], { a: 1 }, [[], { a: 1 }]],
    ['both', [1], { a: 1 }, [[1], { a: 1 }]],
  ])('appends %s without empty trailing elements', (_name, args, kwargs, tail) => {
    expect(withPayload(head(), args, kwargs)).toStrictEqual([...head(), ...tail]);
  });

  it('appends to the given head and returns it', () => {
    const h = head();
    expect(withPayload(h, [1])).toBe(h);
  });
});

describe('messageTypeName', () => {
  it('names known codes and marks unknown ones', () => {
    expect(messageTypeName(MessageType.UNSUBSCRIBED)).toBe('UNSUBSCRIBED');
    expect(messageTypeName(7)).toBe('UNKNOWN(7)');
  });
});
