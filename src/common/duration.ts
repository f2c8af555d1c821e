/**
 * Durations in config files: `500ms`, `10s`, `5m`, `1h`, `1.5s`, or a bare number of seconds.
 * Parsed to milliseconds.
 */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `text` (`10s` → 10000), or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}
