import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { YamlSource } from './yaml-source.js';

export interface StringOptions {
  /** Reject the empty string. */
  nonEmpty?: boolean;
  /** Accept only strings matching this; `expected` then says what was expected. */
  pattern?: RegExp;
  expected?: string;
}

export interface IntegerOptions {
  min?: number;
  max?: number;
}

/**
 * One value of a YamlSource, at a key path such as `realms[0].users[1].secret`, possibly absent
 * (its key is missing). Each reader (`string`, `integer`, `map`, …) returns the value or, when
 * absent or invalid, undefined; an invalid value is reported with its line, an absent one is not
 * (use YamlMap.require for required keys). A validator reads every key, so one pass reports
 * every problem. Messages describe the type found, never the text, so secrets stay out of them;
 * only enum values and numbers are echoed.
 */
export class YamlValue {
  readonly path: string;
  readonly line: number;
  readonly source: YamlSource;
  readonly #node: Node | null | undefined;

  /** `node` undefined: the key is absent; null: present but empty. */
  constructor(source: YamlSource, node: Node | null | undefined, path: string, line: number) {
    this.source = source;
    this.#node = node === undefined ? undefined : source.resolve(node);
    this.path = path;
    this.line = line;
  }

  get present(): boolean {
    return this.#node !== undefined;
  }

  /** The key as printed in problems. */
  get key(): string {
    return this.path === '' ? '(root)' : this.path;
  }

  /** Reports a problem about this value; returns undefined so readers can `return v.problem(…)`. */
  problem(message: string): undefined {
    this.source.report(this.line, this.key, message);
    return undefined;
  }

  string(options: StringOptions = {}): string | undefined {
    const value = this.#scalar();
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      const hint = typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : '';
      return this.problem(`expected a string, got ${describe(this.#node)}${hint}`);
    }
    const text = this.source.expand(value, this.line, this.key);
    if (text === undefined) return undefined;
    if (options.nonEmpty === true && text === '') return this.problem('expected a non-empty string');
    if (options.pattern !== undefined && !options.pattern.test(text)) {
      return this.problem(`expected ${options.expected ?? `a string matching ${options.pattern}`}`);
    }
    return text;
  }

  integer(options: IntegerOptions = {}): number | undefined {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    const range =
      min > Number.MIN_SAFE_INTEGER && max < Number.MAX_SAFE_INTEGER
        ? ` from ${min} to ${max}`
        : min > Number.MIN_SAFE_INTEGER
          ? ` of at least ${min}`
          : '';
    let value = this.#scalar();
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.includes('${')) {
      const text = this.source.expand(value, this.line, this.key);
      if (text === undefined) return undefined;
      value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return this.problem(`expected an integer${range}, got ${typeof value === 'number' ? value : describe(this.#node)}`);
    }
    if (value < min || value > max) return this.problem(`expected an integer${range}, got ${value}`);
    return value;
  }

  boolean(): boolean | undefined {
    let value = this.#scalar();
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.includes('${')) {
      const text = this.source.expand(value, this.line, this.key);
      if (text === undefined) return undefined;
      value = text === 'true' ? true : text === 'false' ? false : text;
    }
    if (typeof value !== 'boolean') return this.problem(`expected true or false, got ${describe(this.#node)}`);
    return value;
  }

  /** One of a fixed set of words (an enum); the value found is echoed in the message. */
  oneOf<T extends string>(choices: readonly T[]): T | undefined {
    const value = this.#scalar();
    if (value === undefined) return undefined;
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    const got = typeof value === 'string' || typeof value === 'number' ? `'${String(value)}'` : describe(this.#node);
    return this.problem(`expected one of ${choices.join(', ')}, got ${got}`);
  }

  /** A list; `each` reads every item (invalid items are left out, having been reported). */
  list<T>(each: (item: YamlValue, index: number) => T | undefined): T[] | undefined {
    const node = this.#node;
    if (node === undefined) return undefined;
    if (!isSeq(node)) return this.problem(`expected a list, got ${describe(node)}`);
    const out: T[] = [];
    node.items.forEach((item, index) => {
      const child = item as Node | null;
      const value = each(new YamlValue(this.source, child, `${this.path}[${index}]`, this.source.lineOf(child, this.line)), index);
      if (value !== undefined) out.push(value);
    });
    return out;
  }

  /** A mapping (reported when the value is something else). */
  map(): YamlMap | undefined {
    const node = this.#node;
    if (node === undefined) return undefined;
    if (!isMap(node)) return this.problem(`expected a mapping, got ${describe(node)}`);
    const entries = new Map<string, { keyLine: number; value: YamlValue }>();
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const keyLine = this.source.lineOf(keyNode, this.line);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.source.report(keyLine, this.key, 'keys must be plain words');
        continue;
      }
      const key = String(keyNode.value);
      const valueNode = (pair.value as Node | null) ?? null;
      const value = new YamlValue(this.source, valueNode, childPath(this.path, key), this.source.lineOf(valueNode, keyLine));
      entries.set(key, { keyLine, value });
    }
    return new YamlMap(this, entries);
  }

  /** The scalar's value: undefined when absent (silently) or a collection (reported). */
  #scalar(): unknown {
    const node = this.#node;
    if (node === undefined) return undefined;
    if (node === null) return null;
    if (isScalar(node)) return node.value;
    return this.problem(`expected a single value, got ${describe(node)}`);
  }
}

/** The keys of one YAML mapping, each readable as a YamlValue at `parent.key`. */
export class YamlMap {
  /** The mapping itself (for problems about it as a whole). */
  readonly self: YamlValue;
  readonly #entries: ReadonlyMap<string, { keyLine: number; value: YamlValue }>;

  constructor(self: YamlValue, entries: ReadonlyMap<string, { keyLine: number; value: YamlValue }>) {
    this.self = self;
    this.#entries = entries;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** The value at `key`; absent (at the mapping's line) when the key is missing. */
  get(key: string): YamlValue {
    return this.#entries.get(key)?.value ?? new YamlValue(this.self.source, undefined, childPath(this.self.path, key), this.self.line);
  }

  /** Like `get`, and reports a missing key at the mapping's line. */
  require(key: string, message = 'missing required key'): YamlValue {
    const value = this.get(key);
    if (!value.present) value.problem(message);
    return value;
  }

  /** Line of `key` itself (the mapping's line when it is missing). */
  keyLine(key: string): number {
    return this.#entries.get(key)?.keyLine ?? this.self.line;
  }

  /** Reports every key that is not in `allowed`, at the key's line. */
  allowOnly(allowed: readonly string[]): void {
    for (const [key, { keyLine }] of this.#entries) {
      if (allowed.includes(key)) continue;
      this.self.source.report(keyLine, childPath(this.self.path, key), `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }

  /** Every key with its value, in file order. */
  entries(): Array<[string, YamlValue]> {
    return [...this.#entries].map(([key, { value }]) => [key, value]);
  }
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `parent.key`, or `parent["odd key"]` for keys that are not plain words. */
export function childPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return 'nothing';
    if (typeof value === 'string') return 'a string';
    if (typeof value === 'number') return 'a number';
    if (typeof value === 'boolean') return 'a boolean';
  }
  return 'an unsupported value';
}
