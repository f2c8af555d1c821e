import type { MatchPolicy } from '../protocol/uris.js';

interface WildcardEntry<T> {
  parts: string[];
  /**
   * Lengths of the runs of non-empty components between wildcards (`a1.b2..d4` → [2, 1]):
   * compared element by element, the larger wins (rpc_pattern_based_registration.md).
   */
  rank: number[];
  value: T;
}

/**
 * An index of URI patterns (exact, prefix, wildcard) shared by the broker and the dealer.
 * Exact patterns live in a Map; prefix and wildcard patterns are scanned only when present
 * (most realms have few). Prefix matching is plain string prefix (`com.app.` matches
 * `com.app.x`); a wildcard has the same number of components, an empty one matching any.
 */
export class UriIndex<T> {
  readonly #exact = new Map<string, T>();
  readonly #prefix = new Map<string, T>();
  readonly #wildcard = new Map<string, WildcardEntry<T>>();

  /** Whether any prefix or wildcard pattern is indexed (else only an exact lookup can match). */
  get hasPatterns(): boolean {
    return this.#prefix.size > 0 || this.#wildcard.size > 0;
  }

  get size(): number {
    return this.#exact.size + this.#prefix.size + this.#wildcard.size;
  }

  get(uri: string, match: MatchPolicy): T | undefined {
    switch (match) {
      case 'exact':
        return this.#exact.get(uri);
      case 'prefix':
        return this.#prefix.get(uri);
      case 'wildcard':
        return this.#wildcard.get(uri)?.value;
    }
  }

  set(uri: string, match: MatchPolicy, value: T): void {
    switch (match) {
      case 'exact':
        this.#exact.set(uri, value);
        return;
      case 'prefix':
        this.#prefix.set(uri, value);
        return;
      case 'wildcard': {
        const parts = uri.split('.');
        this.#wildcard.set(uri, { parts, rank: wildcardRank(parts), value });
        return;
      }
    }
  }

  delete(uri: string, match: MatchPolicy): boolean {
    switch (match) {
      case 'exact':
        return this.#exact.delete(uri);
      case 'prefix':
        return this.#prefix.delete(uri);
      case 'wildcard':
        return this.#wildcard.delete(uri);
    }
  }

  /** Every value whose pattern matches `uri`: exact first, then prefix, then wildcard. */
  matchAll(uri: string): T[] {
    const out: T[] = [];
    const exact = this.#exact.get(uri);
    if (exact !== undefined) out.push(exact);
    if (this.#prefix.size > 0) {
      for (const [prefix, value] of this.#prefix) if (uri.startsWith(prefix)) out.push(value);
    }
    if (this.#wildcard.size > 0) {
      const parts = uri.split('.');
      for (const entry of this.#wildcard.values()) if (wildcardMatches(entry.parts, parts)) out.push(entry.value);
    }
    return out;
  }

  /**
   * The value that should handle `uri` (pattern_based_registration): an exact match, else the
   * longest matching prefix, else the matching wildcard with the longest first run of concrete
   * components, ties broken by the next run, and so on.
   */
  matchBest(uri: string): T | undefined {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) return exact;
    let best: T | undefined;
    if (this.#prefix.size > 0) {
      let bestLength = -1;
      for (const [prefix, value] of this.#prefix) {
        if (prefix.length > bestLength && uri.startsWith(prefix)) {
          best = value;
          bestLength = prefix.length;
        }
      }
      if (best !== undefined) return best;
    }
    if (this.#wildcard.size > 0) {
      const parts = uri.split('.');
      let bestRank: number[] | undefined;
      for (const entry of this.#wildcard.values()) {
        if ((bestRank === undefined || compareRanks(entry.rank, bestRank) > 0) && wildcardMatches(entry.parts, parts)) {
          best = entry.value;
          bestRank = entry.rank;
        }
      }
    }
    return best;
  }

  /** All values grouped by match policy (for the meta API `list` procedures). */
  byPolicy(): Record<MatchPolicy, T[]> {
    return {
      exact: [...this.#exact.values()],
      prefix: [...this.#prefix.values()],
      wildcard: [...this.#wildcard.values()].map((e) => e.value),
    };
  }
}

/** Whether a topic split into components matches a wildcard pattern's components. */
export function wildcardMatches(pattern: readonly string[], parts: readonly string[]): boolean {
  if (pattern.length !== parts.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p !== '' && p !== parts[i]) return false;
  }
  return true;
}

function wildcardRank(parts: string[]): number[] {
  const rank: number[] = [];
  let run = 0;
  for (const part of parts) {
    if (part === '') {
      rank.push(run);
      run = 0;
    } else {
      run++;
    }
  }
  rank.push(run);
  return rank;
}

function compareRanks(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
