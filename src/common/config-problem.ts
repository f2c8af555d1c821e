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
