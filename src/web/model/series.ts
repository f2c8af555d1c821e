/**
 * Recent readings of one sensor, kept in memory from page load: the device has no history API, so
 * the last-hour chart shows what this tab has seen. Immutable: `append` returns a new series.
 * Times are on the page's clock (ms since the epoch); booleans are stored as 0/1.
 */
export interface Series {
  readonly t: readonly number[];
  readonly v: readonly number[];
}

/** How far back the series reaches. */
export const SERIES_WINDOW_MS = 60 * 60 * 1000;
/** At most this many points (one per second over the window); the oldest go first. */
export const SERIES_MAX_POINTS = 3600;

export const EMPTY_SERIES: Series = { t: [], v: [] };

/**
 * Adds a point, keeping time order (a late point is inserted where it belongs) and dropping
 * points older than the window before the newest one, and the oldest beyond the size limit.
 */
export function append(series: Series, t: number, value: number): Series {
  const times = series.t.slice();
  const values = series.v.slice();
  let at = times.length;
  while (at > 0 && times[at - 1]! > t) at--;
  if (at > 0 && times[at - 1] === t) {
    values[at - 1] = value;
  } else {
    times.splice(at, 0, t);
    values.splice(at, 0, value);
  }
  const newest = times[times.length - 1]!;
  let drop = 0;
  while (drop < times.length - 1 && times[drop]! < newest - SERIES_WINDOW_MS) drop++;
  drop = Math.max(drop, times.length - SERIES_MAX_POINTS);
  if (drop > 0) {
    times.splice(0, drop);
    values.splice(0, drop);
  }
  return { t: times, v: values };
}

/** The last `count` points. */
export function last(series: Series, count: number): Series {
  return series.t.length <= count ? series : { t: series.t.slice(-count), v: series.v.slice(-count) };
}

/** The longest gap between consecutive points among the last `count`; undefined with fewer than 2. */
export function longestGap(series: Series, count = 30): number | undefined {
  const times = series.t.slice(-count);
  if (times.length < 2) return undefined;
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest;
}
