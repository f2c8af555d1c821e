import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every ```ts block of README.md and docs/*.md type-checks against the package's Node entry
 * (`import … from 'switchyard'` is src/index.ts), each block as a module of its own, so that the
 * library's documentation cannot drift from its API.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const blocks = docs.flatMap((file) => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => ({
    where: `${file}:${text.slice(0, match.index).split('\n').length}`,
    code: match[1]!,
  }));
});
const dir = mkdtempSync(join(tmpdir(), 'switchyard-docs-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TypeScript examples in the documentation', () => {
  it('finds the README and library examples', () => {
    expect(blocks.filter((block) => block.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(1);
    expect(blocks.filter((block) => block.where.startsWith('docs/library.md')).length).toBeGreaterThanOrEqual(4);
  });

  it('type-check', () => {
    const files = blocks.map((block, index) => {
      const name = `example-${index}.ts`;
      writeFileSync(join(dir, name), `// ${block.where}\n${block.code}\nexport {};\n`);
      return name;
    });
    const compilerOptions = {
      module: 'esnext',
      moduleResolution: 'bundler',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      paths: { switchyard: [join(ROOT, 'src', 'index.ts')] },
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    // Name each error by the document line it comes from.
    const errors = output.split('\n').filter((line) => line.includes('error TS')).map((line) => {
      const match = /example-(\d+)\.ts\((\d+),\d+\): (.*)$/.exec(line);
      if (match === null) return line;
      const block = blocks[Number(match[1])]!;
      const [file, start] = block.where.split(':');
      return `${file}:${Number(start) + Number(match[2]) - 1}: ${match[3]}`;
    });
    expect(errors).toEqual([]);
  }, 60_000);
});
