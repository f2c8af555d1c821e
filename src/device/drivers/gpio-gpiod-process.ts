import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TimerHandle } from '../../common/clock.js';
import type { DriverContext } from '../driver.js';
import { DriverError } from '../driver.js';

/**
 * A libgpiod tool (gpioset, gpiomon) kept running by the gpiod backend of the gpio driver:
 * the line is held, or watched, only as long as the process lives. Children run with `ctx.env`
 * (PATH finds the tools, fake ones in tests) and every wait is on `ctx.clock`.
 */

const KILL_AFTER_MS = 2000;
const BACKOFF_MS = [100, 200, 500, 1000, 2000, 5000];
const HEALTHY_MS = 10_000; // a child that ran this long starts the backoff over

interface Running {
  readonly child: ChildProcess;
  readonly startedAt: number;
  exited: Promise<void>;
  stderr: string;
  settling: boolean;
  /** Why it ended (`exit code 1`, `SIGTERM`, a spawn error), once it has. */
  reason?: string;
}

/**
 * One libgpiod tool process. run() replaces it; when it dies on its own it is reported to
 * `onCrash` and respawned after a backoff on ctx.clock (100 ms up to 5 s). close() ends it with
 * SIGTERM (SIGKILL after 2 s) and waits for its exit.
 */
export class LineProcess {
  readonly #ctx: DriverContext;
  readonly #tool: string;
  readonly #onLine: ((line: string) => void) | undefined;
  readonly #onCrash: (error: DriverError) => void;
  #args: string[] = [];
  #running: Running | undefined;
  #restart: TimerHandle | undefined;
  #failures = 0;
  #closed = false;

  constructor(ctx: DriverContext, tool: string, onCrash: (error: DriverError) => void, onLine?: (line: string) => void) {
    this.#ctx = ctx;
    this.#tool = tool;
    this.#onCrash = onCrash;
    this.#onLine = onLine;
  }

  /** Starts the tool with `args` unless it runs already or was closed (gpiomon: nothing to wait for). */
  start(args: string[]): void {
    if (this.#closed || this.#running !== undefined) return;
    this.#args = args;
    this.#spawn(false);
  }

  /** Replaces the running tool with one on `args`; rejects when that exits within `settleMs` (the line was refused). */
  async run(args: string[], settleMs: number): Promise<void> {
    await this.#stop();
    if (this.#closed) throw new DriverError(`${this.#tool} is closed`);
    this.#args = args;
    const running = this.#spawn(true);
    const clock = this.#ctx.clock;
    const exitedEarly = await new Promise<boolean>(function race(resolve) {
      const timer = clock.setTimeout(() => resolve(false), settleMs);
      void running.exited.then(() => {
        clock.clearTimeout(timer);
        resolve(true);
      });
    });
    running.settling = false;
    if (exitedEarly) {
      throw new DriverError(`${this.#tool} ${args.join(' ')} failed: ${running.stderr.trim() || running.reason}`, { path: this.#tool });
    }
  }

  /** The child runs and has outlived its settle time (or had none). */
  get holding(): boolean {
    return this.#running !== undefined && !this.#running.settling;
  }

  #spawn(settling: boolean): Running {
    const child = spawn(this.#tool, this.#args, { env: this.#ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const running: Running = { child, startedAt: this.#ctx.clock.now(), exited: Promise.resolve(), stderr: '', settling };
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (running.stderr = (running.stderr + chunk).slice(-500)));
    if (this.#onLine !== undefined && child.stdout !== null) createInterface({ input: child.stdout }).on('line', this.#onLine);
    else child.stdout?.resume();
    running.exited = new Promise((resolve) => {
      let done = false;
      const onEnd = (reason: string) => {
        if (done) return;
        done = true;
        running.reason = reason;
        resolve();
        this.#ended(running, reason);
      };
      child.once('error', (error) => onEnd(error.message));
      child.once('exit', (code, signal) => onEnd(signal ?? `exit code ${code}`));
    });
    this.#running = running;
    return running;
  }

  #ended(running: Running, reason: string): void {
    if (running !== this.#running) return; // replaced or stopped on purpose
    this.#running = undefined;
    if (this.#closed || running.settling) return; // run() reports a refusal itself
    if (this.#ctx.clock.now() - running.startedAt >= HEALTHY_MS) this.#failures = 0;
    const delay = BACKOFF_MS[Math.min(this.#failures++, BACKOFF_MS.length - 1)]!;
    const detail = running.stderr.trim();
    const message = `${this.#tool} exited (${reason})${detail ? `: ${detail}` : ''}; restarting in ${delay} ms`;
    this.#onCrash(new DriverError(message, { path: this.#tool }));
    this.#restart = this.#ctx.clock.setTimeout(() => {
      this.#restart = undefined;
      if (!this.#closed && this.#running === undefined) this.#spawn(false);
    }, delay);
  }

  async #stop(): Promise<void> {
    if (this.#restart !== undefined) this.#ctx.clock.clearTimeout(this.#restart);
    this.#restart = undefined;
    const running = this.#running;
    this.#running = undefined;
    if (running === undefined) return;
    running.child.kill('SIGTERM');
    const kill = this.#ctx.clock.setTimeout(() => running.child.kill('SIGKILL'), KILL_AFTER_MS);
    await running.exited;
    this.#ctx.clock.clearTimeout(kill);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#stop();
  }
}
