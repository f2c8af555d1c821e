import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatProblem } from '../../src/common/config-problem.js';
import { strictMap } from '../../src/common/schema-parts.js';
import { formatPath, validateYaml } from '../../src/common/yaml-schema.js';

const schema = strictMap({
  name: z.string(),
  port: z.number().int().min(1).max(65535).default(8080),
  tls: z.boolean().default(false),
  items: z.array(strictMap({ id: z.number(), tag: z.enum(['a', 'b']).optional() })).default([]),
  nested: strictMap({ path: z.string() }).optional(),
});

const check = (text: string, env: Record<string, string> | undefined = {}, at?: PropertyKey[]) =>
  validateYaml(text, 'c.yaml', schema, env, at === undefined ? {} : { at });

describe('validateYaml', () => {
  it('returns the parsed value with defaults when the file is valid', () => {
    const result = check('name: x\nitems: [ { id: 1 } ]\n');
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({ name: 'x', port: 8080, tls: false, items: [{ id: 1 }] });
  });

  it('lists every problem with the line of its node, sorted by line', () => {
    const result = check('port: 0\nname: 5\nitems:\n  - { id: x, tag: c }\n  - { id: 2, colour: red }\nnested:\n  path: [1]\n');
    expect(result.value).toBeUndefined();
    expect(result.problems.map(formatProblem)).toEqual([
      'c.yaml:1: port: expected a number of at least 1, got 0',
      'c.yaml:2: name: expected a string, got an integer',
      'c.yaml:4: items[0].id: expected a number, got a string',
      "c.yaml:4: items[0].tag: expected one of a, b, got 'c'",
      'c.yaml:5: items[1].colour: unknown key (expected one of: id, tag)',
      'c.yaml:7: nested.path: expected a string, got a list',
    ]);
  });

  it('puts a missing key at the line of the mapping that lacks it', () => {
    expect(check('port: 1\nnested:\n  other: 1\n').problems.map(formatProblem)).toEqual([
      'c.yaml:1: name: missing required key',
      'c.yaml:3: nested.path: missing required key',
      'c.yaml:3: nested.other: unknown key (expected one of: path)',
    ]);
  });

  it('expands ${NAME}: plain references take the type of their text, quoted ones stay strings unless whole', () => {
    const env = { NAME: 'router', PORT: '8443', TLS: 'true' };
    expect(check('name: "${NAME}-1"\nport: ${PORT}\ntls: "${TLS}"\n', env).value).toMatchObject({ name: 'router-1', port: 8443, tls: true });
    expect(check('name: ${NAME}\nport: "${MISSING}"\n', env).problems.map(formatProblem)).toEqual(['c.yaml:2: port: environment variable MISSING is not set']);
    expect(check('name: "${bad-name}"\n', env).problems.map((p) => p.message)).toEqual([
      'malformed ${...} reference (expected ${NAME} with NAME of letters, digits and _)',
    ]);
  });

  it('leaves ${NAME} alone without an env', () => {
    expect(validateYaml('name: "${NAME}"\n', 'c.yaml', schema, undefined).value?.name).toBe('${NAME}');
  });

  it('reports syntax errors alone, with their line', () => {
    const problems = check('name: x\nitems: [ { id: 1 }\n').problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.key === '(yaml)' && problem.line === 2)).toBe(true);
  });

  it('validates a sub-block, with keys and lines in the whole file', () => {
    const result = check('other: 1\ninner:\n  name: x\n  port: 99999\n', {}, ['inner']);
    expect(result.problems.map(formatProblem)).toEqual(['c.yaml:4: inner.port: expected a number of at most 65535, got 99999']);
  });
});

describe('formatPath', () => {
  it('writes dotted keys, list indexes and odd keys quoted', () => {
    expect(formatPath(['realms', 0, 'users', 2, 'secret'])).toBe('realms[0].users[2].secret');
    expect(formatPath(['roles', 'my role'])).toBe('roles["my role"]');
    expect(formatPath([])).toBe('(root)');
  });
});
