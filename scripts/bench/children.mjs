// Every child process of the bench (router, relay, Mosquitto, load clients) is registered here
// and killed when the bench exits, fails or is interrupted (SIGINT/SIGTERM/SIGHUP).
import { fork, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const children = new Set();
const tempDirs = new Set();

/** Forks a Node script with IPC; stdout/stderr go to ours. */
export function forkChild(script, args = [], execArgv = []) {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  track(child);
  return child;
}

/** Spawns a non-Node program (Mosquitto). */
export function spawnChild(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  track(child);
  return child;
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** A temp directory removed at exit. */
export function trackTempDir(dir) {
  tempDirs.add(dir);
  return dir;
}

export function untrackTempDir(dir) {
  tempDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Waits for the next IPC message of `type` (or an 'error' message, or exit) within `ms`. */
export function nextMessage(child, type, ms = 15_000, what = type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no '${what}' from child ${child.pid} within ${ms} ms`)), ms);
    const onMessage = (message) => {
      if (message?.type === type) finish(undefined, message);
      else if (message?.type === 'error') finish(new Error(`child ${child.pid} failed: ${message.message}`));
    };
    const onExit = (code, signal) => finish(new Error(`child ${child.pid} exited (${signal ?? code}) before '${what}'`));
    function finish(error, value) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error === undefined) resolve(value);
      else reject(error);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Stops a child: IPC 'stop' (or SIGTERM), then SIGKILL after `graceMs`. Resolves on exit. */
export function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' }, () => {});
    else child.kill('SIGTERM');
  });
}

/** Kills everything still running, synchronously (safe in 'exit' handlers). */
export function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let installed = false;

/** Installs the exit/signal handlers once. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAll();
      process.exit(130);
    });
  }
}
