import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import type { Dict } from '../../src/protocol/messages.js';
import { ErrorUri } from '../../src/protocol/uris.js';
import type { RouterSession } from '../../src/router/router-session.js';
import { call, capablePeer, peer, register, setupDealer, take, takeInvocation, wampErrorOf } from './dealer-helpers.js';

/** One call in flight from a fresh caller to `callee`. */
function inFlight(callee: RouterSession, callOptions: Dict = {}) {
  const setup = setupDealer();
  const caller = capablePeer();
  register(setup.dealer, callee, 'com.app.slow');
  const request = call(setup.dealer, caller, 'com.app.slow', callOptions);
  const invocation = takeInvocation(callee)[1] as number;
  return { ...setup, caller, callee, request, invocation };
}

const canceled = (request: number) => [MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.CANCELED];

describe('Dealer call canceling', () => {
  it('skip answers the caller at once, sends no INTERRUPT and ignores the late result', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'skip' }]);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([canceled(request)]);
    expect(take(callee)).toEqual([]);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, ['late']]);
    expect(take(caller)).toEqual([]);
    expect(dealer.pendingCalls).toBe(0);
  });

  it('kill interrupts the callee and forwards its ERROR when it comes', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'kill' }]);
    expect(take(caller)).toEqual([]);
    expect(take(callee)).toEqual([[MessageType.INTERRUPT, invocation, { mode: 'kill' }]]);
    dealer.error(callee, [MessageType.ERROR, MessageType.INVOCATION, invocation, {}, ErrorUri.CANCELED, ['stopped']]);
    expect(take(caller)).toEqual([[...canceled(request), ['stopped']]]);
    expect(dealer.pendingCalls).toBe(0);
  });

  it('kill forwards a RESULT when the callee finished first', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'kill' }]);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, [42]]);
    expect(take(caller)).toEqual([[MessageType.RESULT, request, {}, [42]]]);
  });

  it('ignores a repeated CANCEL while a kill is under way', () => {
    const { dealer, caller, callee, request } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'kill' }]);
    take(callee);
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'killnowait' }]);
    expect(take(callee)).toEqual([]);
    expect(take(caller)).toEqual([]);
  });

  it('killnowait answers the caller at once, interrupts the callee and ignores its reply', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'killnowait' }]);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([canceled(request)]);
    expect(take(callee)).toEqual([[MessageType.INTERRUPT, invocation, { mode: 'killnowait' }]]);
    dealer.error(callee, [MessageType.ERROR, MessageType.INVOCATION, invocation, {}, ErrorUri.CANCELED]);
    expect(take(caller)).toEqual([]);
  });

  it('treats a CANCEL without mode (Autobahn|Python) as killnowait', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, {}]);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([canceled(request)]);
    expect(take(callee)).toEqual([[MessageType.INTERRUPT, invocation, { mode: 'killnowait' }]]);
  });

  it.each(['skip', 'kill', 'killnowait', undefined])(
    'behaves as skip for mode %s when the callee did not announce call_canceling',
    (mode) => {
      const { dealer, caller, callee, request, invocation } = inFlight(peer({ progressive_call_results: true }));
      dealer.cancel(caller, [MessageType.CANCEL, request, mode === undefined ? {} : { mode }]);
      expect(take(caller).map((m) => m.slice(0, 5))).toEqual([canceled(request)]);
      expect(take(callee)).toEqual([]);
      dealer.yield(callee, [MessageType.YIELD, invocation, {}, ['late']]);
      expect(take(caller)).toEqual([]);
    },
  );

  it('treats an unknown mode as the default killnowait', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'abort' }]);
    expect(take(caller)).toEqual([[MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.CANCELED, ['the call was canceled']]]);
    expect(take(callee)).toEqual([[MessageType.INTERRUPT, invocation, { mode: 'killnowait' }]]);
  });

  it('ignores CANCEL for an unknown, finished or foreign call', () => {
    const { dealer, caller, callee, request, invocation } = inFlight(capablePeer());
    dealer.cancel(peer(), [MessageType.CANCEL, request, { mode: 'killnowait' }]);
    dealer.cancel(caller, [MessageType.CANCEL, request + 1000, { mode: 'killnowait' }]);
    expect(take(callee)).toEqual([]);
    expect(take(caller)).toEqual([]);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}]);
    take(caller);
    dealer.cancel(caller, [MessageType.CANCEL, request, { mode: 'killnowait' }]);
    expect(take(callee)).toEqual([]);
    expect(take(caller)).toEqual([]);
  });
});

