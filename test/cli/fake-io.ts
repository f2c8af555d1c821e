import type { CliIo } from '../../src/cli/command.js';

/** A CliIo that collects what a command writes. */
export interface FakeIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
  /** Everything written to stdout / stderr so far. */
  stdoutText(): string;
  stderrText(): string;
}

export function fakeIo(options: { cwd?: string; env?: Record<string, string> } = {}): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (chunk: string) => out.push(chunk) },
    stderr: { write: (chunk: string) => err.push(chunk) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}
