import { describe, expect, it } from 'vitest';
import { jsonLine, parseArgList, parseArgValue, parseKwargs, resultValue } from '../../src/cli/json-args.js';
import { UsageError } from '../../src/cli/usage-error.js';

describe('json-args', () => {
  it.each([
    ['42', 42],
    ['-1.5', -1.5],
    ['true', true],
    ['false', false],
    ['null', null],
    ['"x"', 'x'],
    ['"42"', '42'],
    ['[1,2]', [1, 2]],
    ['{"a":1}', { a: 1 }],
    ['on', 'on'],
    ['hello world', 'hello world'],
    ['', ''],
    ['{not json', '{not json'],
    ['NaN', 'NaN'],
    ['devices.porch', 'devices.porch'],
  ])('parses %j as %j', (text, value) => {
    expect(parseArgValue(text)).toEqual(value);
  });

  it('parses every positional ARG', () => {
    expect(parseArgList(['1', 'on', '[true]'])).toEqual([1, 'on', [true]]);
    expect(parseArgList([])).toEqual([]);
  });

  it('splits --kw at the first = and parses the value like an ARG', () => {
    expect(parseKwargs(['level=0.5', 'name=porch light', 'expr=a=b', 'tags=["x"]', 'empty='])).toEqual({
      level: 0.5,
      name: 'porch light',
      expr: 'a=b',
      tags: ['x'],
      empty: '',
    });
    expect(parseKwargs([])).toEqual({});
  });

  it.each([
    [['novalue'], "--kw: expected KEY=VALUE, got 'novalue'"],
    [['=1'], "--kw: missing key in '=1'"],
    [['a=1', 'a=2'], "--kw: key 'a' given twice"],
  ])('rejects --kw %j', (pairs, message) => {
    expect(() => parseKwargs(pairs)).toThrow(new UsageError(message));
  });

  it('keeps __proto__ as an ordinary key', () => {
    const kwargs = parseKwargs(['__proto__=1']);
    expect(Object.keys(kwargs)).toEqual(['__proto__']);
    expect(jsonLine(kwargs)).toBe('{"__proto__":1}\n');
  });

  it('prints one positional result as itself, nothing as null, and anything else as args and kwargs', () => {
    expect(resultValue([true], {})).toBe(true);
    expect(resultValue([[1, 2]], {})).toEqual([1, 2]);
    expect(resultValue([], {})).toBeNull();
    expect(resultValue([1, 2], {})).toEqual({ args: [1, 2], kwargs: {} });
    expect(resultValue([1], { unit: 'C' })).toEqual({ args: [1], kwargs: { unit: 'C' } });
    expect(resultValue([], { unit: 'C' })).toEqual({ args: [], kwargs: { unit: 'C' } });
  });

  it('writes one line of compact JSON', () => {
    expect(jsonLine({ args: [1, 'a b'], kwargs: { x: { y: null } } })).toBe('{"args":[1,"a b"],"kwargs":{"x":{"y":null}}}\n');
    expect(jsonLine('line\nbreak')).toBe('"line\\nbreak"\n');
    expect(jsonLine(undefined)).toBe('null\n');
  });

  it('writes bigints as numbers when exact, else as strings, and bytes as base64', () => {
    expect(jsonLine([5n, 2n ** 64n])).toBe('[5,"18446744073709551616"]\n');
    expect(jsonLine({ raw: new Uint8Array([1, 2, 255]), buf: Buffer.from('hi') })).toBe('{"raw":"AQL/","buf":"aGk="}\n');
  });
});
