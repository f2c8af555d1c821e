import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/common/config-problem.js';
import { YamlSource } from '../../src/common/yaml-source.js';

describe('YamlSource', () => {
  it('lists every syntax error with its line and leaves the root absent', () => {
    const source = new YamlSource('a: 1\na: 2\nb: [1,\n', 'x.yaml');
    expect(source.parsed).toBe(false);
    expect(source.problems.map(formatProblem)).toEqual([
      'x.yaml:2: (yaml): Map keys must be unique',
      'x.yaml:3: (yaml): Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(source.root().present).toBe(false);
  });

  it('reports a file with several documents at the second one', () => {
    expect(new YamlSource('a: 1\n---\nb: 2\n', 'x.yaml').problems.map((p) => p.line)).toEqual([2]);
  });

  it('expands ${NAME} only when given an env', () => {
    expect(new YamlSource('', 'x', { env: { A: '1' } }).expand('${A}-${A}', 1, 'k')).toBe('1-1');
    expect(new YamlSource('', 'x').expand('${A}', 1, 'k')).toBe('${A}');
  });

  it('does not expand references found in the values of variables', () => {
    expect(new YamlSource('', 'x', { env: { A: '${B}', B: 'no' } }).expand('${A}', 1, 'k')).toBe('${B}');
  });

  it('reports unset variables at the given line and key', () => {
    const source = new YamlSource('', 'x.yaml', { env: {} });
    expect(source.expand('${A}:${B}', 7, 'realms[0].name')).toBeUndefined();
    expect(source.problems.map(formatProblem)).toEqual(['x.yaml:7: realms[0].name: environment variables A, B are not set']);
  });
});
