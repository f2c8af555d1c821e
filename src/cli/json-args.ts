import type { Args, Dict } from '../protocol/messages.js';
import { UsageError } from './usage-error.js';

/**
 * JSON on the command line, in and out. In: each positional ARG and each `--kw k=v` value is
 * parsed as JSON when it is valid JSON (`42`, `true`, `null`, `"x"`, `[1,2]`, `{"a":1}`) and taken
 * as a string otherwise (`on` → "on"), as mosquitto_pub takes its payload. Out: one JSON text
 * per line, never pretty-printed, so `jq` and line-based scripts can read it.
 */

/** A command-line value: JSON when it parses as JSON, else the text itself. */
export function parseArgValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Positional ARGs → WAMP args. */
export function parseArgList(texts: readonly string[]): Args {
  return texts.map(parseArgValue);
}

/**
 * `--kw k=v` flags → WAMP kwargs. The key is everything before the first `=`; a key given twice
 * is a usage error (it is nearly always a typo).
 */
export function parseKwargs(pairs: readonly string[]): Dict {
  const kwargs: Dict = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq === -1) throw new UsageError(`--kw: expected KEY=VALUE, got '${pair}'`);
    const key = pair.slice(0, eq);
    if (key === '') throw new UsageError(`--kw: missing key in '${pair}'`);
    if (Object.hasOwn(kwargs, key)) throw new UsageError(`--kw: key '${key}' given twice`);
    // defineProperty, so `__proto__=…` is a key like any other rather than a prototype change.
    Object.defineProperty(kwargs, key, { value: parseArgValue(pair.slice(eq + 1)), enumerable: true, writable: true, configurable: true });
  }
  return kwargs;
}

/**
 * What `switchyard call` prints for a result: no kwargs and one positional result → that value;
 * no args and no kwargs → `null`; anything else → `{"args":[...],"kwargs":{...}}`.
 */
export function resultValue(args: Args, kwargs: Dict): unknown {
  const hasKwargs = Object.keys(kwargs).length > 0;
  if (!hasKwargs && args.length === 1) return args[0];
  if (!hasKwargs && args.length === 0) return null;
  return { args, kwargs };
}

/**
 * One line of JSON (with the newline). Values JSON has no form for are written so the line is
 * still valid JSON: bigint → number when exact, else a decimal string; bytes → base64 string.
 */
export function jsonLine(value: unknown): string {
  return `${toJson(value)}\n`;
}

/** JSON text of a WAMP payload value, on one line (see jsonLine for the values JSON lacks). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer) ?? 'null';
}

function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // Buffer has a toJSON that runs before the replacer; take the raw holder value instead.
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw.toString();
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('base64');
  return value;
}
