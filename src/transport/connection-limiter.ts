/**
 * Counts established connections against a maximum. One limiter is shared by everything a
 * listener accepts (a universal listener shares it between WebSocket and RawSocket).
 */
export class ConnectionLimiter {
  readonly max: number;
  #count = 0;

  constructor(max = Number.POSITIVE_INFINITY) {
    if (!(max >= 0)) throw new RangeError(`maxConnections must be >= 0, got ${max}`);
    this.max = max;
  }

  get count(): number {
    return this.#count;
  }

  /** Takes a slot; false when all are in use. */
  tryAcquire(): boolean {
    if (this.#count >= this.max) return false;
    this.#count++;
    return true;
  }

  release(): void {
    if (this.#count > 0) this.#count--;
  }
}
