import { isMap, isScalar, isSeq, LineCounter, type Node, parse as parseYamlText, parseDocument, visit, type Document, Scalar } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';

/** Environment variables for `${NAME}` expansion (process.env has this shape). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Key shown for a problem that is about the document as a whole. */
export const ROOT_KEY = '(root)';
/** Key shown for a YAML syntax error. */
export const SYNTAX_KEY = '(yaml)';

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `parent.key`, or `parent["odd key"]` for keys that are not plain words. */
function childPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Validates a YAML config file against a declarative zod schema and reports every problem at
 * once as `file:line: key: message`, each at the line of the node it is about. `${NAME}` in
 * string values is replaced from `env` first (an unquoted `${PORT}` that expands to `8080` is
 * the number 8080, as if written so). Messages describe what was expected and the type found,
 * never the text found, so secrets stay out of them (only enum values are echoed).
 */

/** A problem located by a path in the document (from the schema or a cross-entry check). */
export interface PathIssue {
  path: readonly PropertyKey[];
  message: string;
}

export interface YamlSchemaResult<T> {
  /** Present only when there are no problems. */
  value?: T;
  /** Sorted by line. */
  problems: ConfigProblem[];
  /** The parsed document (with `${NAME}` expanded), to locate later problems (relative to `at`). */
  document: YamlDocument;
  /**
   * The data the schema was given (`${NAME}` expanded, before validation): for checks that
   * still report what they can when the schema found problems. Absent after a syntax error.
   */
  data?: unknown;
}

export interface ValidateYamlOptions {
  /**
   * Validate only the value at this path (e.g. `['local_router']`); issue paths are relative to
   * it, problem keys and `document` paths start with it. `${NAME}` is expanded only there.
   */
  at?: readonly PropertyKey[];
}

/**
 * The parsed file with line lookup, for locating issues found after validation. Paths given to
 * it are relative to `base` (the validated value's path, empty for the whole document).
 */
export class YamlDocument {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly base: readonly PropertyKey[];
  readonly #lines: LineCounter;

  constructor(file: string, doc: Document.Parsed, lines: LineCounter, base: readonly PropertyKey[] = []) {
    this.file = file;
    this.doc = doc;
    this.base = base;
    this.#lines = lines;
  }

  /** The problem for an issue at `path`: the line of the deepest node that exists on it. */
  problem(issue: PathIssue): ConfigProblem {
    return { file: this.file, line: this.lineOf(issue.path), key: this.key(issue.path), message: issue.message };
  }

  /** The key printed for `path`, e.g. `local_router.listen[0].port`. */
  key(path: readonly PropertyKey[]): string {
    return formatPath([...this.base, ...path]);
  }

  /** Line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(relative: readonly PropertyKey[]): number {
    const path = [...this.base, ...relative];
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : (this.doc.getIn(path.slice(0, depth) as unknown[], true) as Node | undefined);
      const start = node?.range?.[0];
      if (start !== undefined && node !== null) return this.#lines.linePos(start).line;
    }
    return 1;
  }

  /** Line of the key `key` in the mapping at `path` (for unknown keys). */
  keyLine(relative: readonly PropertyKey[], key: string): number {
    const path = [...this.base, ...relative];
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path as unknown[], true);
    if (isMap(map)) {
      for (const pair of map.items) {
        const keyNode = pair.key as Node | null;
        if (isScalar(keyNode) && String(keyNode.value) === key && keyNode.range) return this.#lines.linePos(keyNode.range[0]).line;
      }
    }
    return this.lineOf(relative);
  }
}

