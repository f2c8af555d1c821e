import type { Clock, TimerHandle } from '../common/clock.js';
import type { RouterSession } from './router-session.js';

/** Largest delay setTimeout honours (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export interface PendingCallInit {
  caller: RouterSession;
  callRequest: number;
  callee: RouterSession;
  invocationId: number;
  /** CALL.Options.receive_progress: progressive RESULTs go to the caller only when it asked. */
  receiveProgress: boolean;
}

/**
 * One routed call in flight: the caller's CALL request id and the callee's INVOCATION id, plus
 * the cancel/timeout state. Lives in a PendingCallTable until it ends.
 */
export class PendingCall {
  readonly caller: RouterSession;
  readonly callRequest: number;
  readonly callee: RouterSession;
  readonly invocationId: number;
  readonly receiveProgress: boolean;
  /** An INTERRUPT went to the callee (kill mode): don't send another. */
  interrupted = false;
  #timer: TimerHandle | undefined;
  #timeoutMs = 0;
  #onTimeout: (() => void) | undefined;

  constructor(init: PendingCallInit) {
    this.caller = init.caller;
    this.callRequest = init.callRequest;
    this.callee = init.callee;
    this.invocationId = init.invocationId;
    this.receiveProgress = init.receiveProgress;
  }

  /** Starts the dealer-side timer (call_timeout); `onTimeout` runs once when it expires. */
  startTimer(clock: Clock, ms: number, onTimeout: () => void): void {
    this.#timeoutMs = Math.min(ms, MAX_TIMER_MS);
    this.#onTimeout = onTimeout;
    this.#timer = clock.setTimeout(onTimeout, this.#timeoutMs);
  }

  /** Starts the timer again from now (a progressive result arrived: the limit is per result). */
  restartTimer(clock: Clock): void {
    if (this.#timer === undefined || this.#onTimeout === undefined) return;
    clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(this.#onTimeout, this.#timeoutMs);
  }

  stopTimer(clock: Clock): void {
    if (this.#timer === undefined) return;
    clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onTimeout = undefined;
  }
}

/**
 * Calls in flight, indexed both ways for O(1) lookups: by (caller session, CALL request id) for
 * CANCEL, and by (callee session, INVOCATION id) for YIELD/ERROR. Per-session maps stay until the
 * session leaves, so a steady stream of calls allocates no maps.
 */
export class PendingCallTable {
  readonly #byCaller = new Map<RouterSession, Map<number, PendingCall>>();
  readonly #byCallee = new Map<RouterSession, Map<number, PendingCall>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(call: PendingCall): void {
    slot(this.#byCaller, call.caller).set(call.callRequest, call);
    slot(this.#byCallee, call.callee).set(call.invocationId, call);
    this.#size++;
  }

  byCall(caller: RouterSession, request: number): PendingCall | undefined {
    return this.#byCaller.get(caller)?.get(request);
  }

  byInvocation(callee: RouterSession, invocationId: number): PendingCall | undefined {
    return this.#byCallee.get(callee)?.get(invocationId);
  }

  /** Removes a call from both indexes; false if it was no longer there. */
  delete(call: PendingCall): boolean {
    const byCallee = this.#byCallee.get(call.callee);
    if (byCallee?.get(call.invocationId) !== call) return false;
    byCallee.delete(call.invocationId);
    this.#byCaller.get(call.caller)?.delete(call.callRequest);
    this.#size--;
    return true;
  }

  /** Removes and returns every call `session` made (it is leaving). */
  takeCallerCalls(session: RouterSession): PendingCall[] {
    return this.#take(this.#byCaller, session);
  }

  /** Removes and returns every invocation `session` was handling (it is leaving). */
  takeCalleeCalls(session: RouterSession): PendingCall[] {
    return this.#take(this.#byCallee, session);
  }

  #take(index: Map<RouterSession, Map<number, PendingCall>>, session: RouterSession): PendingCall[] {
    const calls = index.get(session);
    if (calls === undefined) return [];
    const out = [...calls.values()];
    for (const call of out) this.delete(call);
    index.delete(session);
    return out;
  }
}

function slot(index: Map<RouterSession, Map<number, PendingCall>>, session: RouterSession): Map<number, PendingCall> {
  let calls = index.get(session);
  if (calls === undefined) {
    calls = new Map();
    index.set(session, calls);
  }
  return calls;
}
