import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import { ErrorUri } from '../../src/protocol/uris.js';
import type { RouterSession } from '../../src/router/router-session.js';
import {
  call,
  capablePeer,
  last,
  peer,
  register,
  setupDealer,
  take,
  takeInvocation,
  wampErrorOf,
} from './dealer-helpers.js';

describe('Dealer calls', () => {
  it('sends INVOCATION with sequential ids, the registration id and the payload', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const id = register(dealer, callee, 'com.app.add');
    take(callee);
    call(dealer, peer(), 'com.app.add', {}, [1, 2], { round: true });
    call(dealer, peer(), 'com.app.add');
    call(dealer, peer(), 'com.app.add', {}, [], { only: 'kw' });
    expect(take(callee)).toEqual([
      [MessageType.INVOCATION, 1, id, { procedure: 'com.app.add' }, [1, 2], { round: true }],
      [MessageType.INVOCATION, 2, id, { procedure: 'com.app.add' }],
      [MessageType.INVOCATION, 3, id, { procedure: 'com.app.add' }, [], { only: 'kw' }],
    ]);
  });

  it('refuses a call to an invalid URI or to a procedure nobody registered', () => {
    const { dealer } = setupDealer();
    wampErrorOf(() => call(dealer, peer(), 'com..add'), ErrorUri.INVALID_URI);
    const error = wampErrorOf(() => call(dealer, peer(), 'com.app.none'), ErrorUri.NO_SUCH_PROCEDURE);
    expect(error.args[0]).toMatch(/com\.app\.none/);
    expect(dealer.pendingCalls).toBe(0);
  });

  it('returns the final YIELD to the caller as RESULT and forgets the call', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const caller = peer();
    register(dealer, callee, 'com.app.add');
    const request = call(dealer, caller, 'com.app.add', {}, [1, 2]);
    const invocation = takeInvocation(callee)[1] as number;
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, [3], { exact: true }]);
    expect(take(caller)).toEqual([[MessageType.RESULT, request, {}, [3], { exact: true }]]);
    expect(dealer.pendingCalls).toBe(0);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, [4]]);
    expect(take(caller)).toEqual([]);
  });

  it('ignores a YIELD from a session that does not own the invocation', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const other = peer();
    const caller = peer();
    register(dealer, callee, 'com.app.add');
    call(dealer, caller, 'com.app.add');
    const invocation = takeInvocation(callee)[1] as number;
    dealer.yield(other, [MessageType.YIELD, invocation, {}, ['forged']]);
    expect(take(caller)).toEqual([]);
    expect(dealer.pendingCalls).toBe(1);
  });

  it('forwards the callee’s ERROR to the caller with details, args and kwargs', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const caller = peer();
    register(dealer, callee, 'com.app.div');
    const request = call(dealer, caller, 'com.app.div', {}, [1, 0]);
    const invocation = takeInvocation(callee)[1] as number;
    const uri = 'com.app.div_by_zero';
    dealer.error(callee, [MessageType.ERROR, MessageType.INVOCATION, invocation, { hint: 'x' }, uri, [1], { d: 0 }]);
    expect(take(caller)).toEqual([
      [MessageType.ERROR, MessageType.CALL, request, { hint: 'x' }, 'com.app.div_by_zero', [1], { d: 0 }],
    ]);
    expect(dealer.pendingCalls).toBe(0);
    dealer.error(callee, [MessageType.ERROR, MessageType.INVOCATION, invocation, {}, 'com.app.again']);
    expect(take(caller)).toEqual([]);
  });
});

