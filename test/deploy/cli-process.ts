import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * `switchyard ARGS…` as its own process (the TypeScript source through tsx), the way systemd runs
 * it. With `stderrFile`, stderr goes to that file and JOURNAL_STREAM names it (device:inode), as
 * systemd does when stderr is the journal; else stderr is a pipe.
 */
export class CliProcess {
  readonly child: ChildProcess;
  readonly #piped: string[] = [];
  readonly #stderrFile: string | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #closed = false;

  constructor(args: string[], env: Record<string, string> = {}, options: { stderrFile?: string; journal?: boolean } = {}) {
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
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'ignore', fd ?? 'pipe'], env: childEnv });
    if (fd !== undefined) closeSync(fd);
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void this.#piped.push(chunk));
    // 'close': the process has exited and its stderr is read to the end.
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        this.#closed = true;
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

  /** Resolves with the first stderr line matching `pattern`; rejects after `ms` with the log. */
  async waitForLine(pattern: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = this.lines.find((candidate) => pattern.test(candidate));
      if (line !== undefined) return line;
      if (Date.now() > deadline || this.#closed) throw new Error(`no line matching ${pattern}; log:\n${this.lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGTERM (as systemctl stop), SIGKILL after `ms`; resolves with how it exited. */
  async stop(ms = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
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
