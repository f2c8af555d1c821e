/**
 * One thing wrong with a config file, located at the line of the YAML node it is about.
 * Messages never quote secret values: they name the key and describe what is wrong.
 */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  /** Dotted path of the key, e.g. `realms[0].users[1].secret`; `(root)` or `(yaml)` when there is none. */
  readonly key: string;
  readonly message: string;
}

/** `file:line: key: message`, the form `switchyard check` prints (one per line, like a compiler). */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}: ${problem.key}: ${problem.message}`;
}

/**
 * A config could not be used. `problems` lists every problem found (the message has one per
 * line); it is empty when the file itself could not be read.
 */
export class ConfigError extends Error {
  readonly code = 'SWITCHYARD_CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(message: string, problems: readonly ConfigProblem[] = []) {
    super(message);
    this.name = 'ConfigError';
    this.problems = problems;
  }

  static fromProblems(problems: readonly ConfigProblem[]): ConfigError {
    return new ConfigError(problems.map(formatProblem).join('\n'), problems);
  }
}

// ---- Reading the files a config names -------------------------------------------------------

/**
 * Reading the files a config names (secret files, CA certificates): the short reason a read
 * failed, and the reads themselves as a value or a problem to report at the key that named the
 * file. Messages name the file, never its content. Used by the router and the device config
 * readers alike (the device layer may import common/, not the router).
 */

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
};

/** A short reason for a failed read, e.g. `no such file` (the path is not repeated). */
export function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return READ_ERRORS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/** A file's text, or the problem reading it (`cannot read FILE: reason`). */
export type FileRead = { text: string; problem?: undefined } | { text?: undefined; problem: string };

/** Reads `path` (already resolved) with `readFile`, which throws like fs.readFileSync. */
export function readConfigFile(path: string, readFile: (path: string) => string): FileRead {
  try {
    return { text: readFile(path) };
  } catch (error) {
    return { problem: `cannot read ${path}: ${describeReadError(error)}` };
  }
}

/** Reads a secret file (`ticket_file`, `secret_file`): the trailing newline is dropped, an empty file is a problem. */
export function readSecretFile(path: string, readFile: (path: string) => string): FileRead {
  const read = readConfigFile(path, readFile);
  if (read.text === undefined) return read;
  const secret = read.text.replace(/[\r\n]+$/, '');
  return secret === '' ? { problem: `${path} is empty` } : { text: secret };
}
