import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What `npm pack` (and so `npm publish`, or an install from git) ships: a build made by
 * prepack, the files a user runs, source maps that resolve, and type declarations that work
 * for the browser condition and without @types/ws. The package is staged in a temporary
 * directory with a fresh tsc build (CI does not build dist/), then listed by npm itself.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  files: string[];
  scripts: Record<string, string>;
  exports: Record<string, unknown>;
};
let stage: string;
let packed: string[];

beforeAll(() => {
  stage = mkdtempSync(join(tmpdir(), 'switchyard-pack-'));
  const app = join(stage, 'switchyard');
  mkdirSync(app);
  for (const entry of ['package.json', 'README.md', 'devices', 'systemd', 'docs', 'scripts']) cpSync(join(ROOT, entry), join(app, entry), { recursive: true });
  execFileSync(TSC, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  packed = (JSON.parse(out) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
  // Its dependencies, as an install puts them (the declarations name zod and yaml).
  mkdirSync(join(app, 'node_modules'));
  for (const dependency of ['zod', 'yaml']) symlinkSync(join(ROOT, 'node_modules', dependency), join(app, 'node_modules', dependency));
}, 60_000);

afterAll(() => rmSync(stage, { recursive: true, force: true }));

describe('npm pack', () => {
  it('builds dist/ before packing (a clone has none)', () => {
    expect(pkg.scripts['prepack']).toMatch(/npm run build/);
    expect(pkg.files).toContain('dist');
  });

  it('ships the CLI, both entries with their declarations, the examples and the docs', () => {
    for (const file of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/browser.js', 'dist/browser.d.ts', 'devices/demo.yaml', 'devices/device.schema.json', 'docs/configuration.md', 'docs/cli.md', 'docs/library.md', 'README.md']) {
      expect(packed).toContain(file);
    }
  });

  it('ships no bench harness, build scripts or tests', () => {
    expect(packed.filter((file) => /bench|^scripts\/|^test\/|^src\//.test(file))).toEqual([]);
  });

  it('ships source maps whose sources resolve (inlined)', () => {
    const maps = packed.filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const unresolved = maps.flatMap((file) => {
      const map = JSON.parse(readFileSync(join(stage, 'switchyard', file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      return map.sources.filter((source, index) => {
        const inlined = typeof map.sourcesContent?.[index] === 'string';
        return !inlined && !packed.includes(join(dirname(file), source));
      });
    });
    expect(unresolved).toEqual([]);
  });
});

describe('type declarations', () => {
  /** Type-checks `code` in a consumer project that depends on the staged package. */
  function typeCheck(code: string, compilerOptions: Record<string, unknown>, links: string[] = []): string {
    const consumer = mkdtempSync(join(stage, 'consumer-'));
    const modules = join(consumer, 'node_modules');
    mkdirSync(join(modules, '@types'), { recursive: true });
    symlinkSync(join(stage, 'switchyard'), join(modules, 'switchyard'));
    for (const link of links) symlinkSync(join(ROOT, 'node_modules', link), join(modules, link));
    writeFileSync(join(consumer, 'app.ts'), code);
    const options = { module: 'esnext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [], ...compilerOptions };
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['app.ts'] }));
    const run = spawnSync(TSC, ['-p', consumer], { encoding: 'utf8' });
    return `${run.stdout}${run.stderr}`.replaceAll(consumer, '');
  }

  const browser = { moduleResolution: 'bundler', customConditions: ['browser'], lib: ['es2022', 'dom'] };

  it('points the browser condition at its own declarations', () => {
    expect(pkg.exports['.']).toMatchObject({ browser: { types: './dist/browser.d.ts', default: './dist/browser.js' } });
    expect(Object.keys(pkg.exports['.'] as object)[0]).toBe('browser');
  });

  it('type-checks the browser client without Node or ws types', () => {
    const code = "import { connect, ApplicationError } from 'switchyard';\nexport const s = connect({ url: 'wss://hub/ws', realm: 'home' });\nexport const e: typeof ApplicationError = ApplicationError;\n";
    expect(typeCheck(code, browser)).toBe('');
  });

  it('does not offer the router to the browser (it would type-check and then fail to bundle)', () => {
    expect(typeCheck("import { Router } from 'switchyard';\nexport const r = Router;\n", browser)).toMatch(/has no exported member 'Router'/);
  });

  it('type-checks the Node entry (router, key files) without @types/ws', () => {
    expect(existsSync(resolve(ROOT, 'node_modules/@types/ws'))).toBe(true); // present in this repo, yet not linked below
    const code = [
      "import { connect, readPrivateKeyFile, startRouter, defaultRouterConfig } from 'switchyard';",
      'const key = readPrivateKeyFile(\'porch.key\');',
      "export const s = connect({ url: 'rs://hub:8081', realm: 'home', auth: { method: 'cryptosign', privateKey: key.seedHex } });",
      'export const r = startRouter(defaultRouterConfig());',
    ].join('\n');
    expect(typeCheck(code, { moduleResolution: 'nodenext', module: 'nodenext', types: ['node'] }, ['@types/node', 'undici-types'])).toBe('');
  });
});
