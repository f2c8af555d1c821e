import type { Clock, TimerHandle } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { WampError } from '../../src/protocol/errors.js';
import { RouterScopeIds } from '../../src/protocol/ids.js';
import { MessageType } from '../../src/protocol/message-type.js';
import type { Args, Dict, WampMessage } from '../../src/protocol/messages.js';
import { Dealer } from '../../src/router/dealer.js';
import type { RouterSession } from '../../src/router/router-session.js';
import { createFakeSession, fakeTransportOf, sentTo, type FakeSessionOptions } from '../helpers/fake-transport.js';

interface FakeTimer {
  at: number;
  fn: () => void;
}

/** A Clock whose timers fire only when a test calls `advance`. */
export class FakeClock implements Clock {
  #now = 0;
  readonly #timers = new Set<FakeTimer>();

  get pending(): number {
    return this.#timers.size;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.#now + ms, fn };
    this.#timers.add(timer);
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as FakeTimer);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers) if (t.at <= until && (next === undefined || t.at < next.at)) next = t;
      if (next === undefined) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = until;
  }
}

export interface DealerSetup {
  dealer: Dealer;
  clock: FakeClock;
  /** Meta events in order: [topic, args]. */
  meta: [string, unknown[]][];
}

export function setupDealer(options: { random?: () => number; uriMode?: 'loose' | 'strict' } = {}): DealerSetup {
  const clock = new FakeClock();
  const meta: [string, unknown[]][] = [];
  const dealer = new Dealer({
    ids: new RouterScopeIds(),
    uriMode: options.uriMode ?? 'strict',
    clock,
    onMeta: (topic, args) => meta.push([topic, args]),
    logger: silentLogger,
    random: options.random,
  });
  return { dealer, clock, meta };
}

/** A session announcing the given callee and caller features. */
export function peer(features: Dict = {}, options: FakeSessionOptions = {}): RouterSession {
  return createFakeSession({ ...options, roles: { caller: { features }, callee: { features } } });
}

/** A callee announcing call_canceling and progressive_call_results. */
export function capablePeer(options: FakeSessionOptions = {}): RouterSession {
  return peer({ call_canceling: true, progressive_call_results: true }, options);
}

let nextRequest = 1;

/** Registers `uri`; returns the registration id from REGISTERED. */
export function register(dealer: Dealer, session: RouterSession, uri: string, options: Dict = {}): number {
  const request = nextRequest++;
  dealer.register(session, [MessageType.REGISTER, request, options, uri]);
  const reply = last(session);
  if (reply[0] !== MessageType.REGISTERED || reply[1] !== request) throw new Error(`no REGISTERED: ${JSON.stringify(reply)}`);
  return reply[2] as number;
}

/** Sends CALL with a fresh request id; returns the id. */
export function call(
  dealer: Dealer,
  caller: RouterSession,
  uri: string,
  options: Dict = {},
  args?: Args,
  kwargs?: Dict,
): number {
  const request = nextRequest++;
  const msg: WampMessage = [MessageType.CALL, request, options, uri];
  if (args !== undefined) msg.push(args);
  if (kwargs !== undefined) msg.push(kwargs);
  dealer.call(caller, msg as [MessageType.CALL, number, Dict, string]);
  return request;
}

/** The last message sent to a session. */
export function last(session: RouterSession): WampMessage {
  const sent = sentTo(session);
  if (sent.length === 0) throw new Error(`nothing sent to session ${session.id}`);
  return sent[sent.length - 1]!;
}

/** Messages sent to a session since the last take, then forgets them. */
export function take(session: RouterSession): WampMessage[] {
  const out = [...sentTo(session)];
  fakeTransportOf(session).clear();
  return out;
}

/** The single INVOCATION the callee received since the last take. */
export function takeInvocation(session: RouterSession): WampMessage {
  const sent = take(session);
  const invocations = sent.filter((m) => m[0] === MessageType.INVOCATION);
  if (invocations.length !== 1) throw new Error(`expected one INVOCATION, got ${JSON.stringify(sent)}`);
  return invocations[0]!;
}

/** Runs `fn`, which must throw a WampError with `uri`; returns the error. */
export function wampErrorOf(fn: () => void, uri: string): WampError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof WampError)) throw new Error(`expected a WampError ${uri}, got ${String(caught)}`);
  if (caught.uri !== uri) throw new Error(`expected ${uri}, got ${caught.uri}: ${caught.message}`);
  return caught;
}
