import { describe, expect, it } from 'vitest';
import { UriIndex } from '../../src/router/matcher.js';

function indexOf(entries: Array<[string, 'exact' | 'prefix' | 'wildcard']>): UriIndex<string> {
  const index = new UriIndex<string>();
  for (const [uri, match] of entries) index.set(uri, match, `${match}:${uri}`);
  return index;
}

describe('UriIndex', () => {
  describe('get/set/delete', () => {
    it('keeps the same URI under different policies apart', () => {
      const index = indexOf([
        ['com.app', 'exact'],
        ['com.app', 'prefix'],
        ['com.app', 'wildcard'],
      ]);
      expect(index.size).toBe(3);
      expect(index.get('com.app', 'exact')).toBe('exact:com.app');
      expect(index.get('com.app', 'prefix')).toBe('prefix:com.app');
      expect(index.get('com.app', 'wildcard')).toBe('wildcard:com.app');
      expect(index.get('com.other', 'exact')).toBeUndefined();
    });

    it('replaces the value of an existing pattern', () => {
      const index = new UriIndex<number>();
      index.set('a..c', 'wildcard', 1);
      index.set('a..c', 'wildcard', 2);
      expect(index.size).toBe(1);
      expect(index.get('a..c', 'wildcard')).toBe(2);
      expect(index.matchAll('a.b.c')).toEqual([2]);
    });

    it('deletes one policy of a URI and reports whether it existed', () => {
      const index = indexOf([
        ['com.app', 'exact'],
        ['com.app', 'prefix'],
        ['a..c', 'wildcard'],
      ]);
      expect(index.delete('com.app', 'prefix')).toBe(true);
      expect(index.delete('com.app', 'prefix')).toBe(false);
      expect(index.delete('a..c', 'wildcard')).toBe(true);
      expect(index.get('com.app', 'exact')).toBe('exact:com.app');
      expect(index.matchAll('com.app.x')).toEqual([]);
      expect(index.matchAll('a.b.c')).toEqual([]);
      expect(index.size).toBe(1);
    });
  });

  describe('matchAll', () => {
    it('returns exact, then prefix, then wildcard matches', () => {
      const index = indexOf([
        ['com.app..temp', 'wildcard'],
        ['com.app.', 'prefix'],
        ['com.app.kitchen.temp', 'exact'],
        ['com', 'prefix'],
      ]);
      expect(index.matchAll('com.app.kitchen.temp')).toEqual([
        'exact:com.app.kitchen.temp',
        'prefix:com.app.',
        'prefix:com',
        'wildcard:com.app..temp',
      ]);
    });

    it('matches a prefix as a plain string prefix, the topic itself included', () => {
      // pubsub_pattern_based_subscription.md: `…emergency` matches `…emergency-low` and itself.
      const index = indexOf([['com.myapp.topic.emergency', 'prefix']]);
      expect(index.matchAll('com.myapp.topic.emergency.11')).toHaveLength(1);
      expect(index.matchAll('com.myapp.topic.emergency-low')).toHaveLength(1);
      expect(index.matchAll('com.myapp.topic.emergency')).toHaveLength(1);
      expect(index.matchAll('com.myapp.topic.emerge')).toHaveLength(0);
    });

    it('matches everything with the empty prefix', () => {
      const index = indexOf([['', 'prefix']]);
      expect(index.matchAll('a')).toEqual(['prefix:']);
      expect(index.matchAll('x.y.z')).toEqual(['prefix:']);
    });

    it('matches a wildcard only with the same number of components', () => {
      // Examples from pubsub_pattern_based_subscription.md.
      const index = indexOf([['com.myapp..userevent', 'wildcard']]);
      for (const topic of ['com.myapp.foo.userevent', 'com.myapp.bar.userevent', 'com.myapp.a12.userevent']) {
        expect(index.matchAll(topic), topic).toEqual(['wildcard:com.myapp..userevent']);
      }
      for (const topic of ['com.myapp.foo.userevent.bar', 'com.myapp.foo.user', 'com.myapp2.foo.userevent']) {
        expect(index.matchAll(topic), topic).toEqual([]);
      }
    });

    it('treats leading and trailing empty components as wildcards', () => {
      const index = indexOf([
        ['.b.c', 'wildcard'],
        ['a.b.', 'wildcard'],
        ['..', 'wildcard'],
      ]);
      expect(index.matchAll('a.b.c')).toEqual(['wildcard:.b.c', 'wildcard:a.b.', 'wildcard:..']);
      expect(index.matchAll('x.y.z')).toEqual(['wildcard:..']);
      expect(index.matchAll('a.b')).toEqual([]);
    });

    it('returns nothing from an empty index', () => {
      expect(new UriIndex<string>().matchAll('a.b')).toEqual([]);
    });
  });

  describe('matchBest', () => {
    // The registered procedures and calls of rpc_pattern_based_registration.md.
    const index = indexOf([
      ['a1.b2.c3.d4.e55', 'exact'],
      ['a1.b2.c3', 'prefix'],
      ['a1.b2.c3.d4', 'prefix'],
      ['a1.b2..d4.e5', 'wildcard'],
      ['a1.b2.c33..e5', 'wildcard'],
      ['a1.b2..d4.e5..g7', 'wildcard'],
      ['a1.b2..d4..f6.g7', 'wildcard'],
    ]);

    it('prefers an exact match', () => {
      expect(index.matchBest('a1.b2.c3.d4.e55')).toBe('exact:a1.b2.c3.d4.e55');
    });

    it('prefers the longest prefix over shorter prefixes and wildcards', () => {
      expect(index.matchBest('a1.b2.c3.d98.e74')).toBe('prefix:a1.b2.c3');
      expect(index.matchBest('a1.b2.c3.d4.e325')).toBe('prefix:a1.b2.c3.d4');
    });

    it('prefers the wildcard with the longer first run of components', () => {
      expect(index.matchBest('a1.b2.c55.d4.e5')).toBe('wildcard:a1.b2..d4.e5');
      const wildcards = indexOf([
        ['a1.b2..d4.e5', 'wildcard'],
        ['a1.b2.c33..e5', 'wildcard'],
      ]);
      expect(wildcards.matchBest('a1.b2.c33.d4.e5')).toBe('wildcard:a1.b2.c33..e5');
    });

    it('matches prefixes as strings even where the spec example counts components', () => {
      // The spec's example says `a1.b2.c33.d4.e5` has no prefix match, but its own rule (and
      // Crossbar, Nexus) make `a1.b2.c3` a prefix of it, as `myobject1` is of `myobject1-mysub…`.
      expect(index.matchBest('a1.b2.c33.d4.e5')).toBe('prefix:a1.b2.c3');
    });

    it('breaks a tie on the first run by the second run', () => {
      expect(index.matchBest('a1.b2.c88.d4.e5.f6.g7')).toBe('wildcard:a1.b2..d4.e5..g7');
    });

    it('breaks the tie whatever the insertion order', () => {
      const reversed = indexOf([
        ['a1.b2..d4..f6.g7', 'wildcard'],
        ['a1.b2..d4.e5..g7', 'wildcard'],
      ]);
      expect(reversed.matchBest('a1.b2.c88.d4.e5.f6.g7')).toBe('wildcard:a1.b2..d4.e5..g7');
    });

    it('returns undefined when nothing matches', () => {
      expect(index.matchBest('a2.b2.c2.d2.e2')).toBeUndefined();
    });

    it('falls back to a wildcard only when no prefix matches', () => {
      const mixed = indexOf([
        ['x..z', 'wildcard'],
        ['x.', 'prefix'],
      ]);
      expect(mixed.matchBest('x.y.z')).toBe('prefix:x.');
      mixed.delete('x.', 'prefix');
      expect(mixed.matchBest('x.y.z')).toBe('wildcard:x..z');
    });
  });

  describe('byPolicy', () => {
    it('groups every value by its match policy', () => {
      const index = indexOf([
        ['a', 'exact'],
        ['b', 'exact'],
        ['c.', 'prefix'],
        ['d..e', 'wildcard'],
      ]);
      expect(index.byPolicy()).toEqual({
        exact: ['exact:a', 'exact:b'],
        prefix: ['prefix:c.'],
        wildcard: ['wildcard:d..e'],
      });
    });
  });
});

describe('UriIndex.hasPatterns', () => {
  it('tells whether a prefix or wildcard pattern is indexed', () => {
    const index = new UriIndex<number>();
    index.set('com.a', 'exact', 1);
    expect(index.hasPatterns).toBe(false);
    index.set('com.', 'prefix', 2);
    expect(index.hasPatterns).toBe(true);
    index.delete('com.', 'prefix');
    index.set('com..b', 'wildcard', 3);
    expect(index.hasPatterns).toBe(true);
    index.delete('com..b', 'wildcard');
    expect(index.hasPatterns).toBe(false);
  });
});
