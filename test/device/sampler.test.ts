import { describe, expect, it } from 'vitest';
import type { SensorValue } from '../../src/device/driver.js';
import { Sampler, type SamplerOptions } from '../../src/device/sampler.js';
import { FakeClock } from '../helpers/fake-clock.js';

function setup(options: SamplerOptions, withRefresh = false) {
  const clock = new FakeClock();
  const published: Array<{ value: SensorValue; ts: number }> = [];
  let refreshes = 0;
  const sampler = new Sampler(options, clock, {
    publish: (value, ts) => published.push({ value, ts }),
    ...(withRefresh ? { refresh: () => void refreshes++ } : {}),
  });
  return { clock, published, sampler, refreshes: () => refreshes };
}

describe('Sampler', () => {
  it('publishes every sample when no option is set', () => {
    const { sampler, published } = setup({});
    sampler.offer(1, 10);
    sampler.offer(1, 20);
    expect(published).toEqual([{ value: 1, ts: 10 }, { value: 1, ts: 20 }]);
  });

  it('publishes only moves larger than the deadband, measured from the last published value', () => {
    const { sampler, published } = setup({ deadband: 0.5 });
    for (const value of [20, 20.3, 20.5, 20.6, 21.1, 20.9]) sampler.offer(value, 0);
    // 20.3 and 20.5 are within 0.5 of 20; 20.6 is not; 21.1 is exactly 0.5 from 20.6; 20.9 is within.
    expect(published.map((p) => p.value)).toEqual([20, 20.6]);
  });

  it('treats deadband 0 as publish on any change', () => {
    const { sampler, published } = setup({ deadband: 0 });
    for (const value of [1, 1, 2, 2, 1]) sampler.offer(value, 0);
    expect(published.map((p) => p.value)).toEqual([1, 2, 1]);
  });

  it('publishes digital values only when they change under a deadband', () => {
    const { sampler, published } = setup({ deadband: 0 });
    for (const value of [false, false, true, true, false]) sampler.offer(value, 0);
    expect(published.map((p) => p.value)).toEqual([false, true, false]);
  });

  it('asks for a fresh reading after max_interval without a publication and publishes it whatever the deadband', () => {
    const { sampler, published, clock, refreshes } = setup({ deadband: 1, maxIntervalMs: 60_000 }, true);
    sampler.offer(20, 0);
    clock.advance(30_000);
    sampler.offer(20.1, clock.now());
    expect(published).toHaveLength(1);
    clock.advance(30_000);
    expect(refreshes()).toBe(1);
    sampler.offer(20.1, clock.now());
    expect(published).toEqual([{ value: 20, ts: 0 }, { value: 20.1, ts: 60_000 }]);
  });

  it('restarts the max_interval timer at each publication', () => {
    const { sampler, clock, refreshes } = setup({ deadband: 1, maxIntervalMs: 60_000 }, true);
    sampler.offer(20, 0);
    clock.advance(50_000);
    sampler.offer(25, clock.now());
    clock.advance(50_000);
    expect(refreshes()).toBe(0);
    clock.advance(10_000);
    expect(refreshes()).toBe(1);
  });

  it('republishes the last sample with a new ts after max_interval when the driver cannot be read on demand', () => {
    const { sampler, published, clock } = setup({ deadband: 1, maxIntervalMs: 1000 });
    sampler.offer(true, 0);
    clock.advance(1000);
    expect(published).toEqual([{ value: true, ts: 0 }, { value: true, ts: 1000 }]);
  });

  it('holds back samples within the throttle time and publishes the latest when it is up', () => {
    const { sampler, published, clock } = setup({ throttleMs: 1000 });
    sampler.offer(1, 0);
    clock.advance(100);
    sampler.offer(2, 100);
    clock.advance(100);
    sampler.offer(3, 200);
    expect(published.map((p) => p.value)).toEqual([1]);
    clock.advance(800);
    expect(published).toEqual([{ value: 1, ts: 0 }, { value: 3, ts: 200 }]);
  });

  it('publishes the moving average over the window', () => {
    const { sampler, published } = setup({ average: 3 });
    for (const value of [3, 6, 9, 12]) sampler.offer(value, 0);
    expect(published.map((p) => p.value)).toEqual([3, 4.5, 6, 9]);
  });

  it('ignores samples and fires no timer after stop', () => {
    const { sampler, published, clock } = setup({ deadband: 1, maxIntervalMs: 1000, throttleMs: 500 });
    sampler.offer(1, 0);
    sampler.offer(5, 0);
    sampler.stop();
    sampler.offer(9, 0);
    clock.advance(5000);
    expect(published.map((p) => p.value)).toEqual([1]);
    expect(clock.pending).toBe(0);
  });
});
