import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const IS_ROOT = process.getuid?.() === 0;

/** One entry of a tree: what "the same tree" compares. */
export interface Entry {
  path: string;
  type: 'dir' | 'file' | 'link';
  mode: string;
  uid: number;
  gid: number;
  /** sha256 of a file, target of a link. */
  content?: string;
}

/** Every path under `root` (relative, sorted) with type, mode, owner and content hash. */
export function listTree(root: string): Entry[] {
  const entries: Entry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const stat = lstatSync(full);
      const base = { path: relative(root, full), mode: (stat.mode & 0o7777).toString(8).padStart(4, '0'), uid: stat.uid, gid: stat.gid };
      if (stat.isSymbolicLink()) entries.push({ ...base, type: 'link', content: readlinkSync(full) });
      else if (stat.isDirectory()) {
        entries.push({ ...base, type: 'dir' });
        walk(full);
      } else entries.push({ ...base, type: 'file', content: createHash('sha256').update(readFileSync(full)).digest('hex') });
    }
  };
  walk(root);
  return entries;
}

export function entry(entries: Entry[], path: string): Entry | undefined {
  return entries.find((candidate) => candidate.path === path);
}

/**
 * A source tree as a checkout after `npm run build` looks to install.sh: the deploy scripts,
 * systemd/, devices/, package files, and a small stand-in dist/ (CI does not build dist/, and
 * the real one may be rebuilt by a parallel run while a test reads it).
 */
export function makeSource(): string {
  const src = mkdtempSync(join(tmpdir(), 'switchyard-src-'));
  for (const part of ['systemd', 'devices', 'docs', 'package.json', 'package-lock.json', 'README.md']) cpSync(join(REPO, part), join(src, part), { recursive: true });
  mkdirSync(join(src, 'scripts'));
  for (const script of ['deploy-common.sh', 'install.sh', 'uninstall.sh', 'pack.sh']) cpSync(join(REPO, 'scripts', script), join(src, 'scripts', script));
  mkdirSync(join(src, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(src, 'dist', 'cli', 'main.js'), '#!/usr/bin/env node\nconsole.log("switchyard");\n');
  writeFileSync(join(src, 'dist', 'index.js'), 'export {};\n');
  return src;
}

/**
 * An empty staging root; as root, with the account files of a fresh image (root, dialout), so that
 * useradd/groupadd --root can work on it.
 */
export function makeRoot(withAccounts = IS_ROOT): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-root-'));
  chmodSync(root, 0o755);
  if (withAccounts) {
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\ndialout:x:20:\n');
    writeFileSync(join(root, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
    writeFileSync(join(root, 'etc', 'gshadow'), 'root:*::\ndialout:*::\n', { mode: 0o640 });
  }
  return root;
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bash SCRIPT ARGS…` (never throws: the test looks at the status). */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): ScriptRun {
  const result = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether a command is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
