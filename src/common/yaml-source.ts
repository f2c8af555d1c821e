import { type Document, isAlias, LineCounter, type Node, parseDocument } from 'yaml';
import type { ConfigProblem } from './config-problem.js';
import { YamlValue } from './yaml-value.js';

/** Environment variables for `${NAME}` expansion (process.env has this shape). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface YamlSourceOptions {
  /** When given, `${NAME}` inside string values is replaced by `env[NAME]`; an unset name is a problem. */
  env?: Env;
}

/** Key shown for a problem that is about the document as a whole. */
export const ROOT_KEY = '(root)';
/** Key shown for a YAML syntax error. */
export const SYNTAX_KEY = '(yaml)';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * A parsed YAML file that remembers the line of every node and collects problems, so that a
 * validator can report all of them at once as `file:line: key: message`. Read it through
 * `root()` (see YamlValue); syntax errors are already among `problems` after construction.
 */
export class YamlSource {
  readonly file: string;
  readonly #env: Env | undefined;
  readonly #doc: Document.Parsed;
  readonly #lines = new LineCounter();
  readonly #problems: ConfigProblem[] = [];

  constructor(text: string, file: string, options: YamlSourceOptions = {}) {
    this.file = file;
    this.#env = options.env;
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false });
    // An error at the end of the text (an unclosed bracket) is shown at the last line with content.
    const last = Math.max(0, text.trimEnd().length - 1);
    for (const error of this.#doc.errors) this.report(this.lineAt(Math.min(error.pos[0], last)), SYNTAX_KEY, error.message);
  }

  /** Whether the text parsed as YAML (when not, `root()` is absent and only syntax problems are listed). */
  get parsed(): boolean {
    return this.#doc.errors.length === 0;
  }

  get problems(): readonly ConfigProblem[] {
    return this.#problems;
  }

  /** The top-level value; absent (reads as nothing) when the text has syntax errors. */
  root(): YamlValue {
    if (!this.parsed) return new YamlValue(this, undefined, '', 1);
    const node = this.#doc.contents;
    return new YamlValue(this, node, '', this.lineOf(node, 1));
  }

  report(line: number, key: string, message: string): void {
    this.#problems.push({ file: this.file, line, key, message });
  }

  /** 1-based line of a character offset. */
  lineAt(offset: number): number {
    return this.#lines.linePos(offset).line;
  }

  /** 1-based line where `node` starts, or `fallback` when the node carries no position. */
  lineOf(node: Node | null | undefined, fallback: number): number {
    const start = node?.range?.[0];
    return start === undefined ? fallback : this.lineAt(start);
  }

  /** Follows an alias (`*name`) to the node it names. */
  resolve(node: Node | null): Node | null {
    if (node !== null && isAlias(node)) return (node.resolve(this.#doc) as Node | undefined) ?? null;
    return node;
  }

  /**
   * Replaces `${NAME}` references in `text` (only when an env was given). Reports an unset
   * variable or a malformed reference at `line`/`key` and returns undefined; never echoes the text.
   */
  expand(text: string, line: number, key: string): string | undefined {
    const env = this.#env;
    if (env === undefined || !text.includes('${')) return text;
    if (text.replace(ENV_REF, '').includes('${')) {
      this.report(line, key, 'malformed ${...} reference (expected ${NAME} with NAME of letters, digits and _)');
      return undefined;
    }
    const missing: string[] = [];
    const out = text.replace(ENV_REF, (_match, name: string) => {
      const value = env[name];
      if (value === undefined) missing.push(name);
      return value ?? '';
    });
    if (missing.length === 0) return out;
    const names = missing.join(', ');
    this.report(line, key, missing.length > 1 ? `environment variables ${names} are not set` : `environment variable ${names} is not set`);
    return undefined;
  }
}
