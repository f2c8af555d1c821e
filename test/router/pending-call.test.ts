import { describe, expect, it } from 'vitest';
import { PendingCall, PendingCallTable } from '../../src/router/pending-call.js';
import type { RouterSession } from '../../src/router/router-session.js';
import { createFakeSession } from '../helpers/fake-transport.js';
import { FakeClock } from './dealer-helpers.js';

function pending(caller: RouterSession, callRequest: number, callee: RouterSession, invocationId: number): PendingCall {
  return new PendingCall({ caller, callRequest, callee, invocationId, receiveProgress: false });
}

describe('PendingCallTable', () => {
  it('finds a call by caller request and by callee invocation, and forgets it once', () => {
    const table = new PendingCallTable();
    const [caller, callee] = [createFakeSession(), createFakeSession()];
    const call = pending(caller, 5, callee, 1);
    table.add(call);
    expect(table.byCall(caller, 5)).toBe(call);
    expect(table.byInvocation(callee, 1)).toBe(call);
    expect(table.byInvocation(caller, 1)).toBeUndefined();
    expect(table.delete(call)).toBe(true);
    expect(table.delete(call)).toBe(false);
    expect(table.byCall(caller, 5)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('hands over every call of a leaving session from either side', () => {
    const table = new PendingCallTable();
    const [a, b, c] = [createFakeSession(), createFakeSession(), createFakeSession()];
    const ab = pending(a, 1, b, 1);
    const ac = pending(a, 2, c, 1);
    const cb = pending(c, 1, b, 2);
    for (const call of [ab, ac, cb]) table.add(call);
    expect(table.takeCalleeCalls(b)).toEqual([ab, cb]);
    expect(table.byCall(c, 1)).toBeUndefined();
    expect(table.takeCallerCalls(a)).toEqual([ac]);
    expect(table.byInvocation(c, 1)).toBeUndefined();
    expect(table.size).toBe(0);
  });
});

describe('PendingCall', () => {
  it('fires its timeout once, restarts it from now, and stops it', () => {
    const clock = new FakeClock();
    const call = pending(createFakeSession(), 1, createFakeSession(), 1);
    let fired = 0;
    call.startTimer(clock, 100, () => fired++);
    clock.advance(90);
    call.restartTimer(clock);
    clock.advance(90);
    expect(fired).toBe(0);
    clock.advance(10);
    expect(fired).toBe(1);
    call.startTimer(clock, 100, () => fired++);
    call.stopTimer(clock);
    clock.advance(500);
    expect(fired).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('caps a timeout longer than setTimeout allows', () => {
    const clock = new FakeClock();
    const call = pending(createFakeSession(), 1, createFakeSession(), 1);
    let fired = false;
    call.startTimer(clock, 2 ** 40, () => (fired = true));
    clock.advance(2 ** 31 - 2);
    expect(fired).toBe(false);
    clock.advance(1);
    expect(fired).toBe(true);
  });
});
