import type { Clock } from '../common/clock.js';
import { CloseUri } from '../protocol/uris.js';
import { Backoff, type BackoffOptions } from './backoff.js';

/**
 * When a ManagedSession retries: the exponential backoff with full jitter (backoff.ts), plus
 * two rules about the session that just ended.
 *
 * - A session that stayed up for `healthyMs` starts the backoff from its initial window again;
 *   one that ends sooner (a router that accepts and then drops the session at once) keeps the
 *   window growing, so a flapping link is not hammered.
 * - A router that said GOODBYE with `wamp.close.system_shutdown` is restarting: for
 *   RESTART_WINDOW_MS after that, retries come every RESTART_MIN_MS–RESTART_MAX_MS (jittered,
 *   at most `maxMs`) instead of waiting out a window that grows while the router is away.
 */

/** How long a session must have lasted for the backoff to start over (default). */
export const DEFAULT_HEALTHY_MS = 10_000;
/** Retry delays while a restarting router is expected back. */
export const RESTART_MIN_MS = 200;
export const RESTART_MAX_MS = 1_000;
/** How long after a system_shutdown retries stay quick. */
export const RESTART_WINDOW_MS = 60_000;

export interface ReconnectScheduleOptions extends BackoffOptions {
  /** A session that lasted this long resets the backoff (default 10 s). */
  healthyMs?: number;
}

export class ReconnectSchedule extends Backoff {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #healthyMs: number;
  #joinedAt: number | undefined;
  #quickUntil = Number.NEGATIVE_INFINITY;

  constructor(options: ReconnectScheduleOptions = {}, random: () => number, clock: Clock) {
    super(options, random);
    const healthyMs = options.healthyMs ?? DEFAULT_HEALTHY_MS;
    if (!(healthyMs >= 0 && Number.isFinite(healthyMs))) throw new RangeError('reconnect.healthyMs must be a finite number >= 0');
    this.#healthyMs = healthyMs;
    this.#random = random;
    this.#clock = clock;
  }

  /** A session was joined. */
  joined(): void {
    this.#joinedAt = this.#clock.now();
  }

  /** The joined session ended with the close `reason`. */
  ended(reason: string): void {
    const now = this.#clock.now();
    if (this.#joinedAt !== undefined && now - this.#joinedAt >= this.#healthyMs) this.reset();
    this.#joinedAt = undefined;
    if (reason === CloseUri.SYSTEM_SHUTDOWN) this.#quickUntil = now + RESTART_WINDOW_MS;
  }

  /** The delay of the next retry (undefined once `retries` are used up), quick while a restart is expected. */
  override next(): number | undefined {
    const delay = super.next();
    if (delay === undefined || this.#clock.now() >= this.#quickUntil) return delay;
    const r = Math.min(Math.max(this.#random(), 0), 1);
    return Math.min(this.options.maxMs, RESTART_MIN_MS + r * (RESTART_MAX_MS - RESTART_MIN_MS));
  }
}
