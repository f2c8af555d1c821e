import type { Clock, TimerHandle } from '../common/clock.js';
import type { SensorValue } from './driver.js';

/**
 * Which samples of a sensor become published readings (PRODUCT.md "Device config"): a moving
 * `average`, a `deadband` against the last *published* value, `max_interval` (with a deadband, a
 * fresh reading at least this often; the timer restarts at each publication) and `throttle` (at
 * most one publication per this time; a sample held back is published when the time is up, so
 * the latest value is never lost). Pure policy: time comes from the injected clock, samples come
 * in through `offer`, publications go out through `publish`.
 */
export interface SamplerOptions {
  deadband?: number | undefined;
  maxIntervalMs?: number | undefined;
  throttleMs?: number | undefined;
  average?: number | undefined;
}

export interface SamplerHooks {
  publish(value: SensorValue, ts: number): void;
  /**
   * Asks for a fresh sample now (max_interval ran out); the sampler publishes what is offered
   * next whatever the deadband. Without it, the last sample is published again with a new ts.
   */
  refresh?: () => void;
}

export class Sampler {
  readonly #options: SamplerOptions;
  readonly #clock: Clock;
  readonly #hooks: SamplerHooks;
  readonly #window: number[] = [];
  #windowSum = 0;
  #lastPublished: SensorValue | undefined;
  #lastPublishedAt: number | undefined;
  /** The last sample offered (after averaging): kept as two fields, no object per sample. */
  #latestValue: SensorValue | undefined;
  #latestTs = 0;
  /** A sample the throttle held back, published when the throttle allows. */
  #held: { value: SensorValue; ts: number } | undefined;
  #throttleTimer: TimerHandle | undefined;
  #maxIntervalTimer: TimerHandle | undefined;
  #force = false;
  #stopped = false;

  constructor(options: SamplerOptions, clock: Clock, hooks: SamplerHooks) {
    this.#options = options;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  /** The last sample offered (after averaging), published or not. */
  get latest(): { value: SensorValue; ts: number } | undefined {
    return this.#latestValue === undefined ? undefined : { value: this.#latestValue, ts: this.#latestTs };
  }

  /** One sample from the driver. */
  offer(raw: SensorValue, ts: number): void {
    if (this.#stopped) return;
    const value = typeof raw === 'number' ? this.#averaged(raw) : raw;
    this.#latestValue = value;
    this.#latestTs = ts;
    const force = this.#force;
    this.#force = false;
    if (!force && !this.#movedEnough(value)) return;
    this.#throttled(value, ts);
  }

  /** Stops the timers; later samples are ignored. */
  stop(): void {
    this.#stopped = true;
    if (this.#throttleTimer !== undefined) this.#clock.clearTimeout(this.#throttleTimer);
    if (this.#maxIntervalTimer !== undefined) this.#clock.clearTimeout(this.#maxIntervalTimer);
    this.#throttleTimer = this.#maxIntervalTimer = undefined;
  }

  #averaged(value: number): number {
    const size = this.#options.average;
    if (size === undefined || size <= 1) return value;
    this.#window.push(value);
    this.#windowSum += value;
    if (this.#window.length > size) this.#windowSum -= this.#window.shift()!;
    // Rounded so a float sum's drift never shows as a change of 1e-15.
    return Math.round((this.#windowSum / this.#window.length) * 1e6) / 1e6;
  }

  #movedEnough(value: SensorValue): boolean {
    const deadband = this.#options.deadband;
    const last = this.#lastPublished;
    if (deadband === undefined || last === undefined) return true;
    if (typeof value !== 'number' || typeof last !== 'number') return value !== last;
    return deadband === 0 ? value !== last : Math.abs(value - last) > deadband;
  }

  #throttled(value: SensorValue, ts: number): void {
    const throttle = this.#options.throttleMs;
    const last = this.#lastPublishedAt;
    if (throttle === undefined || last === undefined) return this.#publish(value, ts);
    const wait = last + throttle - this.#clock.now();
    if (wait <= 0) return this.#publish(value, ts);
    this.#held = { value, ts };
    this.#throttleTimer ??= this.#clock.setTimeout(() => {
      this.#throttleTimer = undefined;
      const held = this.#held;
      this.#held = undefined;
      if (held !== undefined && !this.#stopped) this.#publish(held.value, held.ts);
    }, wait);
  }

  #publish(value: SensorValue, ts: number): void {
    this.#held = undefined;
    this.#lastPublished = value;
    this.#lastPublishedAt = this.#clock.now();
    this.#armMaxInterval();
    this.#hooks.publish(value, ts);
  }

  #armMaxInterval(): void {
    const max = this.#options.maxIntervalMs;
    if (max === undefined || this.#options.deadband === undefined) return;
    if (this.#maxIntervalTimer !== undefined) this.#clock.clearTimeout(this.#maxIntervalTimer);
    this.#maxIntervalTimer = this.#clock.setTimeout(() => this.#onMaxInterval(), max);
  }

  #onMaxInterval(): void {
    this.#maxIntervalTimer = undefined;
    if (this.#stopped) return;
    if (this.#hooks.refresh !== undefined) {
      this.#force = true;
      this.#hooks.refresh();
      return;
    }
    if (this.#latestValue !== undefined) this.#throttled(this.#latestValue, this.#clock.now());
  }
}
