import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/common/config-problem.js';
import { YamlSource } from '../../src/common/yaml-source.js';
import { childPath } from '../../src/common/yaml-value.js';

function read(text: string, env?: Record<string, string>) {
  const source = new YamlSource(text, 'f.yaml', env === undefined ? {} : { env });
  return { map: source.root().map()!, problems: () => source.problems.map(formatProblem) };
}

describe('YamlValue', () => {
  it('reads scalars of the right type and reports the others at their line', () => {
    const { map, problems } = read('s: text\nn: 42\nb: true\ne: prefix\nbad_n: 4.5\nbad_b: "yes"\nbad_e: 3\nbad_s: [x]\n');
    expect(map.get('s').string()).toBe('text');
    expect(map.get('n').integer({ min: 0, max: 100 })).toBe(42);
    expect(map.get('b').boolean()).toBe(true);
    expect(map.get('e').oneOf(['exact', 'prefix'])).toBe('prefix');
    expect(map.get('bad_n').integer()).toBeUndefined();
    expect(map.get('bad_b').boolean()).toBeUndefined();
    expect(map.get('bad_e').oneOf(['exact', 'prefix'])).toBeUndefined();
    expect(map.get('bad_s').string()).toBeUndefined();
    expect(problems()).toEqual([
      'f.yaml:5: bad_n: expected an integer, got 4.5',
      'f.yaml:6: bad_b: expected true or false, got a string',
      "f.yaml:7: bad_e: expected one of exact, prefix, got '3'",
      'f.yaml:8: bad_s: expected a single value, got a list',
    ]);
  });

  it('returns undefined for an absent key without a problem, and require reports it at the mapping', () => {
    const { map, problems } = read('\n\nouter:\n  inner: 1\n');
    const outer = map.get('outer').map()!;
    expect(outer.get('missing').present).toBe(false);
    expect(outer.get('missing').string()).toBeUndefined();
    expect(problems()).toEqual([]);
    outer.require('missing');
    expect(problems()).toEqual(['f.yaml:4: outer.missing: missing required key']);
  });

  it('reports an empty value as nothing', () => {
    const { map, problems } = read('a:\nb: ~\n');
    map.get('a').string();
    map.get('b').map();
    expect(problems()).toEqual(['f.yaml:1: a: expected a string, got nothing', 'f.yaml:2: b: expected a mapping, got nothing']);
  });

  it('reads lists item by item with indexed paths, leaving out invalid items', () => {
    const { map, problems } = read('ports:\n  - 1\n  - x\n  - 3\n');
    expect(map.get('ports').list((item) => item.integer())).toEqual([1, 3]);
    expect(problems()).toEqual(['f.yaml:3: ports[1]: expected an integer, got a string']);
  });

  it('reports unknown keys at their own line', () => {
    const { map, problems } = read('a: 1\n\nzz: 2\n');
    map.allowOnly(['a', 'b']);
    expect(problems()).toEqual(['f.yaml:3: zz: unknown key (expected one of: a, b)']);
    expect(map.keys()).toEqual(['a', 'zz']);
    expect(map.keyLine('zz')).toBe(3);
  });

  it('expands ${NAME} in strings, integers and booleans when given an env', () => {
    const { map, problems } = read('s: "${S}!"\nn: "${N}"\nb: "${B}"\nbad: "${S}"\n', { S: 'x', N: '8', B: 'false' });
    expect(map.get('s').string()).toBe('x!');
    expect(map.get('n').integer()).toBe(8);
    expect(map.get('b').boolean()).toBe(false);
    expect(map.get('bad').integer()).toBeUndefined();
    expect(problems()).toEqual(['f.yaml:4: bad: expected an integer, got a string']);
  });

  it('checks string patterns without echoing the value', () => {
    const { map, problems } = read('k: s3cret\n');
    expect(map.get('k').string({ pattern: /^[0-9]+$/, expected: 'digits' })).toBeUndefined();
    expect(problems()).toEqual(['f.yaml:1: k: expected digits']);
  });

  it('writes plain keys with dots and other keys quoted', () => {
    expect(childPath('', 'realms')).toBe('realms');
    expect(childPath('roles', 'power-user')).toBe('roles.power-user');
    expect(childPath('roles', 'a.b')).toBe('roles["a.b"]');
    expect(childPath('', '1')).toBe('["1"]');
  });
});
