import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../../src/transport/connection-limiter.js';

describe('ConnectionLimiter', () => {
  it('hands out slots up to the maximum and takes them back', () => {
    const limiter = new ConnectionLimiter(2);
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, false]);
    limiter.release();
    expect(limiter.count).toBe(1);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('never counts below zero', () => {
    const limiter = new ConnectionLimiter(1);
    limiter.release();
    expect(limiter.count).toBe(0);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it('is unlimited by default and rejects a negative maximum', () => {
    const limiter = new ConnectionLimiter();
    for (let i = 0; i < 1000; i++) expect(limiter.tryAcquire()).toBe(true);
    expect(() => new ConnectionLimiter(-1)).toThrow(RangeError);
  });
});
