import { ApplicationError, PayloadSizeExceededError, ProtocolError } from '../../protocol/errors.js';
import { MessageType, messageTypeName } from '../../protocol/message-type.js';
import {
  withPayload,
  type Args,
  type Dict,
  type ErrorMessage,
  type InterruptMessage,
  type InvocationMessage,
  type RegisteredMessage,
  type UnregisteredMessage,
  type YieldMessage,
} from '../../protocol/messages.js';
import { ErrorUri } from '../../protocol/uris.js';
import { errorFromWire, type SessionClosedError } from '../errors.js';
import type { Procedure, RegisterOptions, Registration } from '../types.js';
import { ActiveInvocation, payloadOf } from './invocation.js';
import type { Pending, Role, RoleContext } from './role.js';

interface PendingRegister extends Pending<Registration> {
  procedure: string;
  handler: Procedure;
}

interface PendingUnregister extends Pending<void> {
  registration: ClientRegistration;
}

/**
 * The callee role (basic/remote_procedure_call.md, rpc_progressive_call_results.md,
 * rpc_call_canceling.md): REGISTER/UNREGISTER and answering INVOCATIONs.
 *
 * A handler's value becomes YIELD [value] (undefined → no payload; `result(args, kwargs)` → as
 * given); an async iterable streams progressive YIELDs, its last value being the final one. A thrown
 * ApplicationError becomes ERROR with its URI and payload; anything else ERROR
 * `wamp.error.runtime_error` with the error's message only (the stack is logged, never sent).
 * INTERRUPT aborts `invocation.signal`; once the handler settles, mode `kill` is answered with
 * ERROR `wamp.error.canceled` and `killnowait` with nothing.
 */
