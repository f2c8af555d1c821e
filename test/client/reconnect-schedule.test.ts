import { describe, expect, it } from 'vitest';
import { connect, type ManagedSession, type StateEvent } from '../../src/client/connection.js';
import type { TransportFactory } from '../../src/client/connector.js';
import { RESTART_MAX_MS, RESTART_MIN_MS, RESTART_WINDOW_MS, ReconnectSchedule } from '../../src/client/reconnect-schedule.js';
import { defaultRouterConfig } from '../../src/router/config.js';
import type { Router } from '../../src/router/router.js';
import { createRouter } from '../../src/router/serve.js';
import { linkedPair } from '../../src/transport/local.js';
import { FakeClock } from '../helpers/fake-clock.js';

const BACKOFF = { initialMs: 500, factor: 2, maxMs: 30_000 };

describe('ReconnectSchedule', () => {
  it('keeps the window growing after a short session and starts over after a healthy one', () => {
    const clock = new FakeClock();
    const schedule = new ReconnectSchedule({ ...BACKOFF, healthyMs: 10_000 }, () => 1, clock);
    expect([schedule.next(), schedule.next(), schedule.next()]).toEqual([500, 1000, 2000]);
    schedule.joined();
    clock.advance(2_000); // dropped after 2 s: not healthy
    schedule.ended('wamp.close.transport_lost');
    expect(schedule.next()).toBe(4000);
    schedule.joined();
    clock.advance(10_000);
    schedule.ended('wamp.close.transport_lost');
    expect(schedule.next()).toBe(500);
    expect(schedule.attempt).toBe(1);
  });

  it('retries within about a second (jittered) for a while after system_shutdown, whatever the window', () => {
    const clock = new FakeClock();
    // Each retry draws the backoff jitter, then (while quick) the restart jitter.
    const randoms = [1, 1, 1, 1, 1, 1, 0, 1, 0.5, 1];
    const schedule = new ReconnectSchedule(BACKOFF, () => randoms.shift() ?? 1, clock);
    for (let i = 0; i < 5; i++) schedule.next(); // the window has grown to 8 s
    schedule.joined();
    clock.advance(1_000);
    schedule.ended('wamp.close.system_shutdown');
    expect(schedule.next()).toBe(RESTART_MIN_MS);
    expect(schedule.next()).toBe((RESTART_MIN_MS + RESTART_MAX_MS) / 2);
    clock.advance(RESTART_WINDOW_MS);
    expect(schedule.next()).toBe(30_000); // back to the backoff once the restart is overdue
  });

  it('rejects a negative healthyMs', () => {
    expect(() => new ReconnectSchedule({ healthyMs: -1 }, Math.random, new FakeClock())).toThrow(RangeError);
  });
});

/** An in-process router that can be shut down (GOODBYE system_shutdown) and started again. */
class RestartableRouter {
  router: Router | undefined = createRouter(defaultRouterConfig());
  readonly factory: TransportFactory = async () => {
    const router = this.router;
    if (router === undefined) throw new Error('connect ECONNREFUSED');
    const [client, server] = linkedPair(undefined, { parse: { lenientIds: true } });
    router.attach(server);
    return client;
  };

  shutdown(): void {
    this.router?.close();
    this.router = undefined;
  }

  start(): void {
    this.router = createRouter(defaultRouterConfig());
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(clock: FakeClock, done: () => boolean, stepMs = 100, steps = 400): Promise<void> {
  for (let i = 0; i < steps && !done(); i++) {
    await flush();
    clock.advance(stepMs);
  }
  await flush();
}

describe('ManagedSession reconnecting to a restarting router (fake clock)', () => {
  it('rejoins within about a second after system_shutdown, though earlier failures grew the backoff', async () => {
    const clock = new FakeClock();
    const server = new RestartableRouter();
    server.shutdown(); // down at first: five failed rounds grow the window to 8 s
    const events: StateEvent[] = [];
    let session: ManagedSession | undefined;
    const joined = connect({ realm: 'home', url: 'rs://hub:8081', transportFactory: server.factory, clock, random: () => 0.99, liveness: false, onState: (e) => events.push(e) });
    void joined.then((s) => (session = s));
    await until(clock, () => events.filter((e) => e.state === 'retrying').length >= 5);
    server.start();
    await until(clock, () => session !== undefined);
    expect(session?.state).toBe('joined');

    // The router restarts right away (session < healthyMs, so the window was not reset).
    events.length = 0;
    server.shutdown();
    await until(clock, () => events.some((e) => e.state === 'retrying'), 10);
    server.start();
    const before = clock.now();
    await until(clock, () => session?.state === 'joined', 10);
    expect(events.find((e) => e.state === 'disconnected')?.reason).toBe('wamp.close.system_shutdown');
    expect(events.find((e) => e.state === 'retrying')?.delayMs).toBeLessThan(RESTART_MAX_MS);
    expect(clock.now() - before).toBeLessThanOrEqual(RESTART_MAX_MS);
    await session?.close();
  });
});
