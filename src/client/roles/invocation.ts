import { MessageType } from '../../protocol/message-type.js';
import { withPayload, type Args, type Dict, type YieldMessage } from '../../protocol/messages.js';
import { ErrorUri } from '../../protocol/uris.js';
import { CanceledError, TimeoutError } from '../errors.js';
import type { Invocation } from '../types.js';
import type { RoleContext } from './role.js';

/**
 * A procedure's answer with an explicit payload, made by `result()`: returned from a handler it
 * becomes YIELD Arguments/ArgumentsKw as given, instead of `[value]`.
 */
export class CallResult {
  readonly args: Args;
  readonly kwargs: Dict;

  constructor(args: Args = [], kwargs: Dict = {}) {
    this.args = args;
    this.kwargs = kwargs;
  }
}

/** `return result([1, 2], {unit: 'C'})` → YIELD args [1, 2], kwargs {unit: 'C'}. */
export function result(args?: Args, kwargs?: Dict): CallResult {
  return new CallResult(args, kwargs);
}

/** The YIELD payload for a handler's value: CallResult as is, undefined → none, else [value]. */
export function payloadOf(value: unknown): { args?: Args; kwargs?: Dict } {
  if (value instanceof CallResult) return value;
  if (value === undefined) return {};
  return { args: [value] };
}

export type InterruptMode = 'kill' | 'killnowait';

/**
 * One INVOCATION being handled: what the procedure receives, plus the callee's bookkeeping.
 * The AbortController behind `signal` is created only when a handler reads `signal` or the
 * router interrupts, so plain invocations allocate none.
 */
export class ActiveInvocation implements Invocation {
  readonly id: number;
  readonly args: Args;
  readonly kwargs: Dict;
  readonly details: Dict;
  readonly procedure: string;
  readonly receiveProgress: boolean;
  /** Set by INTERRUPT: what the dealer expects once the handler finishes. */
  interruptMode: InterruptMode | undefined;
  /** The callee answered (or the session ended): progress() is a no-op from now on. */
  done = false;
  readonly #ctx: RoleContext;
  #controller: AbortController | undefined;
  #abortReason: Error | undefined;

  constructor(ctx: RoleContext, id: number, procedure: string, details: Dict, args: Args, kwargs: Dict) {
    this.#ctx = ctx;
    this.id = id;
    this.details = details;
    this.args = args;
    this.kwargs = kwargs;
    const concrete = details['procedure'];
    this.procedure = typeof concrete === 'string' ? concrete : procedure;
    this.receiveProgress = details['receive_progress'] === true;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /**
   * Sends a progressive result when the caller asked for them (a no-op otherwise, and once the
   * invocation was answered or interrupted). Throws PayloadSizeExceededError when too large.
   */
  progress(args?: Args, kwargs?: Dict): void {
    if (!this.receiveProgress || this.done || this.interruptMode !== undefined) return;
    this.#ctx.send(withPayload<YieldMessage>([MessageType.YIELD, this.id, { progress: true }], args, kwargs));
  }

  /** The router interrupted the call (`reason`: INTERRUPT.Options.reason), or the session ended. */
  abort(mode: InterruptMode, reason: unknown): void {
    this.interruptMode ??= mode;
    this.abortWith(reason === ErrorUri.TIMEOUT ? new TimeoutError(['the call timed out']) : new CanceledError());
  }

  /** Aborts the signal with `error` (once). */
  abortWith(error: Error): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = error;
    this.#controller?.abort(error);
  }
}
