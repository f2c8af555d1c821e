import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ApplicationError, PayloadSizeExceededError } from '../protocol/errors.js';
import type { RouterScopeIds } from '../protocol/ids.js';
import { MessageType } from '../protocol/message-type.js';
import {
  withPayload,
  type CallMessage,
  type CancelMessage,
  type Dict,
  type ErrorMessage,
  type InvocationMessage,
  type RegisterMessage,
  type ResultMessage,
  type UnregisterMessage,
  type WampMessage,
  type YieldMessage,
} from '../protocol/messages.js';
import { ErrorUri, isValidUri, type MatchPolicy, type UriMode } from '../protocol/uris.js';
import { PendingCall, PendingCallTable } from './pending-call.js';
import { ProcedureRegistry, type MetaListener, type RegistrationLists } from './procedure-registry.js';
import type { RegistrationDetails } from './registration.js';
import type { RouterSession } from './router-session.js';

export interface DealerOptions {
  /** Registration ids (router scope). */
  ids: RouterScopeIds;
  uriMode: UriMode;
  /** Timers for CALL.Options.timeout and registration timestamps. */
  clock: Clock;
  /** wamp.registration.* meta events; the realm publishes them. */
  onMeta?: MetaListener;
  logger: Logger;
  /** Randomness for the `random` invocation policy, in [0, 1). Default Math.random. */
  random?: () => number;
}

/** CANCEL.Options.mode (advanced/rpc_call_canceling.md). */
export type CancelMode = 'skip' | 'kill' | 'killnowait';

/**
 * The spec text gives no default for an absent CANCEL.Options.mode (Autobahn|Python sends none);
 * like Nexus, and like Crossbar in effect, an absent mode means killnowait.
 */
const DEFAULT_CANCEL_MODE: CancelMode = 'killnowait';

function isCancelMode(value: unknown): value is CancelMode {
  return value === 'skip' || value === 'kill' || value === 'killnowait';
}

/**
 * Routed RPC (basic/remote_procedure_call.md plus the advanced rpc_* features): registrations,
 * CALL → INVOCATION by invoke policy, YIELD/ERROR → RESULT/ERROR, progressive results, cancel,
 * dealer-side timeouts and cleanup when a caller or callee leaves. Receives (session, message)
 * from the realm and never touches sockets. A failing request throws an ApplicationError; the
 * realm turns it into ERROR.
 */
