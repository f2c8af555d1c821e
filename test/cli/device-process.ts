import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * `switchyard device CONFIG` as its own process (the TypeScript source run through tsx, or the
 * built executable `main`), so a test can send it SIGTERM or SIGKILL as systemd or a power cut would.
 */
export class DeviceProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #closed = false;

  constructor(configFile: string, env: Record<string, string> = {}, main = MAIN) {
    const entry = main.endsWith('.ts') ? ['--import', 'tsx', main] : [main];
    this.child = spawn(process.execPath, [...entry, 'device', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    live.add(this.child);
    let pending = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      this.lines.push(...parts);
    });
    this.exited = new Promise((resolve) => {
      // 'close': the process has exited and its stderr is read to the end.
      this.child.once('close', (code, signal) => {
        this.#closed = true;
        live.delete(this.child);
        resolve({ code, signal });
      });
    });
  }

  /** Resolves when a log line matches `pattern`; rejects after `ms` with the log so far. */
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

  /** Sends `signal`; after `ms` without an exit, SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** Writes a device config object as YAML into `dir`; returns its path. */
export function writeDeviceConfig(dir: string, config: Record<string, unknown>, name = 'device.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}