describe('Dealer INVOCATION details', () => {
  function invocationDetails(callee: RouterSession, caller: RouterSession, options: Record<string, unknown>): unknown {
    const { dealer } = setupDealer();
    register(dealer, callee, 'com.app.proc');
    call(dealer, caller, 'com.app.proc', options);
    return takeInvocation(callee)[3];
  }

  it('asks for progress only when the caller asked and the callee supports progressive results', () => {
    expect(invocationDetails(peer({ progressive_call_results: true }), peer(), { receive_progress: true })).toEqual({
      procedure: 'com.app.proc',
      receive_progress: true,
    });
    expect(invocationDetails(peer(), peer(), { receive_progress: true })).toEqual({ procedure: 'com.app.proc' });
    expect(invocationDetails(peer({ progressive_call_results: true }), peer(), {})).toEqual({ procedure: 'com.app.proc' });
  });

  it('discloses the caller when the caller asks with disclose_me', () => {
    const caller = peer({}, { authid: 'alice', authrole: 'admin' });
    expect(invocationDetails(peer(), caller, { disclose_me: true })).toEqual({
      procedure: 'com.app.proc',
      caller: caller.id,
      caller_authid: 'alice',
      caller_authrole: 'admin',
    });
    expect(invocationDetails(peer(), caller, { disclose_me: false })).toEqual({ procedure: 'com.app.proc' });
  });

  it('discloses the caller to callees that registered with disclose_caller', () => {
    const { dealer } = setupDealer();
    const curious = peer();
    const discreet = peer();
    register(dealer, curious, 'com.app.proc', { invoke: 'roundrobin', disclose_caller: true });
    register(dealer, discreet, 'com.app.proc', { invoke: 'roundrobin' });
    const caller = peer({}, { authid: 'bob', authrole: 'user' });
    call(dealer, caller, 'com.app.proc');
    call(dealer, caller, 'com.app.proc');
    expect(takeInvocation(curious)[3]).toEqual({
      procedure: 'com.app.proc',
      caller: caller.id,
      caller_authid: 'bob',
      caller_authrole: 'user',
    });
    expect(takeInvocation(discreet)[3]).toEqual({ procedure: 'com.app.proc' });
  });

  it('rejects a non-boolean disclose_caller', () => {
    const { dealer } = setupDealer();
    wampErrorOf(
      () => dealer.register(peer(), [MessageType.REGISTER, 1, { disclose_caller: 'yes' }, 'com.app.proc']),
      ErrorUri.INVALID_ARGUMENT,
    );
  });
});

describe('Dealer invocation policies', () => {
  /** Registers `n` callees with `invoke`, makes `calls` calls, returns how many each callee got. */
  function distribute(invoke: string, n: number, calls: number, random?: () => number) {
    const { dealer } = setupDealer({ random });
    const callees = Array.from({ length: n }, () => peer());
    for (const c of callees) register(dealer, c, 'com.app.work', { invoke });
    const order: number[] = [];
    const caller = peer();
    for (let i = 0; i < calls; i++) {
      call(dealer, caller, 'com.app.work');
      order.push(callees.findIndex((c) => take(c).some((m) => m[0] === MessageType.INVOCATION)));
    }
    return { dealer, callees, order, caller };
  }

  it('single sends every call to the one callee', () => {
    expect(distribute('single', 1, 3).order).toEqual([0, 0, 0]);
  });

  it('roundrobin rotates through callees in registration order', () => {
    expect(distribute('roundrobin', 3, 7).order).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('roundrobin keeps rotating fairly when a callee leaves', () => {
    const { dealer, callees, order, caller } = distribute('roundrobin', 3, 2);
    expect(order).toEqual([0, 1]);
    dealer.removeSession(callees[0]!);
    const next: number[] = [];
    for (let i = 0; i < 4; i++) {
      call(dealer, caller, 'com.app.work');
      next.push(callees.findIndex((c) => take(c).some((m) => m[0] === MessageType.INVOCATION)));
    }
    expect(next).toEqual([2, 1, 2, 1]);
  });

  it('first sends to the earliest callee still registered', () => {
    const { dealer, callees, order, caller } = distribute('first', 3, 3);
    expect(order).toEqual([0, 0, 0]);
    dealer.removeSession(callees[0]!);
    call(dealer, caller, 'com.app.work');
    expect(takeInvocation(callees[1]!)[0]).toBe(MessageType.INVOCATION);
  });

  it('last sends to the latest callee still registered', () => {
    const { dealer, callees, order, caller } = distribute('last', 3, 3);
    expect(order).toEqual([2, 2, 2]);
    dealer.removeSession(callees[2]!);
    call(dealer, caller, 'com.app.work');
    expect(takeInvocation(callees[1]!)[0]).toBe(MessageType.INVOCATION);
  });

  it('random picks the callee the random source points at', () => {
    const values = [0.9, 0.1, 0.5, 0.99, 0];
    let i = 0;
    expect(distribute('random', 3, 5, () => values[i++]!).order).toEqual([2, 0, 1, 2, 0]);
  });

  it('random spreads calls over all callees', () => {
    const { order } = distribute('random', 3, 300);
    const counts = [0, 1, 2].map((k) => order.filter((o) => o === k).length);
    for (const count of counts) expect(count).toBeGreaterThan(50);
  });
});

describe('Dealer progressive call results', () => {
  function progressiveCall(receiveProgress: boolean) {
    const { dealer } = setupDealer();
    const callee = capablePeer();
    const caller = capablePeer();
    register(dealer, callee, 'com.app.stream');
    const request = call(dealer, caller, 'com.app.stream', receiveProgress ? { receive_progress: true } : {});
    const invocation = takeInvocation(callee)[1] as number;
    dealer.yield(callee, [MessageType.YIELD, invocation, { progress: true }, ['a']]);
    dealer.yield(callee, [MessageType.YIELD, invocation, { progress: true }]);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, ['done'], { n: 2 }]);
    return { dealer, caller, request };
  }

  it('sends progressive RESULTs and then the final RESULT', () => {
    const { dealer, caller, request } = progressiveCall(true);
    expect(take(caller)).toEqual([
      [MessageType.RESULT, request, { progress: true }, ['a']],
      [MessageType.RESULT, request, { progress: true }],
      [MessageType.RESULT, request, {}, ['done'], { n: 2 }],
    ]);
    expect(dealer.pendingCalls).toBe(0);
  });

  it('drops progressive results the caller did not ask for', () => {
    const { caller, request } = progressiveCall(false);
    expect(take(caller)).toEqual([[MessageType.RESULT, request, {}, ['done'], { n: 2 }]]);
  });
});

