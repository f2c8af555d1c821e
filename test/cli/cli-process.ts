import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface CliProcessOptions {
  /** stderr goes to this file instead of a pipe. */
  stderrFile?: string;
  /** Set JOURNAL_STREAM: naming `stderrFile` (as systemd does when stderr is the journal), or a pipe it is not. */
  journal?: boolean;
  /** The executable: the TypeScript source (run through tsx, the default) or the built `dist/cli/main.js`. */
  main?: string;
}

/**
 * `switchyard ARGS…` as its own process, the way systemd runs it, so a test can send it SIGTERM
 * or SIGKILL as systemd or a power cut would. With `stderrFile`, stderr goes to that file and
 * JOURNAL_STREAM names it (device:inode), as systemd does when stderr is the journal; else stderr
 * is a pipe. Killed when the test process exits.
 */
export class CliProcess {
  readonly child: ChildProcess;
  readonly #piped: string[] = [];
  readonly #stderrFile: string | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #closed = false;

  constructor(args: string[], env: Record<string, string> = {}, options: CliProcessOptions = {}) {
    this.#stderrFile = options.stderrFile;
    let fd: number | undefined;
    const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
    delete childEnv['JOURNAL_STREAM'];
    if (options.stderrFile !== undefined) {
      fd = openSync(options.stderrFile, 'w');
      const stat = fstatSync(fd, { bigint: true });
      if (options.journal === true) childEnv['JOURNAL_STREAM'] = `${stat.dev}:${stat.ino}`;
    } else if (options.journal === true) {
      childEnv['JOURNAL_STREAM'] = '1:1'; // set, but not naming stderr (a pipe)
    }
    const main = options.main ?? MAIN;
    const entry = main.endsWith('.ts') ? ['--import', 'tsx', main] : [main];
    this.child = spawn(process.execPath, [...entry, ...args], { stdio: ['ignore', 'ignore', fd ?? 'pipe'], env: childEnv });
    if (fd !== undefined) closeSync(fd);
    live.add(this.child);
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void this.#piped.push(chunk));
    // 'close': the process has exited and its stderr is read to the end.
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        this.#closed = true;
        live.delete(this.child);
        resolve({ code, signal });
      }),
    );
  }

  /** Every complete stderr line so far. */
  get lines(): string[] {
    const text = this.#stderrFile !== undefined ? readFileSync(this.#stderrFile, 'utf8') : this.#piped.join('');
    const lines = text.split('\n');
    lines.pop();
    return lines;
  }

  /** Resolves with the first stderr line matching `pattern`; rejects after `ms` (or once it has exited) with the log. */
  async waitForLine(pattern: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = this.lines.find((candidate) => pattern.test(candidate));
      if (line !== undefined) return line;
      if (Date.now() > deadline || this.#closed) {
        throw new Error(`no log line matching ${pattern} within ${ms} ms; log:\n${this.lines.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends `signal` (SIGTERM: as systemctl stop); after `ms` without an exit, SIGKILL. Resolves with how it exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** The port of the first `host:port` in a log line such as `router started listeners="rawsocket 127.0.0.1:4711"`. */
export function portIn(line: string): number {
  const match = /:(\d+)\b/.exec(line.slice(line.indexOf('listeners=')));
  if (match === null) throw new Error(`no port in: ${line}`);
  return Number(match[1]);
}
