import type { z } from 'zod';

/**
 * Lenient reading of config data the schema has not (or not entirely) accepted, so that the
 * checks across entries report what they can alongside the schema's own problems: every reader
 * gives undefined (or nothing) for what is missing or invalid, which the schema reports.
 */

export type RawMap = Readonly<Record<string, unknown>>;

/** The value as a mapping, or undefined. */
export function rawMap(value: unknown): RawMap | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawMap) : undefined;
}

/** The items of a list (none when it is not one). */
export function rawList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The mappings of a list with their indexes (other items are skipped). */
export function rawMaps(value: unknown): Array<[RawMap, number]> {
  const out: Array<[RawMap, number]> = [];
  rawList(value).forEach((item, index) => {
    const map = rawMap(item);
    if (map !== undefined) out.push([map, index]);
  });
  return out;
}

/** The value when `schema` accepts it (its output, with defaults), else undefined. */
export function valid<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Whether the key is present (a present key with no value is present). */
export function has(map: RawMap, key: string): boolean {
  return Object.hasOwn(map, key) && map[key] !== undefined;
}

/** A non-empty string, or undefined. */
export function rawText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
