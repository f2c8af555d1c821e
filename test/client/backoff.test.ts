import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, DEFAULT_BACKOFF, resolveBackoffOptions } from '../../src/client/backoff.js';

/** A random source that replays `values` in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

describe('Backoff', () => {
  it('uses the product defaults: 0.5 s initial, x2, 30 s max, no retry limit', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 500, maxMs: 30_000, factor: 2, retries: Number.POSITIVE_INFINITY });
  });

  it('draws delay n as random() * min(maxMs, initialMs * factor^n)', () => {
    const randoms = [0.5, 0.25, 0.9, 0.1, 0.75, 0.3, 0.6, 0.99, 0.42, 0.05];
    const backoff = new Backoff({}, sequence(...randoms));
    const delays = randoms.map(() => backoff.next());
    const expected = randoms.map((r, n) => r * Math.min(30_000, 500 * 2 ** n));
    expect(delays).toEqual(expected);
    // 500, 1000, 2000, 4000, 8000, 16000, then capped at 30 s.
    expect(delays.slice(0, 7)).toEqual([250, 250, 1800, 400, 6000, 4800, 18_000]);
  });

  it('spreads delays over the whole window (full jitter), from 0 up to the ceiling', () => {
    expect(new Backoff({}, () => 0).next()).toBe(0);
    const almostOne = new Backoff({ initialMs: 1000 }, () => 0.999_999);
    expect(almostOne.next()).toBeCloseTo(1000, 2);
  });

  it('honours custom initialMs, factor and maxMs', () => {
    const backoff = new Backoff({ initialMs: 100, factor: 3, maxMs: 1000 }, () => 1);
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([100, 300, 900, 1000, 1000]);
  });

  it('keeps growing to the cap without overflowing after very many retries', () => {
    const backoff = new Backoff({}, () => 1);
    let last = 0;
    for (let i = 0; i < 5000; i++) last = backoff.next()!;
    expect(last).toBe(30_000);
    expect(backoff.attempt).toBe(5000);
  });

  it('starts over from the initial window after reset()', () => {
    const backoff = new Backoff({}, () => 1);
    backoff.next();
    backoff.next();
    expect(backoff.next()).toBe(2000);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(500);
  });

  it('gives up (undefined) after `retries` delays', () => {
    const backoff = new Backoff({ retries: 2 }, () => 0.5);
    expect(backoff.next()).toBe(250);
    expect(backoff.next()).toBe(500);
    expect(backoff.next()).toBeUndefined();
    expect(backoff.attempt).toBe(2);
  });

  it('clamps a random source outside [0, 1]', () => {
    expect(new Backoff({}, () => 7).next()).toBe(500);
    expect(new Backoff({}, () => -1).next()).toBe(0);
  });

  it.each([
    [{ initialMs: -1 }, /initialMs/],
    [{ initialMs: 1000, maxMs: 10 }, /maxMs/],
    [{ factor: 0.5 }, /factor/],
    [{ retries: 1.5 }, /retries/],
    [{ retries: -1 }, /retries/],
  ])('rejects the nonsensical options %j', (options, message) => {
    expect(() => resolveBackoffOptions(options)).toThrow(message);
  });

  it('reports the window before jitter', () => {
    const options = resolveBackoffOptions({});
    expect([0, 1, 5, 6, 100].map((n) => backoffCeiling(options, n))).toEqual([500, 1000, 16_000, 30_000, 30_000]);
  });
});
