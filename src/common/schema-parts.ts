import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';

/**
 * Building blocks for the declarative config schemas (device and router). Every object is
 * strict (an unknown key is a problem that lists the keys allowed there), every field carries a
 * description (it becomes the JSON Schema description and the configuration reference), and
 * messages never quote the value found, so secrets stay out of them.
 */

/** A mapping that accepts only `shape`'s keys; an unknown key is reported as such. */
export function strictMap<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${allowed})` : undefined),
  });
}

/** `500ms`, `10s`, `5m`, `1h`, or a number of seconds; parsed to milliseconds. */
export function duration(description: string) {
  return z
    .union([
      z.string().regex(DURATION_PATTERN, { message: 'expected a duration such as 500ms, 10s, 5m or 1h' }),
      z.number({ error: typeError('expected a duration such as 500ms, 10s, 5m or 1h') }).nonnegative({ message: 'a duration cannot be negative' }),
    ])
    .transform((value) => (typeof value === 'number' ? Math.round(value * 1000) : parseDuration(value)!))
    .describe(description);
}

/**
 * Defaults as a person writes them (`30s`), for schemas whose default applies after parsing
 * (durations): the JSON Schema export shows these (see `writtenDefault`).
 */
const WRITTEN_DEFAULTS = new WeakMap<object, string>();

/** A duration with a default given as written in a file (`30s`). */
export function durationWithDefault(description: string, fallback: string) {
  const schema = duration(description).default(parseDuration(fallback)!);
  WRITTEN_DEFAULTS.set(schema, fallback);
  return schema;
}

/** The default of `schema` as written in a file, when it has one that JSON Schema cannot see. */
export function writtenDefault(schema: object): string | undefined {
  return WRITTEN_DEFAULTS.get(schema);
}

/** A name that is one component of a URI: lowercase letters, digits and `_`. */
export function uriComponent(description: string) {
  return z
    .string({ error: typeError('expected a name of lowercase letters, digits and _') })
    .regex(/^[a-z0-9_]+$/, { message: 'expected a name of lowercase letters, digits and _ (it is part of every URI)' })
    .describe(description);
}

/** A dotted URI such as `devices` or `com.example.devices` (loose rules: no spaces, # or empty parts). */
export function dottedUri(description: string) {
  return z
    .string({ error: typeError('expected a URI such as devices or com.example.home') })
    .regex(/^[^\s.#]+(\.[^\s.#]+)*$/, { message: 'expected a URI such as devices or com.example.home (no spaces, # or empty parts)' })
    .describe(description);
}

/** An integer in [min, max]. */
export function integer(description: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.number({ error: typeError('expected an integer') }).int({ message: 'expected an integer' }).min(min).max(max).describe(description);
}

/** A path (relative paths start at the config file's directory). */
export function filePath(description: string) {
  return z.string({ error: typeError('expected a path') }).min(1, { message: 'expected a path' }).describe(description);
}

/** An error map that words a wrong type (only); range and format checks keep their own messages. */
function typeError(message: string) {
  return (issue: { code: string }) => (issue.code === 'invalid_type' ? message : undefined);
}
