import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Reads src/ as an import graph, for the layer and browser-safety checks
 * (test/architecture.test.ts, test/index.test.ts). Files are read as text: no compiler needed.
 */

export const SRC = resolve(__dirname, '../../src');

const NODE_BUILTINS = new Set(builtinModules);

/** Every TypeScript source file below `dir` (no .d.ts). */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A file's text, or undefined when there is no such file. */
export function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `file` relative to src/, with forward slashes: `client/session.ts`. */
export function srcName(file: string): string {
  return relative(SRC, file).split(sep).join('/');
}

/**
 * The modules a file loads at run time: import/export … from, bare `import '…'` and `import(…)`.
 * Type-only imports vanish at compile time and are left out: `import type`, `export type`, and
 * `import { type A, type B }` where every name is a type.
 */
export function valueImportsOf(text: string): string[] {
  const found: string[] = [];
  const re =
    /(?:^|\n)\s*(?:(import|export)\s+(type\s+)?([\w\s{},*$]*?)\s*from\s*['"]([^'"]+)['"]|import\s*['"]([^'"]+)['"])|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = (m[4] ?? m[5] ?? m[6])!;
    if (m[4] !== undefined && (m[2] !== undefined || onlyTypes(m[3]!))) continue;
    found.push(spec);
  }
  return found;
}

/** Whether an import clause names types only: `{ type A, type B as C }`. */
function onlyTypes(clause: string): boolean {
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (braces === null) return false;
  const names = braces[1]!.split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

/** A module a browser cannot load: node:*, a bare Node built-in, or `ws`. */
export function isNodeOnly(spec: string): boolean {
  return spec.startsWith('node:') || NODE_BUILTINS.has(spec) || spec === 'ws' || spec.startsWith('ws/');
}

/** The source file a relative specifier names (`./x.js` → `./x.ts`, as NodeNext resolution maps it). */
function resolveSource(from: string, spec: string): string {
  return resolve(dirname(from), spec).replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts');
}

/**
 * Follows value imports from `roots` through every layer and reports each module reachable from
 * them that loads a Node-only module, with the chain that reaches it
 * (`client/x.ts → transport/y.ts imports 'node:net'`). `read` returns a file's text, or
 * undefined when there is no such file (reported too, so a broken walk cannot pass silently).
 */
export function browserSafetyProblems(roots: readonly string[], read: (file: string) => string | undefined = readSource): string[] {
  const via = new Map<string, string | undefined>(roots.map((root) => [root, undefined]));
  const queue = [...roots];
  const problems: string[] = [];
  const chainOf = (file: string): string => {
    const chain = [srcName(file)];
    for (let at = via.get(file); at !== undefined; at = via.get(at)) chain.unshift(srcName(at));
    return chain.join(' → ');
  };
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    const text = read(file);
    if (text === undefined) {
      problems.push(`${chainOf(file)}: no such source file`);
      continue;
    }
    for (const spec of valueImportsOf(text)) {
      if (isNodeOnly(spec)) problems.push(`${chainOf(file)} imports '${spec}'`);
      if (!spec.startsWith('.')) continue;
      const target = resolveSource(file, spec);
      if (via.has(target)) continue;
      via.set(target, file);
      queue.push(target);
    }
  }
  return problems;
}
