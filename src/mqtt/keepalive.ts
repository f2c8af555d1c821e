import type { Clock, TimerHandle } from '../common/clock.js';

/**
 * MQTT keepalive on the server side (section 3.1.2.10): a client that sends nothing for one and
 * a half times its Keep Alive is disconnected. Activity only records a time; one timer per
 * connection re-arms itself for what is left, so a busy connection costs no timer operations.
 */
export class KeepAlive {
  readonly #clock: Clock;
  readonly #limitMs: number;
  readonly #onTimeout: () => void;
  #last: number;
  #timer: TimerHandle | undefined;

  /** `seconds` 0 turns the mechanism off. */
  constructor(clock: Clock, seconds: number, onTimeout: () => void) {
    this.#clock = clock;
    this.#limitMs = seconds * 1500;
    this.#onTimeout = onTimeout;
    this.#last = clock.now();
    if (this.#limitMs > 0) this.#arm(this.#limitMs);
  }

  /** The client sent something. */
  touch(): void {
    this.#last = this.#clock.now();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(this.#check, ms);
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    const idle = this.#clock.now() - this.#last;
    if (idle >= this.#limitMs) this.#onTimeout();
    else this.#arm(this.#limitMs - idle);
  };
}