export class Dealer {
  readonly #registry: ProcedureRegistry;
  readonly #calls = new PendingCallTable();
  readonly #uriMode: UriMode;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: DealerOptions) {
    this.#uriMode = options.uriMode;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#registry = new ProcedureRegistry({
      ids: options.ids,
      uriMode: options.uriMode,
      clock: options.clock,
      onMeta: options.onMeta,
      random: options.random ?? Math.random,
    });
  }

  /** Number of calls in flight. */
  get pendingCalls(): number {
    return this.#calls.size;
  }

  register(session: RouterSession, msg: RegisterMessage): void {
    this.#registry.register(session, msg);
  }

  unregister(session: RouterSession, msg: UnregisterMessage): void {
    this.#registry.unregister(session, msg);
  }

  call(session: RouterSession, msg: CallMessage): void {
    const [, request, options, uri, args, kwargs] = msg;
    if (!isValidUri(uri, this.#uriMode, 'exact')) {
      throw new ApplicationError(ErrorUri.INVALID_URI, [`invalid procedure URI '${uri}'`]);
    }
    const registration = this.#registry.route(uri);
    const target = registration?.pick();
    if (registration === undefined || target === undefined) {
      throw new ApplicationError(ErrorUri.NO_SUCH_PROCEDURE, [`no callee registered for procedure '${uri}'`]);
    }
    const callee = target.session;
    const receiveProgress = options.receive_progress === true;
    const details: Dict = { procedure: uri };
    if (receiveProgress && callee.supports('callee', 'progressive_call_results')) details.receive_progress = true;
    if (options.disclose_me === true || target.discloseCaller) {
      details.caller = session.id;
      details.caller_authid = session.identity.authid;
      details.caller_authrole = session.identity.authrole;
    }
    // The id is consumed only once the INVOCATION went out, so a refused one leaves no gap.
    const invocationId = callee.outboundIds.peek();
    const call = new PendingCall({ caller: session, callRequest: request, callee, invocationId, receiveProgress });
    // Tracked before sending: if the send makes the callee leave, its cleanup finds this call.
    this.#calls.add(call);
    try {
      const head: InvocationMessage = [MessageType.INVOCATION, invocationId, registration.id, details];
      callee.send(withPayload(head, args, kwargs));
    } catch (error) {
      this.#calls.delete(call);
      if (!(error instanceof PayloadSizeExceededError)) throw error;
      this.#sendTooLarge(call, `invocation too large for the callee: ${error.args[0]}`);
      return;
    }
    callee.outboundIds.next();
    const timeout = options.timeout;
    if (typeof timeout === 'number' && timeout > 0 && this.#calls.byCall(session, request) === call) {
      call.startTimer(this.#clock, timeout, () => this.#expire(call));
    }
  }

  yield(session: RouterSession, msg: YieldMessage): void {
    const [, invocationId, options, args, kwargs] = msg;
    const call = this.#calls.byInvocation(session, invocationId);
    if (call === undefined) {
      this.#logger.debug('YIELD for no pending invocation ignored', { session: session.id, invocation: invocationId });
      return;
    }
    if (options.progress === true) {
      call.restartTimer(this.#clock);
      if (!call.receiveProgress) return; // the caller did not ask for progressive results
      const progress: ResultMessage = [MessageType.RESULT, call.callRequest, { progress: true }];
      this.#sendResult(call, withPayload(progress, args, kwargs));
      return;
    }
    this.#finish(call);
    const result: ResultMessage = [MessageType.RESULT, call.callRequest, {}];
    this.#sendResult(call, withPayload(result, args, kwargs));
  }

  /** The callee's ERROR for an INVOCATION (REQUEST.Type 68), forwarded to the caller. */
  error(session: RouterSession, msg: ErrorMessage): void {
    const [, requestType, invocationId, details, uri, args, kwargs] = msg;
    const call = requestType === MessageType.INVOCATION ? this.#calls.byInvocation(session, invocationId) : undefined;
    if (call === undefined) {
      this.#logger.debug('ERROR for no pending invocation ignored', { session: session.id, invocation: invocationId });
      return;
    }
    this.#finish(call);
    this.#sendError(call, uri, args, kwargs, details);
  }

  cancel(session: RouterSession, msg: CancelMessage): void {
    const [, request, options] = msg;
    // An absent or unknown mode gets the default: a CANCEL has no reply of its own to carry an
    // error, and an ERROR for the CALL would end it for the caller while the callee runs on.
    const mode: CancelMode = isCancelMode(options.mode) ? options.mode : DEFAULT_CANCEL_MODE;
    const call = this.#calls.byCall(session, request);
    if (call === undefined || call.interrupted) return; // finished, unknown, or a kill already under way
    // A callee that did not announce call_canceling gets no INTERRUPT: skip (rpc_call_canceling.md).
    const effective: CancelMode = call.callee.supports('callee', 'call_canceling') ? mode : 'skip';
    if (effective === 'kill') {
      // Wait for the callee's answer (ERROR or RESULT), forwarded as usual.
      call.interrupted = true;
      this.#trySend(call.callee, [MessageType.INTERRUPT, call.invocationId, { mode: 'kill' }]);
      return;
    }
    this.#finish(call);
    this.#sendError(call, ErrorUri.CANCELED, ['the call was canceled']);
    if (effective === 'killnowait') {
      this.#trySend(call.callee, [MessageType.INTERRUPT, call.invocationId, { mode: 'killnowait' }]);
    }
  }

  /** A session left: drop its registrations, fail calls it was handling, interrupt calls it made. */
  removeSession(session: RouterSession): void {
    for (const call of this.#calls.takeCalleeCalls(session)) {
      call.stopTimer(this.#clock);
      if (call.caller !== session) {
        this.#sendError(call, ErrorUri.CANCELED, ['the callee left before answering']);
      }
    }
    this.#registry.removeSession(session);
    for (const call of this.#calls.takeCallerCalls(session)) {
      call.stopTimer(this.#clock);
      this.#interrupt(call, ErrorUri.CANCELED);
    }
  }

  // wamp.registration.* meta procedures

  list(): RegistrationLists {
    return this.#registry.list();
  }

  lookup(uri: string, match: MatchPolicy = 'exact'): number | null {
    return this.#registry.lookup(uri, match);
  }

  match(uri: string): number | null {
    return this.#registry.match(uri);
  }

  get(id: number): RegistrationDetails | null {
    return this.#registry.get(id);
  }

  callees(id: number): number[] | null {
    return this.#registry.callees(id);
  }

  countCallees(id: number): number | null {
    return this.#registry.countCallees(id);
  }

  /** Dealer-side timeout (rpc_call_timeout.md): ERROR timeout now, killnowait INTERRUPT. */
  #expire(call: PendingCall): void {
    if (!this.#finish(call)) return;
    this.#sendError(call, ErrorUri.TIMEOUT, ['the call timed out']);
    this.#interrupt(call, ErrorUri.TIMEOUT);
  }

  /** killnowait INTERRUPT with a reason, to a callee that supports it and was not interrupted yet. */
  #interrupt(call: PendingCall, reason: string): void {
    if (call.interrupted || !call.callee.supports('callee', 'call_canceling')) return;
    call.interrupted = true;
    this.#trySend(call.callee, [MessageType.INTERRUPT, call.invocationId, { mode: 'killnowait', reason }]);
  }

  /** Ends a call: no longer tracked, timer stopped. False if it had already ended. */
  #finish(call: PendingCall): boolean {
    if (!this.#calls.delete(call)) return false;
    call.stopTimer(this.#clock);
    return true;
  }

  /** Sends a RESULT; if the caller cannot take its size, the call ends with payload_size_exceeded. */
  #sendResult(call: PendingCall, result: ResultMessage): void {
    try {
      call.caller.send(result);
    } catch (error) {
      if (!(error instanceof PayloadSizeExceededError)) throw error;
      if (this.#finish(call)) this.#interrupt(call, ErrorUri.PAYLOAD_SIZE_EXCEEDED);
      this.#sendTooLarge(call, `result too large for the caller: ${error.args[0]}`);
    }
  }

  /** ERROR for the CALL; one that is too large for the caller becomes payload_size_exceeded. */
  #sendError(call: PendingCall, uri: string, args?: unknown[], kwargs?: Dict, details: Dict = {}): void {
    try {
      const head: ErrorMessage = [MessageType.ERROR, MessageType.CALL, call.callRequest, details, uri];
      call.caller.send(withPayload(head, args, kwargs));
    } catch (error) {
      if (!(error instanceof PayloadSizeExceededError)) throw error;
      this.#sendTooLarge(call, `error too large for the caller: ${error.args[0]}`);
    }
  }

  /** ERROR payload_size_exceeded for the CALL: with an explanation if it fits, else without. */
  #sendTooLarge(call: PendingCall, why: string): void {
    const uri = ErrorUri.PAYLOAD_SIZE_EXCEEDED;
    try {
      call.caller.send([MessageType.ERROR, MessageType.CALL, call.callRequest, {}, uri, [why]]);
    } catch {
      this.#trySend(call.caller, [MessageType.ERROR, MessageType.CALL, call.callRequest, {}, uri]);
    }
  }

  /** Sends a small control message; a failure is logged, never propagated. */
  #trySend(session: RouterSession, msg: WampMessage): void {
    try {
      session.send(msg);
    } catch (error) {
      this.#logger.warn('could not send to session', { session: session.id, error: String(error) });
    }
  }
}
