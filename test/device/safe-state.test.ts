import { describe, expect, it } from 'vitest';
import { SafeStateGuard, type GuardedActuator } from '../../src/device/safe-state.js';
import { FakeClock } from '../helpers/fake-clock.js';

function actuator(onDisconnect: 'off' | 'on' | 'hold', grace: number) {
  const applied: string[] = [];
  const target: GuardedActuator = {
    config: { on_disconnect: onDisconnect, grace },
    applySafeState: (reason) => {
      applied.push(reason);
      return Promise.resolve();
    },
  };
  return { target, applied };
}

describe('SafeStateGuard', () => {
  it('applies the safe state after grace without any session since start', () => {
    const clock = new FakeClock();
    const a = actuator('off', 5000);
    const guard = new SafeStateGuard([a.target], clock);
    guard.start();
    clock.advance(4999);
    expect(a.applied).toHaveLength(0);
    clock.advance(1);
    expect(a.applied).toHaveLength(1);
  });

  it('never applies it while a session is joined, and starts over when the last one is lost', () => {
    const clock = new FakeClock();
    const a = actuator('off', 5000);
    const guard = new SafeStateGuard([a.target], clock);
    guard.start();
    clock.advance(3000);
    guard.sessionJoined();
    guard.sessionJoined();
    clock.advance(10_000);
    guard.sessionLost();
    clock.advance(10_000);
    expect(a.applied).toHaveLength(0);
    guard.sessionLost();
    clock.advance(4999);
    expect(a.applied).toHaveLength(0);
    clock.advance(1);
    expect(a.applied).toHaveLength(1);
  });

  it('honours each actuator grace and skips hold', () => {
    const clock = new FakeClock();
    const fast = actuator('off', 1000);
    const slow = actuator('on', 3000);
    const held = actuator('hold', 1000);
    const guard = new SafeStateGuard([fast.target, slow.target, held.target], clock);
    guard.start();
    clock.advance(1000);
    expect([fast.applied.length, slow.applied.length]).toEqual([1, 0]);
    clock.advance(2000);
    expect([fast.applied.length, slow.applied.length, held.applied.length]).toEqual([1, 1, 0]);
  });

  it('fires nothing after stop', () => {
    const clock = new FakeClock();
    const a = actuator('off', 1000);
    const guard = new SafeStateGuard([a.target], clock);
    guard.start();
    guard.stop();
    guard.sessionLost();
    clock.advance(5000);
    expect(a.applied).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });
});
