import type { TimerHandle } from '../../common/clock.js';
import { MessageType } from '../../protocol/message-type.js';
import { withPayload, type Args, type CallMessage, type Dict, type ErrorMessage, type ResultMessage } from '../../protocol/messages.js';
import { CanceledError, errorFromWire, TimeoutError, type SessionClosedError } from '../errors.js';
import type { CallOptions, CancelMode, Result } from '../types.js';
import { ProgressiveCall } from './progressive-call.js';
import type { Pending, Role, RoleContext } from './role.js';

/** Largest delay setTimeout honours (2^31 - 1 ms); longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The caller role (basic/remote_procedure_call.md, advanced rpc_progressive_call_results.md,
 * rpc_call_canceling.md, rpc_call_timeout.md): CALL → RESULT/ERROR, with progressive results,
 * cancellation through an AbortSignal and a client-side timeout.
 *
 * Timeouts are always enforced here with the injected clock. CALL.Options.timeout is sent only to
 * dealers that announce `call_timeout` (ms, per the spec): Crossbar enforces it in seconds without
 * announcing it, so it must never see the option. A late RESULT/ERROR for a call that was
 * canceled or timed out locally is ignored.
 */
export class Caller implements Role {
  readonly #ctx: RoleContext;
  readonly #calls = new Map<number, PendingCall>();

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
  }

  /** Calls in flight. */
  get pending(): number {
    return this.#calls.size;
  }

  call(procedure: string, args?: Args, kwargs?: Dict, options: CallOptions = {}): Promise<Result> {
    const ctx = this.#ctx;
    const closed = ctx.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(new CanceledError(['the call was canceled before it was sent']));
    const id = ctx.nextRequestId();
    const callOptions: Dict = {};
    if (options.onProgress !== undefined) callOptions['receive_progress'] = true;
    if (options.discloseMe === true) callOptions['disclose_me'] = true;
    const timeout = options.timeout ?? 0;
    if (timeout > 0 && ctx.routerSupports('dealer', 'call_timeout')) callOptions['timeout'] = timeout;
    try {
      ctx.sendRequest(withPayload<CallMessage>([MessageType.CALL, id, callOptions, procedure], args, kwargs));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Result>((resolve, reject) => {
      const call = new PendingCall(id, this.#calls, ctx, options, resolve, reject);
      this.#calls.set(id, call);
      if (timeout > 0) call.startTimer(timeout);
      if (signal !== undefined) signal.addEventListener('abort', call, { once: true });
    });
  }

  /** Like `call` with progress: an async iterable of every progressive result, then the final one. */
  callProgressive(
    procedure: string,
    args?: Args,
    kwargs?: Dict,
    options: Omit<CallOptions, 'onProgress'> = {},
  ): AsyncIterable<Result> {
    return new ProgressiveCall((callOptions) => this.call(procedure, args, kwargs, callOptions), options);
  }

  onResult(message: ResultMessage): void {
    const [, id, details, args, kwargs] = message;
    const call = this.#calls.get(id);
    if (call === undefined) return; // canceled or timed out locally: a late answer is ignored
    if (details['progress'] === true) {
      call.progress({ args: args ?? [], kwargs: kwargs ?? {}, details });
      return;
    }
    this.#calls.delete(id);
    call.finish();
    call.resolve({ args: args ?? [], kwargs: kwargs ?? {}, details });
  }

  onError(message: ErrorMessage): void {
    const [, , id, details, uri, args, kwargs] = message;
    const call = this.#calls.get(id);
    if (call === undefined) return;
    this.#calls.delete(id);
    call.finish();
    call.reject(errorFromWire(uri, args, kwargs, details));
  }

  close(error: SessionClosedError): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) {
      call.finish();
      call.reject(error);
    }
  }
}

/**
 * One call in flight. It is its own AbortSignal listener (`handleEvent`), so a call with a signal
 * costs no extra closure.
 */
class PendingCall implements Pending<Result> {
  readonly id: number;
  readonly resolve: (value: Result) => void;
  readonly reject: (error: Error) => void;
  readonly #calls: Map<number, PendingCall>;
  readonly #ctx: RoleContext;
  readonly #options: CallOptions;
  #timer: TimerHandle | undefined;

  constructor(
    id: number,
    calls: Map<number, PendingCall>,
    ctx: RoleContext,
    options: CallOptions,
    resolve: (value: Result) => void,
    reject: (error: Error) => void,
  ) {
    this.id = id;
    this.#calls = calls;
    this.#ctx = ctx;
    this.#options = options;
    this.resolve = resolve;
    this.reject = reject;
  }

  startTimer(ms: number): void {
    this.#timer = this.#ctx.clock.setTimeout(() => this.#expire(ms), Math.min(ms, MAX_TIMER_MS));
  }

  progress(result: Result): void {
    const onProgress = this.#options.onProgress;
    if (onProgress === undefined) return;
    try {
      onProgress(result);
    } catch (error) {
      this.#ctx.logger.warn('progress handler failed', { request: this.id, error: String(error) });
    }
  }

  /** Stops the timer and the signal listener; the caller removes the call from the table. */
  finish(): void {
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#options.signal?.removeEventListener('abort', this);
  }

  /** The caller's AbortSignal fired: CANCEL (if the dealer can) and reject with CanceledError. */
  handleEvent(): void {
    if (this.#calls.get(this.id) !== this) return;
    const mode: CancelMode = this.#options.cancelMode ?? 'killnowait';
    const sent = this.#cancel(mode);
    if (sent && mode === 'kill') {
      // kill: the dealer interrupts the callee and forwards its answer (normally ERROR canceled).
      this.#options.signal?.removeEventListener('abort', this);
      return;
    }
    this.#calls.delete(this.id);
    this.finish();
    this.reject(new CanceledError());
  }

  #expire(ms: number): void {
    this.#timer = undefined;
    if (this.#calls.get(this.id) !== this) return;
    this.#calls.delete(this.id);
    this.finish();
    this.#cancel('killnowait');
    this.reject(new TimeoutError([`no result within ${ms} ms`]));
  }

  /** Sends CANCEL when the dealer announced call_canceling and the session is open. */
  #cancel(mode: CancelMode): boolean {
    const ctx = this.#ctx;
    if (!ctx.routerSupports('dealer', 'call_canceling') || ctx.closedError() !== undefined) return false;
    try {
      ctx.send([MessageType.CANCEL, this.id, { mode }]);
      return true;
    } catch (error) {
      ctx.logger.warn('could not send CANCEL', { request: this.id, error: String(error) });
      return false;
    }
  }
}
