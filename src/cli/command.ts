/** Where a command writes; process.stdout/stderr in production, string collectors in tests. */
export interface OutputStream {
  write(chunk: string): unknown;
}

/** Everything a command may touch of the outside world, injected so tests can call `run` directly. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths on the command line start from. */
  cwd: string;
  /** Aborted when a long-running command should stop (SIGINT/SIGTERM in production). */
  signal?: AbortSignal;
}

/**
 * One `switchyard` subcommand (one file each under commands/). `run` gets the arguments after the
 * command name and resolves to the exit code: 0 ok, 1 usage/config error, 2 runtime failure.
 * It may throw UsageError (exit 1 with usage), ConfigError (exit 1 with its problems) or any
 * other error (exit 2, one line); `main` does the printing.
 */
export interface Command {
  readonly name: string;
  /** One line for `switchyard --help`. */
  readonly summary: string;
  /** Full help, printed by `--help` (stdout) and after a usage error (stderr); ends with a newline. */
  readonly usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** `{ signal }` when the io has one, else `{}` (to spread into options that take an optional signal). */
export function signalOf(io: CliIo): { signal?: AbortSignal } {
  return io.signal !== undefined ? { signal: io.signal } : {};
}

/** Resolves once `signal` aborts (at once if it already has); never without a signal. */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * A service (`device`, `router`) runs until `signal` aborts, holding the process open meanwhile:
 * whether some socket or timer happens to be open (a device with neither an upstream nor a local
 * router has none) must not decide when it ends.
 */
export async function serveUntilAborted(signal: AbortSignal | undefined): Promise<void> {
  const alive = setInterval(() => undefined, 2 ** 31 - 1);
  try {
    await untilAborted(signal);
  } finally {
    clearInterval(alive);
  }
}

export function nodeIo(): CliIo {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // `switchyard subscribe T | head -1`: the reader went away; stop like mosquitto_sub, no stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop.abort();
    else throw error;
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: stop.signal };
}
