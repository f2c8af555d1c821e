// The servers under test, each in its own process: the switchyard router, the TCP relay
// baseline and Mosquitto. Each start function resolves to { name, pid, ports, stop() }.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkChild, nextMessage, spawnChild, stopChild, trackTempDir, untrackTempDir } from './children.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
export const MOSQUITTO = process.env.BENCH_MOSQUITTO ?? '/usr/sbin/mosquitto';
const SETPRIV = '/usr/bin/setpriv';

/** The router from dist/ (`node --cpu-prof` into `profileDir` when given). */
export async function startRouterProcess(profileDir) {
  const execArgv = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const child = forkChild((process.env.BENCH_ROUTER_SCRIPT ?? join(here, 'router-server.mjs')), [], execArgv);
  const ready = await nextMessage(child, 'ready', 15_000, 'router ready');
  return { name: 'router', pid: child.pid, ports: ready.ports, stop: () => stopChild(child) };
}

/**
 * The TCP relay; `mode` 'batch' (the baseline: writes batched per event-loop turn, as the router
 * does) or 'frame' (one write per frame);
 * `node --cpu-prof` into `profileDir` when given.
 */
export async function startRelayProcess(mode = 'batch', profileDir) {
  const execArgv = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const child = forkChild(join(here, 'relay-server.mjs'), [mode], execArgv);
  const ready = await nextMessage(child, 'ready', 15_000, 'relay ready');
  return { name: 'relay', pid: child.pid, ports: { rawsocket: ready.port }, stop: () => stopChild(child) };
}

/** Mosquitto on a free 127.0.0.1 port with a minimal config (anonymous, no persistence, no log). */
export async function startMosquittoProcess() {
  const port = await freePort();
  const dir = trackTempDir(mkdtempSync(join(tmpdir(), 'switchyard-bench-mosquitto-')));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest none',
      // Stay this user: switching (root → mosquitto) would clear the parent-death signal.
      `user ${userInfo().username}`,
      '',
    ].join('\n'),
  );
  // setpriv --pdeathsig: Mosquitto dies with the bench even if the bench is SIGKILLed (setpriv
  // execs Mosquitto, so the pid is Mosquitto's own).
  const child = existsSync(SETPRIV)
    ? spawnChild(SETPRIV, ['--pdeathsig', 'KILL', '--', MOSQUITTO, '-c', conf])
    : spawnChild(MOSQUITTO, ['-c', conf]);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${stderr.trim()}`))),
  );
  exited.catch(() => {});
  await Promise.race([waitForPort(port, 5000), exited]);
  return {
    name: 'mosquitto',
    pid: child.pid,
    ports: { mqtt: port },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      untrackTempDir(dir);
    },
  };
}

/** `mosquitto version 2.0.11`, or null when it cannot be run. */
export function mosquittoVersion() {
  try {
    execFileSync(MOSQUITTO, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // `mosquitto -h` exits with status 3 after printing its usage.
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    const match = /mosquitto version (\S+)/.exec(text);
    if (match !== null) return match[1];
  }
  return null;
}

/** A free TCP port on 127.0.0.1 (bound, read, closed). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
