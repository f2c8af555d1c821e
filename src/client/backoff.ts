/**
 * Reconnect delays: exponential backoff with FULL jitter ("Exponential Backoff And Jitter",
 * AWS Architecture Blog 2015). Many devices losing the same router at the same moment spread
 * their retries over the whole window instead of reconnecting in lockstep (devices.md "Networks
 * fail"). Pure: the random source is injected.
 *
 *   delay(n) = random() * min(maxMs, initialMs * factor^n)      n = 0 for the first retry
 */

export interface BackoffOptions {
  /** Upper bound of the first delay (default 500 ms). */
  initialMs?: number;
  /** Cap of the window (default 30 s). */
  maxMs?: number;
  /** Growth of the window per failed round (default 2). */
  factor?: number;
  /** Failed rounds before giving up (default Infinity: never). */
  retries?: number;
}

export type ResolvedBackoffOptions = Required<BackoffOptions>;

export const DEFAULT_BACKOFF: ResolvedBackoffOptions = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  retries: Number.POSITIVE_INFINITY,
};

/** Applies the defaults and rejects values that would make the policy meaningless. */
export function resolveBackoffOptions(options: BackoffOptions = {}): ResolvedBackoffOptions {
  const resolved: ResolvedBackoffOptions = {
    initialMs: options.initialMs ?? DEFAULT_BACKOFF.initialMs,
    maxMs: options.maxMs ?? DEFAULT_BACKOFF.maxMs,
    factor: options.factor ?? DEFAULT_BACKOFF.factor,
    retries: options.retries ?? DEFAULT_BACKOFF.retries,
  };
  check(resolved.initialMs >= 0 && Number.isFinite(resolved.initialMs), 'reconnect.initialMs must be a finite number >= 0');
  check(resolved.maxMs >= resolved.initialMs && Number.isFinite(resolved.maxMs), 'reconnect.maxMs must be finite and >= initialMs');
  check(resolved.factor >= 1 && Number.isFinite(resolved.factor), 'reconnect.factor must be a finite number >= 1');
  check(
    resolved.retries === Number.POSITIVE_INFINITY || (Number.isInteger(resolved.retries) && resolved.retries >= 0),
    'reconnect.retries must be a whole number >= 0 or Infinity',
  );
  return resolved;
}

/** The window (upper bound) of retry `n`, before jitter. */
export function backoffCeiling(options: ResolvedBackoffOptions, n: number): number {
  // factor^n overflows to Infinity for large n; min() then picks maxMs.
  return Math.min(options.maxMs, options.initialMs * options.factor ** n);
}

/**
 * Counts consecutive failed rounds and hands out jittered delays. `next()` returns the delay of
 * the next retry, or undefined once `retries` are used up; `reset()` after a successful join.
 */
export class Backoff {
  readonly #options: ResolvedBackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#options = resolveBackoffOptions(options);
    this.#random = random;
  }

  /** Retries handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  get options(): ResolvedBackoffOptions {
    return this.#options;
  }

  next(): number | undefined {
    if (this.#attempt >= this.#options.retries) return undefined;
    const ceiling = backoffCeiling(this.#options, this.#attempt);
    this.#attempt += 1;
    // Clamp a misbehaving random source into [0, 1).
    const r = Math.min(Math.max(this.#random(), 0), 1);
    return r * ceiling;
  }

  reset(): void {
    this.#attempt = 0;
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}
