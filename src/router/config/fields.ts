import { z } from 'zod';

/**
 * Field types of the router config schema with the router's messages: each names what was
 * expected and the type found, never a string found (it may be a secret); numbers found are
 * shown. Every field takes its description (the JSON Schema description and the reference).
 */

type Issue = { code: string; input?: unknown };

/** Any string, even empty; a number or boolean found is reported with a hint to quote it. */
export function anyString(description: string) {
  return z.string({ error: (issue: Issue) => stringTypeError(issue.input) }).describe(description);
}

/** A non-empty string, optionally of a form (`expected` says which). */
export function text(description: string, options: { pattern?: RegExp; expected?: string } = {}) {
  const base = anyString(description).min(1, { error: 'expected a non-empty string' });
  const { pattern, expected } = options;
  const checked = pattern === undefined ? base : base.regex(pattern, { error: `expected ${expected ?? `a string matching ${String(pattern)}`}` });
  return checked.describe(description);
}

/** A file path; relative paths start at the config file's directory. */
export function path(description: string) {
  return text(`${description} Relative paths start at the config file's directory.`);
}

/** An integer in [min, max] (max omitted: no upper bound). */
export function integer(description: string, min: number, max?: number) {
  const range = max === undefined ? ` of at least ${min}` : ` from ${min} to ${max}`;
  const error = (issue: Issue) => `expected an integer${range}, got ${showNumber(issue.input)}`;
  const bounded = z.int({ error }).min(min, { error });
  return (max === undefined ? bounded : bounded.max(max, { error })).describe(description);
}

/** A TCP port; 0 lets the system pick a free one (tests). */
export function port(description: string) {
  return integer(description, 0, 65535);
}

export function boolean(description: string) {
  return z.boolean({ error: (issue: Issue) => `expected true or false, got ${describeInput(issue.input)}` }).describe(description);
}

/** What a value found is, without quoting it: `a string`, `a list`, `nothing`, … */
export function describeInput(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  return 'an unsupported value';
}

function stringTypeError(value: unknown): string {
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) return `expected a single value, got ${describeInput(value)}`;
  const hint = typeof value === 'number' || typeof value === 'boolean' ? ' (quote it)' : '';
  return `expected a string, got ${describeInput(value)}${hint}`;
}

function showNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeInput(value);
}
