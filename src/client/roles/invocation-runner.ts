import { ApplicationError, PayloadSizeExceededError } from '../../protocol/errors.js';
import { MessageType } from '../../protocol/message-type.js';
import { withPayload, type Args, type Dict, type ErrorMessage, type InterruptMessage, type InvocationMessage, type YieldMessage } from '../../protocol/messages.js';
import { ErrorUri } from '../../protocol/uris.js';
import type { SessionClosedError } from '../errors.js';
import type { Procedure } from '../types.js';
import { ActiveInvocation, payloadOf } from './invocation.js';
import type { RoleContext } from './role.js';

/**
 * Runs the callee's procedure handlers and answers their INVOCATIONs
 * (rpc_progressive_call_results.md, rpc_call_canceling.md).
 *
 * A handler's value becomes YIELD [value] (undefined → no payload; `result(args, kwargs)` → as
 * given); an async iterable streams progressive YIELDs, its last value being the final one. A thrown
 * ApplicationError becomes ERROR with its URI and payload; anything else ERROR
 * `wamp.error.runtime_error` with the error's message only (the stack is logged, never sent).
 * INTERRUPT aborts `invocation.signal`; once the handler settles, mode `kill` is answered with
 * ERROR `wamp.error.canceled` and `killnowait` with nothing.
 */
export class InvocationRunner {
  readonly #ctx: RoleContext;
  readonly #invocations = new Map<number, ActiveInvocation>();

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
  }

  /** Runs the registration's handler for an INVOCATION and answers it when the handler settles. */
  run(message: InvocationMessage, registration: { readonly procedure: string; readonly handler: Procedure }): void {
    const [, id, , details, args, kwargs] = message;
    const invocation = new ActiveInvocation(this.#ctx, id, registration.procedure, details, args ?? [], kwargs ?? {});
    this.#invocations.set(id, invocation);
    let value: unknown;
    try {
      value = registration.handler(invocation);
    } catch (error) {
      this.#failed(invocation, error);
      return;
    }
    this.#settle(invocation, value);
  }

  interrupt(message: InterruptMessage): void {
    const [, id, options] = message;
    const invocation = this.#invocations.get(id);
    if (invocation === undefined) return; // already answered
    const mode = options['mode'] === 'killnowait' ? 'killnowait' : 'kill';
    // killnowait: the dealer has already answered the caller and expects nothing from us.
    if (mode === 'killnowait') this.#invocations.delete(id);
    invocation.abort(mode, options['reason']);
  }

  /** The session ended: every running handler's signal is aborted with `error`; nothing more is sent. */
  close(error: SessionClosedError): void {
    const invocations = [...this.#invocations.values()];
    this.#invocations.clear();
    for (const invocation of invocations) {
      invocation.done = true;
      invocation.abortWith(error);
    }
  }

  /** Answers INVOCATION `id` with ERROR `uri`; if that is too large, with the size error's URI alone. */
  sendError(id: number, uri: string, args?: Args, kwargs?: Dict): void {
    try {
      this.#ctx.send(withPayload<ErrorMessage>([MessageType.ERROR, MessageType.INVOCATION, id, {}, uri], args, kwargs));
    } catch (error) {
      this.#ctx.logger.warn('could not send ERROR', { invocation: id, error: String(error) });
      if (error instanceof PayloadSizeExceededError) {
        this.#ctx.send([MessageType.ERROR, MessageType.INVOCATION, id, {}, error.uri]);
      }
    }
  }

  #settle(invocation: ActiveInvocation, value: unknown): void {
    if (isAsyncIterable(value)) void this.#stream(invocation, value);
    else if (isThenable(value)) void this.#await(invocation, value);
    else this.#returned(invocation, value);
  }

  async #await(invocation: ActiveInvocation, promise: PromiseLike<unknown>): Promise<void> {
    let value: unknown;
    try {
      value = await promise;
    } catch (error) {
      this.#failed(invocation, error);
      return;
    }
    this.#settle(invocation, value);
  }

  /** Every value but the last is a progressive result (sent only if the caller asked for them). */
  async #stream(invocation: ActiveInvocation, values: AsyncIterable<unknown>): Promise<void> {
    let last: unknown;
    let any = false;
    try {
      for await (const value of values) {
        if (invocation.done || invocation.interruptMode !== undefined) break;
        if (any) {
          any = false; // sent (or failed to send) before the next value is held
          this.#progress(invocation, last);
        }
        last = value;
        any = true;
      }
    } catch (error) {
      if (any) this.#flush(invocation, last);
      this.#failed(invocation, error);
      return;
    }
    this.#returned(invocation, any ? last : undefined);
  }

  #progress(invocation: ActiveInvocation, value: unknown): void {
    const { args, kwargs } = payloadOf(value);
    invocation.progress(args, kwargs);
  }

  /** What was produced before a failure still goes out, when it can. */
  #flush(invocation: ActiveInvocation, value: unknown): void {
    try {
      this.#progress(invocation, value);
    } catch {
      // Too large: the ERROR that follows reports the failure itself.
    }
  }

  #returned(invocation: ActiveInvocation, value: unknown): void {
    if (!this.#finish(invocation)) return;
    const { args, kwargs } = payloadOf(value);
    try {
      this.#ctx.send(withPayload<YieldMessage>([MessageType.YIELD, invocation.id, {}], args, kwargs));
    } catch (error) {
      this.#failedToSend(invocation.id, error);
    }
  }

  #failed(invocation: ActiveInvocation, error: unknown): void {
    if (!this.#finish(invocation)) return;
    if (error instanceof ApplicationError || error instanceof PayloadSizeExceededError) {
      this.sendError(invocation.id, error.uri, error.args, error.kwargs);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#ctx.logger.warn('procedure failed', {
      procedure: invocation.procedure,
      error: error instanceof Error ? (error.stack ?? message) : message,
    });
    this.sendError(invocation.id, ErrorUri.RUNTIME_ERROR, [message]);
  }

  /**
   * Ends an invocation; false when nothing may be sent for it any more (already answered,
   * killnowait, session closed). An interrupted `kill` invocation is answered with canceled here.
   */
  #finish(invocation: ActiveInvocation): boolean {
    if (invocation.done) return false;
    invocation.done = true;
    if (this.#invocations.get(invocation.id) !== invocation) return false;
    this.#invocations.delete(invocation.id);
    if (invocation.interruptMode === undefined) return true;
    this.sendError(invocation.id, ErrorUri.CANCELED, ['the call was canceled']);
    return false;
  }

  #failedToSend(id: number, error: unknown): void {
    if (error instanceof PayloadSizeExceededError) this.sendError(id, error.uri, error.args);
    else this.#ctx.logger.warn('could not send YIELD', { invocation: id, error: String(error) });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