/** Parses `text`, expands `${NAME}`, validates with `schema`; every problem found is listed. */
export function validateYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  env: Env | undefined,
  options: ValidateYamlOptions = {},
): YamlSchemaResult<z.output<S>> {
  const at = options.at ?? [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const document = new YamlDocument(file, doc, lines, at);
  const problems: ConfigProblem[] = [];
  if (doc.errors.length > 0) {
    const last = Math.max(0, text.trimEnd().length - 1);
    for (const error of doc.errors) {
      problems.push({ file, line: lines.linePos(Math.min(error.pos[0], last)).line, key: SYNTAX_KEY, message: error.message });
    }
    return { problems, document };
  }
  if (env !== undefined) {
    const target = at.length === 0 ? doc : (doc.getIn(at as unknown[], true) as Node | undefined);
    const report = (node: Node, message: string) => problems.push({ file, line: lineOfNode(node, lines), key: keyOfNode(doc, node), message });
    if (target !== undefined) expandEnv(target, env, report);
  }
  const whole: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const data = valueAt(whole, at);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    // A value whose ${NAME} could not be expanded is reported once, not again for its type.
    const unexpanded = new Set(problems.map((problem) => problem.key));
    for (const issue of parsed.error.issues) {
      problems.push(...problemsOf(issue, data, document).filter((problem) => !unexpanded.has(problem.key)));
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return problems.length === 0 && parsed.success ? { value: parsed.data, problems, document, data } : { problems, document, data };
}

/** `actuators[0].pin`; `(root)` for the empty path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out = typeof part === 'number' ? `${out}[${part}]` : childPath(out, String(part));
  return out === '' ? ROOT_KEY : out;
}

// ---- zod issues → problems ------------------------------------------------------------------

type Issue = z.core.$ZodIssue;

function problemsOf(issue: Issue, data: unknown, document: YamlDocument): ConfigProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      file: document.file,
      line: document.keyLine(path, key),
      key: document.key([...path, key]),
      message: issue.message,
    }));
  }
  return [document.problem({ path, message: messageOf(issue, valueAt(data, path)) })];
}

/** Default zod messages start like this; anything else was written in the schema. */
const ZOD_DEFAULT = /^(Invalid input|Invalid option|Invalid discriminator|Invalid string|Invalid element|Invalid key|Invalid value|Too small|Too big|Invalid number)/;

function messageOf(issue: Issue, value: unknown): string {
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_value')) {
    if (issue.code === 'invalid_union' && 'options' in issue) return `missing required key (one of: ${(issue.options as unknown[]).join(', ')})`;
    return 'missing required key';
  }
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}, got ${describeValue(value)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}, got ${echo(value)}`;
    case 'invalid_union': {
      const options = 'options' in issue ? (issue.options as unknown[]) : undefined;
      if (options !== undefined) return `expected one of ${options.map(String).join(', ')}, got ${echo(value)}`;
      const inner = issue.errors.flat().find((sub) => !ZOD_DEFAULT.test(sub.message));
      return inner?.message ?? `expected something else than ${describeValue(value)}`;
    }
    case 'too_small':
      return issue.origin === 'string'
        ? 'expected a non-empty string'
        : issue.origin === 'array'
          ? `expected at least ${String(issue.minimum)} item(s)`
          : `expected a number ${issue.inclusive === false ? 'greater than' : 'of at least'} ${String(issue.minimum)}, got ${echoNumber(value)}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `expected at most ${String(issue.maximum)} item(s)`
        : `expected a number ${issue.inclusive === false ? 'less than' : 'of at most'} ${String(issue.maximum)}, got ${echoNumber(value)}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? 'a different form' : `a valid ${issue.format}`}`;
    default:
      return issue.message;
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let here = data;
  for (const part of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[part];
  }
  return here;
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

/** Values of enums and discriminators are shown (they are never secrets). */
function echo(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? `'${String(value)}'` : describeValue(value);
}

function echoNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

// ---- ${NAME} expansion ----------------------------------------------------------------------

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function expandEnv(target: Document.Parsed | Node, env: Env, report: (node: Node, message: string) => void): void {
  visit(target, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const text = node.value;
      if (text.replace(ENV_REF, '').includes('${')) {
        report(node, 'malformed ${...} reference (expected ${NAME} with NAME of letters, digits and _)');
        return;
      }
      const missing: string[] = [];
      const out = text.replace(ENV_REF, (_match, name: string) => env[name] ?? (missing.push(name), ''));
      if (missing.length > 0) {
        const names = missing.join(', ');
        report(node, missing.length > 1 ? `environment variables ${names} are not set` : `environment variable ${names} is not set`);
        return;
      }
      // An unquoted reference, or one that is the whole value ("${PORT}", quoted because a flow
      // mapping needs it), takes the type its text would have had in the file.
      const retype = node.type === Scalar.PLAIN || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(text);
      node.value = retype ? ((parseYamlText(out) as unknown) ?? out) : out;
    },
  });
}

function lineOfNode(node: Node, lines: LineCounter): number {
  const start = node.range?.[0];
  return start === undefined ? 1 : lines.linePos(start).line;
}

/** The dotted key of a node, found by searching the document (only used for env problems). */
function keyOfNode(doc: Document.Parsed, target: Node): string {
  const path: PropertyKey[] = [];
  const search = (node: unknown, at: PropertyKey[]): boolean => {
    if (node === target) {
      path.push(...at);
      return true;
    }
    if (isMap(node)) return node.items.some((pair) => search(pair.value, [...at, isScalar(pair.key) ? String(pair.key.value) : '?']));
    if (isSeq(node)) return node.items.some((item, index) => search(item, [...at, index]));
    return false;
  };
  search(doc.contents, []);
  return formatPath(path);
}

/** Whether a YAML text is a mapping with `key` at its top level (how `check` tells a device config). */
export function hasTopLevelKey(text: string, key: string): boolean {
  const contents = parseDocument(text).contents;
  return isMap(contents) && contents.has(key);
}
