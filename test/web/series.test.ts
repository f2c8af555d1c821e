import { describe, expect, it } from 'vitest';
import { append, EMPTY_SERIES, last, longestGap, SERIES_MAX_POINTS, SERIES_WINDOW_MS } from '../../src/web/model/series.js';

describe('series', () => {
  it('appends in time order, replacing a point with the same time', () => {
    let s = append(EMPTY_SERIES, 10, 1);
    s = append(s, 30, 3);
    s = append(s, 20, 2);
    s = append(s, 30, 4);
    expect(s).toEqual({ t: [10, 20, 30], v: [1, 2, 4] });
    expect(EMPTY_SERIES).toEqual({ t: [], v: [] });
  });

  it('keeps the last hour and at most SERIES_MAX_POINTS points', () => {
    let s = append(EMPTY_SERIES, 0, 1);
    s = append(s, SERIES_WINDOW_MS + 1, 2);
    expect(s.t).toEqual([SERIES_WINDOW_MS + 1]);
    let many = EMPTY_SERIES;
    for (let i = 0; i < SERIES_MAX_POINTS + 10; i++) many = append(many, i, i);
    expect(many.t.length).toBe(SERIES_MAX_POINTS);
    expect(many.t[0]).toBe(10);
  });

  it('keeps the last points, and measures gaps', () => {
    const s = { t: [0, 10, 40, 50], v: [1, 2, 3, 4] };
    expect(last(s, 2)).toEqual({ t: [40, 50], v: [3, 4] });
    expect(longestGap(s)).toBe(30);
    expect(longestGap({ t: [5], v: [1] })).toBeUndefined();
  });
});