describe('Dealer call timeouts', () => {
  it('answers wamp.error.timeout and interrupts a call_canceling callee when the timeout expires', () => {
    const { dealer, clock, caller, callee, request, invocation } = inFlight(capablePeer(), { timeout: 500 });
    clock.advance(499);
    expect(take(caller)).toEqual([]);
    clock.advance(1);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([
      [MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.TIMEOUT],
    ]);
    expect(take(callee)).toEqual([
      [MessageType.INTERRUPT, invocation, { mode: 'killnowait', reason: ErrorUri.TIMEOUT }],
    ]);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, ['late']]);
    expect(take(caller)).toEqual([]);
    expect(dealer.pendingCalls).toBe(0);
  });

  it('sends no INTERRUPT on timeout to a callee without call_canceling', () => {
    const { clock, caller, callee, request } = inFlight(peer(), { timeout: 100 });
    clock.advance(100);
    expect(take(caller).map((m) => m[4])).toEqual([ErrorUri.TIMEOUT]);
    expect(take(caller)).toEqual([]);
    expect(take(callee)).toEqual([]);
    expect(request).toBeGreaterThan(0);
  });

  it('stops the timer when the call ends', () => {
    const { dealer, clock, caller, callee, invocation } = inFlight(capablePeer(), { timeout: 100 });
    expect(clock.pending).toBe(1);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}]);
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(take(caller).map((m) => m[0])).toEqual([MessageType.RESULT]);
  });

  it('starts no timer without a positive timeout', () => {
    expect(inFlight(capablePeer(), {}).clock.pending).toBe(0);
    expect(inFlight(capablePeer(), { timeout: 0 }).clock.pending).toBe(0);
    expect(inFlight(capablePeer(), { timeout: '100' }).clock.pending).toBe(0);
  });

  it('measures the timeout between progressive results', () => {
    const { dealer, clock, caller, callee, request, invocation } = inFlight(capablePeer(), {
      timeout: 100,
      receive_progress: true,
    });
    clock.advance(80);
    dealer.yield(callee, [MessageType.YIELD, invocation, { progress: true }, [1]]);
    clock.advance(80);
    expect(take(caller)).toEqual([[MessageType.RESULT, request, { progress: true }, [1]]]);
    clock.advance(20);
    expect(take(caller).map((m) => m[4])).toEqual([ErrorUri.TIMEOUT]);
  });
});

describe('Dealer sessions leaving', () => {
  it('fails the calls of a callee that leaves with wamp.error.canceled', () => {
    const { dealer, clock, caller, callee, request } = inFlight(capablePeer(), { timeout: 1000 });
    const other = capablePeer();
    register(dealer, other, 'com.app.other');
    const otherRequest = call(dealer, caller, 'com.app.other');
    dealer.removeSession(callee);
    const sent = take(caller);
    expect(sent.map((m) => m.slice(0, 5))).toEqual([canceled(request)]);
    expect(String((sent[0]![5] as unknown[])[0])).toMatch(/callee left/);
    expect(clock.pending).toBe(0);
    expect(dealer.pendingCalls).toBe(1);
    const invocation = takeInvocation(other)[1] as number;
    dealer.yield(other, [MessageType.YIELD, invocation, {}]);
    expect(take(caller)).toEqual([[MessageType.RESULT, otherRequest, {}]]);
  });

  it('interrupts only call_canceling callees when a caller leaves', () => {
    const { dealer, clock } = setupDealer();
    const capable = capablePeer();
    const plain = peer({ progressive_call_results: true });
    register(dealer, capable, 'com.app.a');
    register(dealer, plain, 'com.app.b');
    const caller = capablePeer();
    call(dealer, caller, 'com.app.a', { timeout: 1000 });
    call(dealer, caller, 'com.app.b', { timeout: 1000 });
    const a = takeInvocation(capable)[1] as number;
    const b = takeInvocation(plain)[1] as number;
    dealer.removeSession(caller);
    expect(take(capable)).toEqual([[MessageType.INTERRUPT, a, { mode: 'killnowait', reason: ErrorUri.CANCELED }]]);
    expect(take(plain)).toEqual([]);
    expect(dealer.pendingCalls).toBe(0);
    expect(clock.pending).toBe(0);
    dealer.yield(plain, [MessageType.YIELD, b, {}]);
    expect(take(caller)).toEqual([]);
  });

  it('cleans up a session that was calling itself', () => {
    const { dealer } = setupDealer();
    const self = capablePeer();
    register(dealer, self, 'com.app.self');
    call(dealer, self, 'com.app.self');
    take(self);
    dealer.removeSession(self);
    expect(take(self)).toEqual([]);
    expect(dealer.pendingCalls).toBe(0);
    expect(dealer.list()).toEqual({ exact: [], prefix: [], wildcard: [] });
  });
});
