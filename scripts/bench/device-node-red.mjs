// Node-RED, the second footprint baseline of the device benchmark (the usual way to wire up
// sensors on a Raspberry Pi). Installed once with `npm install --no-save --prefix <cache>
// node-red@4` into a cache under the OS temp dir that later runs reuse; never a dependency of
// the project. A failed or slow (> 180 s) install is skipped with a note, and not tried again for
// a day (delete the cache dir to retry at once).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { LineProcess } from './device-process.mjs';

export const NODE_RED_CACHE = process.env.BENCH_NODE_RED_DIR ?? join(os.tmpdir(), 'switchyard-bench-node-red');
const RED_JS = join(NODE_RED_CACHE, 'node_modules', 'node-red', 'red.js');
const FAILED_MARKER = join(NODE_RED_CACHE, 'install-failed');
const INSTALL_TIMEOUT_MS = 180_000;
const RETRY_AFTER_MS = 24 * 3600_000;

/**
 * Node-RED's red.js and version, installing it first when the cache lacks it:
 * { red, version } or { skipped: 'one-line reason' }.
 */
export async function ensureNodeRed(log) {
  try {
    return await findOrInstall(log);
  } catch (error) {
    return { skipped: `Node-RED not available (${error.message}): skipping that baseline` };
  }
}

async function findOrInstall(log) {
  if (existsSync(RED_JS)) return { red: RED_JS, version: nodeRedVersion() };
  if (existsSync(FAILED_MARKER)) {
    const failed = readFileSync(FAILED_MARKER, 'utf8').trim();
    const at = Date.parse(failed.split(' ')[0]);
    if (Number.isFinite(at) && Date.now() - at < RETRY_AFTER_MS) {
      return { skipped: `Node-RED install failed at ${failed}; not retried for a day (rm -r ${NODE_RED_CACHE} to retry)` };
    }
  }
  mkdirSync(NODE_RED_CACHE, { recursive: true });
  log(`installing Node-RED 4 once into ${NODE_RED_CACHE} (npm, up to ${INSTALL_TIMEOUT_MS / 1000} s) …`);
  const started = performance.now();
  const result = await npmInstall();
  if (result.ok && existsSync(RED_JS)) {
    rmSync(FAILED_MARKER, { force: true });
    log(`  installed Node-RED ${nodeRedVersion()} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return { red: RED_JS, version: nodeRedVersion() };
  }
  try {
    writeFileSync(FAILED_MARKER, `${new Date().toISOString()} ${result.reason}\n`);
  } catch {
    // not remembered: tried again next time
  }
  return { skipped: `Node-RED not installed (${result.reason}): skipping that baseline` };
}

function nodeRedVersion() {
  try {
    return JSON.parse(readFileSync(join(NODE_RED_CACHE, 'node_modules', 'node-red', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** `npm install` in its own process group, killed whole after INSTALL_TIMEOUT_MS. */
function npmInstall() {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', '--prefix', NODE_RED_CACHE, 'node-red@4'];
    let output = '';
    const child = spawn(npm, args, { cwd: NODE_RED_CACHE, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const kill = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    };
    // The bench's own cleanup does not know this group: kill it if the bench stops meanwhile.
    process.once('exit', kill);
    const timer = setTimeout(() => {
      kill();
      finish({ ok: false, reason: `npm install took over ${INSTALL_TIMEOUT_MS / 1000} s` });
    }, INSTALL_TIMEOUT_MS);
    let done = false;
    function finish(result) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.off('exit', kill);
      resolve(result);
    }
    child.once('error', (error) => finish({ ok: false, reason: `npm: ${error.message}` }));
    child.once('exit', (code) => {
      // The first error line that says something (not "A complete log of this run …").
      const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/complete log of this run|^npm error\s*$/.test(line));
      const first = lines.find((line) => /error/i.test(line)) ?? lines[0] ?? '';
      finish(code === 0 ? { ok: true } : { ok: false, reason: `npm install exited ${code}${first ? `: ${first.slice(0, 160)}` : ''}` });
    });
  });
}

/**
 * An idle Node-RED on 127.0.0.1:`port` with a fresh user dir (its default settings, no flows),
 * resolved once it logged "Started flows" (or "Server now running").
 */
export async function startNodeRed(red, port, userDir) {
  const process_ = new LineProcess('Node-RED', process.execPath, [red, '--port', String(port), '--userDir', userDir, '-D', 'uiHost=127.0.0.1'], {
    cwd: userDir,
  });
  try {
    await process_.waitFor(/Started flows/, 60_000, '"Started flows"');
  } catch (error) {
    if (!process_.lines.some((line) => /Server now running/.test(line.text))) {
      await process_.kill();
      throw error;
    }
  }
  return process_;
}
