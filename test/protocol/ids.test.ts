import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_ID, RouterScopeIds, SequentialIds, isValidId, randomId } from '../../src/protocol/ids.js';

describe('ids', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('randomId', () => {
    it('returns integers in [1, 2^53]', () => {
      for (let i = 0; i < 10_000; i++) {
        const id = randomId();
        expect(Number.isInteger(id)).toBe(true);
        expect(id).toBeGreaterThanOrEqual(1);
        expect(id).toBeLessThanOrEqual(MAX_ID);
      }
    });

    it('reaches both ends of the range', () => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      expect(randomId()).toBe(1);
      vi.spyOn(Math, 'random').mockReturnValue(1 - 2 ** -53);
      expect(randomId()).toBe(2 ** 53);
    });

    it('spreads over the whole range, not just the low 32 bits', () => {
      const draws = Array.from({ length: 10_000 }, randomId);
      const upperHalf = draws.filter((id) => id > 2 ** 52).length / draws.length;
      expect(upperHalf).toBeGreaterThan(0.45);
      expect(upperHalf).toBeLessThan(0.55);
      expect(new Set(draws).size).toBe(draws.length);
    });
  });

  describe('SequentialIds', () => {
    it('counts up from 1', () => {
      const ids = new SequentialIds();
      expect([ids.next(), ids.next(), ids.next()]).toStrictEqual([1, 2, 3]);
    });

    it('peeks at the next id without consuming it', () => {
      const ids = new SequentialIds();
      expect(ids.peek()).toBe(1);
      expect(ids.peek()).toBe(1);
      expect(ids.next()).toBe(1);
      expect(ids.peek()).toBe(2);
    });

    it('wraps back to 1 after 2^53', () => {
      const ids = new SequentialIds(MAX_ID - 1);
      expect(ids.next()).toBe(MAX_ID);
      expect(ids.peek()).toBe(1);
      expect(ids.next()).toBe(1);
      expect(ids.next()).toBe(2);
    });

    it('keeps router-scope ids separate per generator', () => {
      const a = new RouterScopeIds();
      const b = new RouterScopeIds();
      a.next();
      expect(a.next()).toBe(2);
      expect(b.next()).toBe(1);
    });
  });

  describe('isValidId', () => {
    it('accepts integers in [1, 2^53] only', () => {
      for (const ok of [1, 2 ** 32, MAX_ID]) expect(isValidId(ok)).toBe(true);
      for (const bad of [0, -1, 1.5, MAX_ID + 2, Number.NaN, '1', 1n, null]) expect(isValidId(bad)).toBe(false);
    });
  });
});
