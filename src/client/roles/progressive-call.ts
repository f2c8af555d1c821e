import type { CallOptions, Result } from '../types.js';

type StartCall = (options: CallOptions) => Promise<Result>;

/**
 * The async iterable behind `callProgressive`: the call starts when iteration starts, every
 * progressive result is queued until the loop asks for it, the final result ends the iteration,
 * an ERROR is thrown from the loop. Leaving the loop early (`break`, `return`, a throw in the body)
 * cancels the call with the caller's `cancelMode` (default killnowait).
 */
export class ProgressiveCall implements AsyncIterableIterator<Result> {
  readonly #start: StartCall;
  readonly #options: Omit<CallOptions, 'onProgress'>;
  readonly #controller = new AbortController();
  readonly #queue: Result[] = [];
  #waiter: { resolve(r: IteratorResult<Result>): void; reject(e: unknown): void } | undefined;
  #started = false;
  /** The final result was queued, or the call failed: nothing more will arrive. */
  #ended = false;
  #error: unknown;
  #failed = false;

  constructor(start: StartCall, options: Omit<CallOptions, 'onProgress'>) {
    this.#start = start;
    this.#options = options;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Result> {
    if (this.#started) throw new Error('a progressive call can be iterated only once');
    this.#started = true;
    const signal = this.#options.signal;
    if (signal?.aborted === true) this.#controller.abort();
    else signal?.addEventListener('abort', this, { once: true });
    const options: CallOptions = { ...this.#options, signal: this.#controller.signal, onProgress: this.#push };
    this.#start(options).then(this.#final, this.#fail);
    return this;
  }

  next(): Promise<IteratorResult<Result>> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve({ value: queued, done: false });
    if (this.#failed) {
      this.#failed = false;
      return Promise.reject(this.#error);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The loop was left early: cancel the call if it is still running. */
  return(): Promise<IteratorResult<Result>> {
    this.#stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The caller's own AbortSignal fired. */
  handleEvent(): void {
    this.#controller.abort();
  }

  #stop(): void {
    this.#options.signal?.removeEventListener('abort', this);
    this.#queue.length = 0;
    this.#failed = false;
    if (!this.#ended) {
      this.#ended = true;
      this.#controller.abort();
    }
  }

  readonly #push = (result: Result): void => {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter === undefined) {
      this.#queue.push(result);
      return;
    }
    this.#waiter = undefined;
    waiter.resolve({ value: result, done: false });
  };

  readonly #final = (result: Result): void => {
    this.#push(result);
    this.#ended = true;
    this.#options.signal?.removeEventListener('abort', this);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  };

  readonly #fail = (error: unknown): void => {
    this.#options.signal?.removeEventListener('abort', this);
    if (this.#ended) return; // left early: the cancellation is expected
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) waiter.reject(error);
    else {
      this.#error = error;
      this.#failed = true;
    }
  };
}
