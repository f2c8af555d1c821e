// Processes of the device benchmark that are programs rather than forked bench scripts: the
// device (`node dist/cli/main.js device CONFIG.yaml`), bare `node -e …` baselines and Node-RED.
// Each is spawned directly (through `setpriv --pdeathsig KILL` when there is one, which execs
// the program: the pid is node's own, and it dies with the bench even if the bench is
// SIGKILLed), registered with children.mjs, and its stdout/stderr are read line by line with the
// time each line arrived, so that a scenario can wait for a log line and time it.
import { existsSync } from 'node:fs';
import { spawnChild } from './children.mjs';

const SETPRIV = '/usr/bin/setpriv';
const KEEP_LINES = 200;

export class LineProcess {
  /**
   * Spawns `command args` (cwd, env as given). `spawnedAt` is performance.now() just before
   * spawn(), the zero of every timing taken from its output.
   */
  constructor(name, command, args, options = {}) {
    this.name = name;
    this.lines = [];
    this.exit = null;
    this.#waiters = new Set();
    const argv = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
    this.spawnedAt = performance.now();
    this.child = spawnChild(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.pid = this.child.pid;
    /** When the first byte of output (either stream) arrived. */
    this.firstOutputAt = null;
    let gotOutput;
    this.#firstOutput = new Promise((resolve) => (gotOutput = resolve));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const at = performance.now();
        if (this.firstOutputAt === null) {
          this.firstOutputAt = at;
          gotOutput(at);
        }
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        for (const text of parts) this.#line(text, at);
      });
    }
    this.exited = new Promise((resolve) => {
      const ended = (exit) => {
        if (this.exit !== null) return;
        this.exit = exit;
        for (const waiter of this.#waiters) waiter.exited();
        resolve(exit);
      };
      this.child.once('exit', (code, signal) => ended({ code, signal }));
      // A spawn failure emits 'error' and no 'exit'.
      this.child.once('error', (error) => ended({ code: null, signal: null, error: error.message }));
    });
  }

  #waiters;
  #firstOutput;

  #line(text, at) {
    const line = { text, at };
    this.lines.push(line);
    if (this.lines.length > KEEP_LINES) this.lines.shift();
    for (const waiter of this.#waiters) waiter.line(line);
  }

  /** Resolves { match, at } for the first line (already seen or to come) matching `regex`. */
  waitFor(regex, ms = 15_000, what = String(regex)) {
    const seen = this.lines.find((line) => regex.test(line.text));
    if (seen !== undefined) return Promise.resolve({ match: regex.exec(seen.text), at: seen.at });
    return new Promise((resolve, reject) => {
      const waiter = {
        line: (line) => {
          const match = regex.exec(line.text);
          if (match !== null) finish(undefined, { match, at: line.at });
        },
        exited: () => finish(new Error(`${this.name} exited (${this.#exitText()}) before ${what}${this.#tail()}`)),
      };
      const timer = setTimeout(() => finish(new Error(`no ${what} from ${this.name} within ${ms} ms${this.#tail()}`)), ms);
      const finish = (error, value) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        if (error === undefined) resolve(value);
        else reject(error);
      };
      this.#waiters.add(waiter);
      if (this.exit !== null) waiter.exited();
    });
  }

  /** Resolves with the time of the first output (either stream). */
  firstOutput(ms = 15_000) {
    let timer;
    const failed = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no output from ${this.name} within ${ms} ms`)), ms);
      this.exited.then(() => setTimeout(() => reject(new Error(`${this.name} exited (${this.#exitText()}) without output`)), 50));
    });
    failed.catch(() => {});
    return Promise.race([this.#firstOutput, failed]).finally(() => clearTimeout(timer));
  }

  /** SIGKILL (nothing of it is measured any more) and wait for the exit. */
  async kill() {
    if (this.exit === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  #exitText() {
    return this.exit?.error ?? (this.exit?.signal ?? `code ${this.exit?.code}`);
  }

  #tail() {
    const tail = this.lines.slice(-8).map((line) => `\n    ${line.text}`).join('');
    return tail === '' ? '' : `; last output:${tail}`;
  }
}

/** The port of the first `listening … type=rawsocket address=HOST:PORT` log line of a switchyard process. */
export async function rawsocketPort(process, ms = 15_000) {
  const { match } = await process.waitFor(/\blistening\b.*\btype=rawsocket address=[^\s:]+:(\d+)/, ms, "the router's `listening type=rawsocket` line");
  return Number(match[1]);
}

export { freePort } from './servers.mjs';

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
