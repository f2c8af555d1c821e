import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIVENESS,
  LivenessMonitor,
  ObservedTransport,
  pingProbe,
  resolveLivenessOptions,
  wampProbe,
} from '../../src/client/liveness.js';
import { isPingable } from '../../src/client/connector.js';
import { MessageType } from '../../src/protocol/message-type.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import { linkedPair } from '../../src/transport/local.js';
import type { CloseInfo } from '../../src/transport/transport.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A probe whose answers the test controls. */
function controlledProbe() {
  const pending: { resolve(): void; reject(error: Error): void }[] = [];
  return {
    pending,
    probe: () =>
      new Promise<void>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  };
}

function monitor(clock: FakeClock, probe: () => Promise<unknown>, traffic: { seen: boolean }) {
  const dead: string[] = [];
  const m = new LivenessMonitor({
    clock,
    intervalMs: 1000,
    timeoutMs: 300,
    takeTraffic: () => {
      const seen = traffic.seen;
      traffic.seen = false;
      return seen;
    },
    probe,
    onDead: (reason) => dead.push(reason),
  });
  return { m, dead };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LivenessMonitor', () => {
  it('does not probe a link that carried traffic in every interval', () => {
    const clock = new FakeClock();
    const { pending, probe } = controlledProbe();
    const traffic = { seen: false };
    const { m, dead } = monitor(clock, probe, traffic);
    m.start();
    for (let i = 0; i < 10; i++) {
      traffic.seen = true;
      clock.advance(1000);
    }
    expect(pending).toHaveLength(0);
    expect(dead).toEqual([]);
    m.stop();
    expect(clock.pending).toBe(0);
  });

  it('probes an idle link after one interval and stays quiet when the probe is answered', async () => {
    const clock = new FakeClock();
    const { pending, probe } = controlledProbe();
    const { m, dead } = monitor(clock, probe, { seen: false });
    m.start();
    clock.advance(999);
    expect(pending).toHaveLength(0);
    clock.advance(1);
    expect(pending).toHaveLength(1);
    clock.advance(200);
    pending[0]!.resolve();
    await flush();
    clock.advance(999);
    expect(pending).toHaveLength(1);
    // The next probe goes out one interval after the answer.
    clock.advance(1);
    expect(pending).toHaveLength(2);
    expect(dead).toEqual([]);
    m.stop();
  });

  it('counts an ERROR answer (a rejected probe) as alive', async () => {
    const clock = new FakeClock();
    const { pending, probe } = controlledProbe();
    const { m, dead } = monitor(clock, probe, { seen: false });
    m.start();
    clock.advance(1000);
    pending[0]!.reject(new Error('wamp.error.no_such_procedure'));
    await flush();
    clock.advance(300);
    expect(dead).toEqual([]);
    m.stop();
  });

  it('declares the link dead once, interval + timeout after the last traffic, when the probe goes unanswered', () => {
    const clock = new FakeClock();
    const { probe } = controlledProbe();
    const { m, dead } = monitor(clock, probe, { seen: false });
    m.start();
    clock.advance(1299);
    expect(dead).toEqual([]);
    clock.advance(1);
    expect(dead).toEqual(['no answer to a liveness probe within 300 ms']);
    expect(m.running).toBe(false);
    clock.advance(10_000);
    expect(dead).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('ignores an answer that arrives after stop()', async () => {
    const clock = new FakeClock();
    const { pending, probe } = controlledProbe();
    const { m, dead } = monitor(clock, probe, { seen: false });
    m.start();
    clock.advance(1000);
    m.stop();
    pending[0]!.resolve();
    await flush();
    expect(clock.pending).toBe(0);
    expect(dead).toEqual([]);
  });
});

describe('wampProbe', () => {
  it("calls a random procedure under the session's own namespace and settles with any answer", async () => {
    const called: string[] = [];
    const session = {
      id: 4242,
      call: (procedure: string) => {
        called.push(procedure);
        return Promise.reject(new Error('wamp.error.no_such_procedure'));
      },
    };
    const probe = wampProbe(session, () => 0.5);
    await expect(probe()).rejects.toThrow('no_such_procedure');
    expect(called).toEqual([`switchyard.liveness.s4242.p${(2 ** 47).toString(36)}`]);
    expect(called[0]).toMatch(/^([0-9a-z_]+\.)*[0-9a-z_]+$/);
  });
});

describe('pingProbe', () => {
  it('sends a PING through the transport', async () => {
    let pings = 0;
    const probe = pingProbe({ ping: async () => ++pings } as never);
    await expect(probe()).resolves.toBe(1);
  });
});

describe('ObservedTransport', () => {
  it('passes messages through both ways and notes inbound traffic', async () => {
    const [a, b] = linkedPair();
    const observed = new ObservedTransport(a);
    const received: WampMessage[] = [];
    const closes: CloseInfo[] = [];
    observed.attach({ onMessage: (m) => received.push(m), onProtocolError: () => {}, onClose: (i) => closes.push(i) });
    const atB: WampMessage[] = [];
    b.attach({ onMessage: (m) => atB.push(m), onProtocolError: () => {}, onClose: () => {} });
    expect(observed.takeTraffic()).toBe(false);
    observed.send([MessageType.GOODBYE, {}, 'wamp.close.normal']);
    b.send([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await flush();
    expect(atB).toEqual([[MessageType.GOODBYE, {}, 'wamp.close.normal']]);
    expect(received).toEqual([[MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']]);
    expect(observed.takeTraffic()).toBe(true);
    expect(observed.takeTraffic()).toBe(false);
    expect(observed.info.kind).toBe('local');
    expect(observed.isOpen).toBe(true);
    observed.close('bye');
    await flush();
    expect(closes).toHaveLength(1);
    expect(observed.isOpen).toBe(false);
    expect(observed.inner).toBe(a);
    expect(isPingable(observed)).toBe(false);
  });

  it('destroys the wrapped transport', async () => {
    const [a, b] = linkedPair();
    const observed = new ObservedTransport(a);
    const closes: CloseInfo[] = [];
    observed.attach({ onMessage: () => {}, onProtocolError: () => {}, onClose: (i) => closes.push(i) });
    b.attach({ onMessage: () => {}, onProtocolError: () => {}, onClose: () => {} });
    observed.destroy('liveness timeout');
    await flush();
    expect(a.isOpen).toBe(false);
    expect(closes).toHaveLength(1);
  });
});

describe('resolveLivenessOptions', () => {
  it('fills in the defaults: WAMP probe after 20 s idle, 10 s to answer', () => {
    expect(resolveLivenessOptions()).toEqual(DEFAULT_LIVENESS);
    expect(DEFAULT_LIVENESS).toEqual({ intervalMs: 20_000, timeoutMs: 10_000, mode: 'wamp' });
    expect(resolveLivenessOptions({ intervalMs: 500, mode: 'rawsocket-ping' })).toEqual({ intervalMs: 500, timeoutMs: 10_000, mode: 'rawsocket-ping' });
  });

  it('rejects a zero interval, a negative timeout and an unknown mode', () => {
    expect(() => resolveLivenessOptions({ intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => resolveLivenessOptions({ timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => resolveLivenessOptions({ mode: 'tcp' as never })).toThrow(/mode/);
  });
});