export class Callee implements Role {
  readonly #ctx: RoleContext;
  readonly #registering = new Map<number, PendingRegister>();
  readonly #unregistering = new Map<number, PendingUnregister>();
  readonly #registrations = new Map<number, ClientRegistration>();
  readonly #invocations = new Map<number, ActiveInvocation>();

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
  }

  register(procedure: string, handler: Procedure, options: RegisterOptions = {}): Promise<Registration> {
    const ctx = this.#ctx;
    const closed = ctx.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const id = ctx.nextRequestId();
    const wireOptions: Dict = {};
    if (options.match !== undefined && options.match !== 'exact') wireOptions['match'] = options.match;
    if (options.invoke !== undefined && options.invoke !== 'single') wireOptions['invoke'] = options.invoke;
    if (options.discloseCaller === true) wireOptions['disclose_caller'] = true;
    try {
      ctx.sendRequest([MessageType.REGISTER, id, wireOptions, procedure]);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#registering.set(id, { procedure, handler, resolve, reject }));
  }

  /** @internal ClientRegistration.unregister(). */
  unregister(registration: ClientRegistration): Promise<void> {
    const ctx = this.#ctx;
    if (this.#registrations.get(registration.id) !== registration || ctx.closedError() !== undefined) {
      return Promise.resolve(); // already gone, with the session or a revocation
    }
    const id = ctx.nextRequestId();
    ctx.sendRequest([MessageType.UNREGISTER, id, registration.id]);
    return new Promise((resolve, reject) => this.#unregistering.set(id, { registration, resolve, reject }));
  }

  onRegistered(message: RegisteredMessage): void {
    const [, request, registrationId] = message;
    const pending = this.#registering.get(request);
    if (pending === undefined) throw new ProtocolError(`REGISTERED for unknown request ${request}`);
    this.#registering.delete(request);
    const registration = new ClientRegistration(this, registrationId, pending.procedure, pending.handler);
    this.#registrations.set(registrationId, registration);
    pending.resolve(registration);
  }

  onUnregistered(message: UnregisteredMessage): void {
    const [, request, details] = message;
    if (request === 0 && details !== undefined) {
      // Revocation (registration_revocation); we do not announce it, but a router may still send it.
      const id = details['registration'];
      if (typeof id === 'number') this.#registrations.delete(id);
      this.#ctx.logger.warn('registration revoked by the router', { registration: id, reason: details['reason'] });
      return;
    }
    const pending = this.#unregistering.get(request);
    if (pending === undefined) throw new ProtocolError(`UNREGISTERED for unknown request ${request}`);
    this.#unregistering.delete(request);
    this.#registrations.delete(pending.registration.id);
    pending.resolve();
  }

  onError(message: ErrorMessage): void {
    const [, type, request, details, uri, args, kwargs] = message;
    const pending = type === MessageType.REGISTER ? this.#registering.get(request) : this.#unregistering.get(request);
    if (pending === undefined) throw new ProtocolError(`ERROR for unknown ${messageTypeName(type)} request ${request}`);
    if (type === MessageType.REGISTER) this.#registering.delete(request);
    else this.#unregistering.delete(request);
    pending.reject(errorFromWire(uri, args, kwargs, details));
  }

  onInvocation(message: InvocationMessage): void {
    const [, id, registrationId, details, args, kwargs] = message;
    const registration = this.#registrations.get(registrationId);
    if (registration === undefined) {
      this.#sendError(id, ErrorUri.NO_SUCH_REGISTRATION, [`no registration ${registrationId} in this session`]);
      return;
    }
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

  onInterrupt(message: InterruptMessage): void {
    const [, id, options] = message;
    const invocation = this.#invocations.get(id);
    if (invocation === undefined) return; // already answered
    const mode = options['mode'] === 'killnowait' ? 'killnowait' : 'kill';
    // killnowait: the dealer has already answered the caller and expects nothing from us.
    if (mode === 'killnowait') this.#invocations.delete(id);
    invocation.abort(mode, options['reason']);
  }

  close(error: SessionClosedError): void {
    for (const pending of this.#registering.values()) pending.reject(error);
    for (const pending of this.#unregistering.values()) pending.reject(error);
    const invocations = [...this.#invocations.values()];
    this.#registering.clear();
    this.#unregistering.clear();
    this.#registrations.clear();
    this.#invocations.clear();
    for (const invocation of invocations) {
      invocation.done = true;
      invocation.abortWith(error);
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
      this.#sendError(invocation.id, error.uri, error.args, error.kwargs);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.#ctx.logger.warn('procedure failed', {
      procedure: invocation.procedure,
      error: error instanceof Error ? (error.stack ?? message) : message,
    });
    this.#sendError(invocation.id, ErrorUri.RUNTIME_ERROR, [message]);
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
    this.#sendError(invocation.id, ErrorUri.CANCELED, ['the call was canceled']);
    return false;
  }

  #failedToSend(id: number, error: unknown): void {
    if (error instanceof PayloadSizeExceededError) this.#sendError(id, error.uri, error.args);
    else this.#ctx.logger.warn('could not send YIELD', { invocation: id, error: String(error) });
  }

  #sendError(id: number, uri: string, args?: Args, kwargs?: Dict): void {
    try {
      this.#ctx.send(withPayload<ErrorMessage>([MessageType.ERROR, MessageType.INVOCATION, id, {}, uri], args, kwargs));
    } catch (error) {
      this.#ctx.logger.warn('could not send ERROR', { invocation: id, error: String(error) });
      if (error instanceof PayloadSizeExceededError) {
        this.#ctx.send([MessageType.ERROR, MessageType.INVOCATION, id, {}, error.uri]);
      }
    }
  }
}

/** The Registration a `register` call resolves with. */
class ClientRegistration implements Registration {
  readonly id: number;
  readonly procedure: string;
  readonly handler: Procedure;
  readonly #callee: Callee;
  #unregistering: Promise<void> | undefined;

  constructor(callee: Callee, id: number, procedure: string, handler: Procedure) {
    this.#callee = callee;
    this.id = id;
    this.procedure = procedure;
    this.handler = handler;
  }

  unregister(): Promise<void> {
    this.#unregistering ??= this.#callee.unregister(this).catch((error: unknown) => {
      this.#unregistering = undefined;
      throw error;
    });
    return this.#unregistering;
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