describe('Dealer payload limits', () => {
  const big = ['x'.repeat(500)];

  it('answers payload_size_exceeded when the INVOCATION is too large for the callee', () => {
    const { dealer } = setupDealer();
    const callee = peer({}, { maxOutgoingSize: 100 });
    const caller = peer();
    register(dealer, callee, 'com.app.store');
    take(callee);
    const request = call(dealer, caller, 'com.app.store', { timeout: 1000 }, big);
    expect(take(callee)).toEqual([]);
    const error = last(caller);
    expect(error.slice(0, 5)).toEqual([MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.PAYLOAD_SIZE_EXCEEDED]);
    expect(dealer.pendingCalls).toBe(0);
    // The refused INVOCATION did not use up an id.
    call(dealer, caller, 'com.app.store', {}, ['small']);
    expect(takeInvocation(callee)[1]).toBe(1);
  });

  it('explains a refused INVOCATION when the explanation fits the caller', () => {
    const { dealer } = setupDealer();
    const callee = peer({}, { maxOutgoingSize: 100 });
    const caller = peer();
    register(dealer, callee, 'com.app.store');
    call(dealer, caller, 'com.app.store', {}, big);
    expect(String((last(caller)[5] as unknown[])[0])).toMatch(/invocation too large for the callee/);
  });

  it('answers payload_size_exceeded when the RESULT is too large for the caller', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const caller = peer({}, { maxOutgoingSize: 100 });
    register(dealer, callee, 'com.app.fetch');
    const request = call(dealer, caller, 'com.app.fetch');
    const invocation = takeInvocation(callee)[1] as number;
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, big]);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([
      [MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.PAYLOAD_SIZE_EXCEEDED],
    ]);
    expect(dealer.pendingCalls).toBe(0);
  });

  it('ends a progressive call whose RESULT is too large and interrupts the callee', () => {
    const { dealer } = setupDealer();
    const callee = capablePeer();
    const caller = capablePeer({ maxOutgoingSize: 100 });
    register(dealer, callee, 'com.app.stream');
    const request = call(dealer, caller, 'com.app.stream', { receive_progress: true });
    const invocation = takeInvocation(callee)[1] as number;
    dealer.yield(callee, [MessageType.YIELD, invocation, { progress: true }, big]);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([
      [MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.PAYLOAD_SIZE_EXCEEDED],
    ]);
    expect(take(callee)).toEqual([
      [MessageType.INTERRUPT, invocation, { mode: 'killnowait', reason: ErrorUri.PAYLOAD_SIZE_EXCEEDED }],
    ]);
    dealer.yield(callee, [MessageType.YIELD, invocation, {}, ['late']]);
    expect(take(caller)).toEqual([]);
  });

  it('replaces a callee ERROR too large for the caller by payload_size_exceeded', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const caller = peer({}, { maxOutgoingSize: 100 });
    register(dealer, callee, 'com.app.fail');
    const request = call(dealer, caller, 'com.app.fail');
    const invocation = takeInvocation(callee)[1] as number;
    dealer.error(callee, [MessageType.ERROR, MessageType.INVOCATION, invocation, {}, 'com.app.failed', big]);
    expect(take(caller).map((m) => m.slice(0, 5))).toEqual([
      [MessageType.ERROR, MessageType.CALL, request, {}, ErrorUri.PAYLOAD_SIZE_EXCEEDED],
    ]);
  });
});
