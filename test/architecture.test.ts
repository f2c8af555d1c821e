import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSafetyProblems, sourceFiles, SRC, srcName } from './helpers/import-graph.js';

/**
 * Layer rules from style.md: an arrow means "may import".
 *   cli → device → client → transport → protocol → common;  cli → router → transport
 *   web → browser.ts (the browser entry), client, protocol.  client and router never import each other.
 */
const ALLOWED: Record<string, readonly string[]> = {
  common: [],
  protocol: ['common'],
  transport: ['protocol', 'common'],
  client: ['transport', 'protocol', 'common'],
  router: ['transport', 'protocol', 'common'],
  device: ['client', 'transport', 'protocol', 'common'],
  mqtt: ['router', 'transport', 'protocol', 'common'],
  // The page reaches the client through the browser entry (the client over the native WebSocket).
  web: ['browser', 'client', 'protocol', 'common'],
  browser: ['client', 'transport', 'protocol', 'common'],
  cli: ['*'],
  '.': ['browser', 'client', 'transport', 'protocol', 'common', 'router', 'device'],
};
/** Layers that must run in a browser: no node:* (or bare built-in) imports. */
const BROWSER_SAFE = new Set(['common', 'protocol', 'client', 'web', 'browser']);
const NODE_BUILTINS = new Set(builtinModules);

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  // The browser-safe public API (browser.ts, and public-api.ts that it shares with index.ts).
  if (/^(browser|public-api)\.[jt]s$/.test(rel)) return 'browser';
  return rel.includes(sep) ? rel.split(sep)[0]! : '.';
}

function importsOf(text: string): string[] {
  const found: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) found.push((m[1] ?? m[2])!);
  return found;
}

/**
 * Where browser code starts: all of protocol/ and client/, and the browser entry. Everything they
 * reach, in any layer, must load in a browser (helpers/import-graph.ts browserSafetyProblems).
 */
function browserRoots(): string[] {
  return [...sourceFiles(join(SRC, 'protocol')), ...sourceFiles(join(SRC, 'client')), join(SRC, 'browser.ts'), ...sourceFiles(join(SRC, 'web'))];
}

/** Problems with one file's imports; `specs` are its import specifiers. */
function checkImports(file: string, specs: string[]): string[] {
  const from = layerOf(file);
  const allowed = ALLOWED[from];
  const where = srcName(file);
  if (allowed === undefined) return [`${where}: layer '${from}' is not in the layer table`];
  const problems: string[] = [];
  for (const spec of specs) {
    if (spec.startsWith('.')) {
      const to = layerOf(resolve(dirname(file), spec));
      if (to !== from && !allowed.includes('*') && !allowed.includes(to)) {
        problems.push(`${where}: '${from}' may not import '${to}' (${spec})`);
      }
    } else if (BROWSER_SAFE.has(from) && (spec.startsWith('node:') || NODE_BUILTINS.has(spec))) {
      problems.push(`${where}: browser-safe layer '${from}' imports Node built-in '${spec}'`);
    }
  }
  return problems;
}

describe('architecture', () => {
  it('finds the source files', () => {
    expect(sourceFiles(SRC).length).toBeGreaterThan(5);
  });

  it('keeps every import within the layer rules', () => {
    const problems = sourceFiles(SRC).flatMap((file) => checkImports(file, importsOf(readFileSync(file, 'utf8'))));
    expect(problems).toEqual([]);
  });

  it('keeps every module reachable from protocol/, client/, browser.ts and web/ free of Node-only imports', () => {
    const roots = browserRoots();
    expect(roots).toContain(join(SRC, 'client', 'connection.ts'));
    expect(roots).toContain(join(SRC, 'web', 'main.ts'));
    expect(browserSafetyProblems(roots)).toEqual([]);
  });

  it('finds the Node-only modules behind the Node entry (the walk crosses layers)', () => {
    const problems = browserSafetyProblems([join(SRC, 'node.ts')]);
    expect(problems).toContain("node.ts → transport/node-connector.ts imports 'ws'");
    expect(problems).toContain("node.ts → transport/node-connector.ts → transport/rawsocket/client.ts imports 'node:net'");
  });

  it('reports a Node-only import reached through another layer, and ignores type-only imports', () => {
    const files: Record<string, string> = {
      'client/probe.ts': [
        "import type { Socket } from 'node:net';",
        "import { type WebSocket, type ClientOptions } from 'ws';",
        "export type { TLSSocket } from 'node:tls';",
        "import { dial } from '../transport/probe-dialer.js';",
      ].join('\n'),
      'transport/probe-dialer.ts': "import {\n  type Duplex,\n  PassThrough,\n} from 'node:stream';\nexport * from './probe-ws.js';\n",
      'transport/probe-ws.ts': "import WebSocket from 'ws';\nconst fs = await import('fs');\n",
    };
    const read = (file: string): string | undefined => files[srcName(file)];
    expect(browserSafetyProblems([join(SRC, 'client', 'probe.ts')], read)).toEqual([
      "client/probe.ts → transport/probe-dialer.ts imports 'node:stream'",
      "client/probe.ts → transport/probe-dialer.ts → transport/probe-ws.ts imports 'ws'",
      "client/probe.ts → transport/probe-dialer.ts → transport/probe-ws.ts imports 'fs'",
    ]);
  });

  it('reports an import that breaks the rules', () => {
    const probe = join(SRC, 'client', 'probe.ts');
    const text = "import { Router } from '../router/router.js';\nimport net from 'node:net';\n";
    expect(checkImports(probe, importsOf(text))).toEqual([
      "client/probe.ts: 'client' may not import 'router' (../router/router.js)",
      "client/probe.ts: browser-safe layer 'client' imports Node built-in 'node:net'",
    ]);
  });
});
