/** The timers a LatestSender uses (injectable for tests). */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
}

export const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
};

/**
 * Sends values one at a time, at most one start per `intervalMs`, and always the latest: a value
 * pushed while a send is in flight (or too soon after the last start) waits, and a newer push
 * replaces it. So dragging a slider makes a few calls, never a pile of them, never out of order,
 * and the value the finger stopped at is always sent.
 */
export class LatestSender<T> {
  readonly #send: (item: T) => Promise<unknown>;
  readonly #intervalMs: number;
  readonly #timers: Timers;
  #queued: { item: T } | undefined;
  #busy = false;
  #waiting = false;
  #lastStart = Number.NEGATIVE_INFINITY;

  constructor(send: (item: T) => Promise<unknown>, intervalMs: number, timers: Timers = browserTimers) {
    this.#send = send;
    this.#intervalMs = intervalMs;
    this.#timers = timers;
  }

  push(item: T): void {
    this.#queued = { item };
    this.#pump();
  }

  #pump(): void {
    if (this.#busy || this.#waiting || this.#queued === undefined) return;
    const wait = this.#lastStart + this.#intervalMs - this.#timers.now();
    if (wait > 0) {
      this.#waiting = true;
      this.#timers.setTimeout(() => {
        this.#waiting = false;
        this.#pump();
      }, wait);
      return;
    }
    const { item } = this.#queued;
    this.#queued = undefined;
    this.#busy = true;
    this.#lastStart = this.#timers.now();
    const done = (): void => {
      this.#busy = false;
      this.#pump();
    };
    let sending: Promise<unknown>;
    try {
      sending = this.#send(item);
    } catch {
      sending = Promise.resolve();
    }
    sending.then(done, done);
  }
}
