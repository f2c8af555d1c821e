import type { Clock, TimerHandle } from '../common/clock.js';
import type { Args, Dict } from '../protocol/messages.js';
import { CanceledError, SessionClosedError, TimeoutError } from './errors.js';
import { callProblem, publishProblem } from './request-checks.js';
import type { Session } from './session.js';
import type { CallOptions, PublishOptions, Result } from './types.js';

interface Waiter {
  resolve(session: Session): void;
  reject(error: Error): void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The calls, publications and first registrations made while a ManagedSession has no session:
 * each waits here for the next join. A call's `timeout` and `signal` bound its wait
 * (TimeoutError, CanceledError), and what is left of the timeout then applies to the call.
 * `releaseAll` hands every waiter the new session; `rejectAll` fails them when the
 * ManagedSession closes, after which (`isClosed`) new waits fail at once with SessionClosedError.
 */
export class SessionWaiters {
  readonly #clock: Clock;
  readonly #isClosed: () => boolean;
  #waiters: Waiter[] = [];

  constructor(clock: Clock, isClosed: () => boolean) {
    this.#clock = clock;
    this.#isClosed = isClosed;
  }

  // Each checks its arguments first (request-checks.ts): a mistake is a TypeError at once, not after the wait.
  async call(procedure: string, args: Args | undefined, kwargs: Dict | undefined, options: CallOptions | undefined): Promise<Result> {
    const problem = callProblem(procedure, args, kwargs, options);
    if (problem !== undefined) throw problem;
    const started = this.#clock.now();
    const session = await this.wait(options?.timeout, options?.signal);
    return session.call(procedure, args, kwargs, this.#remaining(options, started));
  }

  async *callProgressive(
    procedure: string,
    args: Args | undefined,
    kwargs: Dict | undefined,
    options: Omit<CallOptions, 'onProgress'> | undefined,
  ): AsyncGenerator<Result> {
    const problem = callProblem(procedure, args, kwargs, options);
    if (problem !== undefined) throw problem;
    const started = this.#clock.now();
    const session = await this.wait(options?.timeout, options?.signal);
    yield* session.callProgressive(procedure, args, kwargs, this.#remaining(options, started));
  }

  publish(topic: string, args: Args | undefined, kwargs: Dict | undefined, options: PublishOptions | undefined): Promise<void> {
    const problem = publishProblem(topic, args, kwargs, options);
    if (problem !== undefined) return Promise.reject(problem);
    return this.wait(undefined, undefined).then((s) => s.publish(topic, args, kwargs, options));
  }

  /** Resolves with the next joined session; `timeoutMs` (if > 0) and `signal` bound the wait. */
  wait(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<Session> {
    if (this.#isClosed()) return Promise.reject(new SessionClosedError('wamp.close.normal', 'the connection is closed'));
    if (signal?.aborted === true) return Promise.reject(new CanceledError(['the call was canceled before it was sent']));
    return new Promise<Session>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        waiter.timer = this.#clock.setTimeout(() => {
          this.#remove(waiter);
          reject(new TimeoutError([`no session to the router within ${timeoutMs} ms`]));
        }, timeoutMs);
      }
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#remove(waiter);
          reject(new CanceledError(['the call was canceled before it was sent']));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /** Hands `session` to everything waiting. */
  releaseAll(session: Session): void {
    for (const waiter of this.#takeAll()) waiter.resolve(session);
  }

  /** Fails everything waiting with `error`. */
  rejectAll(error: Error): void {
    for (const waiter of this.#takeAll()) waiter.reject(error);
  }

  #takeAll(): Waiter[] {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) this.#drop(waiter);
    return waiters;
  }

  /**
   * `options` with what is left of its timeout after waiting since `started` (at least 1 ms, so
   * the call still times out rather than running unbounded); unchanged without a timeout.
   */
  #remaining<T extends { timeout?: number }>(options: T | undefined, started: number): T | undefined {
    if (options?.timeout === undefined || options.timeout <= 0) return options;
    return { ...options, timeout: Math.max(1, options.timeout - (this.#clock.now() - started)) };
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
    this.#drop(waiter);
  }

  /** Clears the waiter's timer and abort listener. */
  #drop(waiter: Waiter): void {
    if (waiter.timer !== undefined) this.#clock.clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }
}
