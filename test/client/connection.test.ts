import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect as connectWithFactory, type ManagedSession, type StateEvent } from '../../src/client/connection.js';
import type { TransportFactory } from '../../src/client/connector.js';
import { AbortedError, AuthenticationError, SessionClosedError, TimeoutError } from '../../src/client/errors.js';
import { RESTART_MAX_MS, RESTART_MIN_MS } from '../../src/client/reconnect-schedule.js';
import type { Event } from '../../src/client/types.js';
import { connect, nodeTransportFactory, type NodeConnectOptions } from '../../src/node.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';
import { FakeClock } from '../helpers/fake-clock.js';

const OPEN_REALM = [{ name: 'home', anonymous: { role: 'anonymous' } }];
const STEP_MS = 5000;

// ---- helpers: routers, proxies, waiting --------------------------------------------------------

interface TestRouter {
  port: number;
  url: string;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A router with one RawSocket listener on 127.0.0.1 (`port` 0: any free port). */
async function startRawRouter(port = 0, realms: unknown[] = OPEN_REALM): Promise<TestRouter> {
  const yaml = stringify({ listen: [{ type: 'rawsocket', host: '127.0.0.1', port }], realms });
  const { config, problems } = parseRouterConfig(yaml, 'connection-test.yaml', {});
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  const running: RunningRouter = await startRouter(config);
  const address = running.listeners[0]!.address;
  if ('path' in address) throw new Error('expected a TCP listener');
  let closed = false;
  const router = {
    port: address.port,
    url: `rs://127.0.0.1:${address.port}`,
    close: async () => {
      if (closed) return;
      closed = true;
      await running.close();
    },
  };
  cleanups.push(router.close);
  return router;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** connect() through the Node entry with test-friendly defaults; closed after the test. */
async function managed(options: Omit<NodeConnectOptions, 'realm'> & { realm?: string }): Promise<ManagedSession> {
  const session = await connect({ realm: 'home', liveness: false, connectTimeoutMs: STEP_MS, ...options });
  cleanups.push(() => session.close());
  return session;
}

/** Records a ManagedSession's state events (including those before connect() resolved). */
function recorder(): { events: StateEvent[]; onState: (event: StateEvent) => void } {
  const events: StateEvent[] = [];
  return { events, onState: (event) => events.push(event) };
}

async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function nextState(session: ManagedSession, state: StateEvent['state'], timeoutMs = STEP_MS): Promise<StateEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${state}' state within ${timeoutMs} ms`)), timeoutMs);
    const listener = (event: StateEvent) => {
      if (event.state !== state) return;
      clearTimeout(timer);
      session.off('state', listener);
      resolve(event);
    };
    session.on('state', listener);
  });
}

/** Retries `fn` until it resolves (a callee restored a moment later, a stale session dropped). */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * A TCP proxy in front of a router. `blackhole()` silently drops every byte of the open
 * connections (both ways) while keeping them open, like a pulled cable or a dropped NAT entry;
 * a close by either end is still passed on. `blackholeNew` does the same to new connections.
 */
class BlackholeProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket; dead: boolean }>();
  blackholeNew = false;
  /** Chunks sent by clients towards the router (forwarded or not). */
  readonly fromClients: Buffer[] = [];

  private constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair = { client, upstream, dead: this.blackholeNew };
      this.#pairs.add(pair);
      client.on('data', (chunk) => {
        this.fromClients.push(chunk);
        if (!pair.dead) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!pair.dead) client.write(chunk);
      });
      const teardown = () => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const socket of [client, upstream]) {
        socket.on('error', teardown);
        socket.on('close', teardown);
        socket.on('end', teardown);
      }
    });
  }

  static async start(targetPort: number): Promise<BlackholeProxy> {
    const proxy = new BlackholeProxy(targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => proxy.close());
    return proxy;
  }

  get url(): string {
    return `rs://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  blackhole(): void {
    for (const pair of this.#pairs) pair.dead = true;
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function stdev(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

// ---- tests -------------------------------------------------------------------------------------

describe('ManagedSession', () => {
  it('joins through the first reachable URL of the list, trying them in order', async () => {
    const router = await startRawRouter();
    const dead = `rs://127.0.0.1:${await closedPort()}`;
    const { events, onState } = recorder();
    const session = await managed({ urls: [dead, router.url], onState });
    expect(session.state).toBe('joined');
    expect(session.session?.isOpen).toBe(true);
    expect(events.map((e) => [e.state, e.url])).toEqual([
      ['connecting', dead],
      ['connecting', router.url],
      ['joined', router.url],
    ]);
    expect(events[2]!.sessionId).toBe(session.session!.id);
    const result = await session.call('wamp.session.count');
    expect(result.args[0]).toBeGreaterThanOrEqual(1);
  });

  it('rejoins a restarted router on the same port and restores its registration and subscription', async () => {
    let router = await startRawRouter();
    const port = router.port;
    const { events, onState } = recorder();
    const device = await managed({ url: router.url, onState });
    const received: Event[] = [];
    const registration = await device.register('com.test.echo', (inv) => `echo:${String(inv.args[0])}`);
    const subscription = await device.subscribe('com.test.topic', (event) => {
      received.push(event);
    });
    const firstId = device.session!.id;

    const retrying = nextState(device, 'retrying');
    await router.close();
    const retry = await retrying;
    expect(events.find((e) => e.state === 'disconnected')?.reason).toBe('wamp.close.system_shutdown');
    expect(retry.attempt).toBe(1);
    // system_shutdown: the router is restarting, so the retry comes within about a second.
    expect(retry.delayMs).toBeGreaterThanOrEqual(RESTART_MIN_MS);
    expect(retry.delayMs).toBeLessThan(RESTART_MAX_MS);

    const rejoined = nextState(device, 'joined');
    router = await startRawRouter(port);
    const joined = await rejoined;
    expect(joined.sessionId).not.toBe(firstId);
    expect(registration.id).toBeGreaterThan(0);
    expect(subscription.id).toBeGreaterThan(0);

    // Another client reaches the restored registration and subscription; no user code ran.
    const other = await managed({ url: router.url });
    expect((await other.call('com.test.echo', ['hi'])).args).toEqual(['echo:hi']);
    await other.publish('com.test.topic', [42], {}, { acknowledge: true });
    await waitFor(() => received.length === 1, 'the event');
    expect(received[0]!.args).toEqual([42]);

    // The handles still work after the reconnect.
    await registration.unregister();
    await expect(other.call('com.test.echo', ['hi'])).rejects.toMatchObject({ uri: 'wamp.error.no_such_procedure' });
    await subscription.unsubscribe();
    await other.publish('com.test.topic', [43], {}, { acknowledge: true });
    await device.call('wamp.session.count'); // a round trip after the publication
    expect(received).toHaveLength(1);
  });

  it('spreads the first reconnect of 20 clients after a router restart over a second (no lockstep)', async () => {
    let router = await startRawRouter();
    const port = router.port;
    const clients = await Promise.all(Array.from({ length: 20 }, () => managed({ url: router.url })));
    const firstRetries = clients.map((client) => nextState(client, 'retrying'));
    await router.close();
    const delays = (await Promise.all(firstRetries)).map((event) => event.delayMs!);
    expect(delays.every((d) => d >= RESTART_MIN_MS && d < RESTART_MAX_MS)).toBe(true);
    // Jitter over [200, 1000): uniform, stdev ~230 ms. Lockstep (or little jitter) would be ~0.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(300);
    expect(stdev(delays)).toBeGreaterThan(100);
    expect(new Set(delays).size).toBe(20);

    router = await startRawRouter(port);
    await waitFor(() => clients.every((c) => c.state === 'joined'), 'every client to rejoin', 10_000);
  });

  it('waits random() * min(maxMs, initialMs * factor^n) between failed rounds and gives up after `retries`', async () => {
    const clock = new FakeClock();
    const tried: string[] = [];
    const factory: TransportFactory = async (url) => {
      tried.push(url.url);
      throw new Error('ECONNREFUSED');
    };
    const randoms = [0.5, 0.25, 1, 0.1];
    let r = 0;
    const { events, onState } = recorder();
    const joined = connectWithFactory({
      urls: ['rs://a:1', 'rs://b:2'],
      realm: 'home',
      transportFactory: factory,
      clock,
      random: () => randoms[r++]!,
      reconnect: { initialMs: 100, factor: 2, maxMs: 300, retries: 4 },
      liveness: false,
      onState,
    });
    let failure: unknown;
    joined.catch((error: unknown) => (failure = error));
    for (let i = 0; i < 20 && failure === undefined; i++) {
      await flush();
      clock.advance(1000);
    }
    expect(events.filter((e) => e.state === 'retrying').map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 0.5 * 100],
      [2, 0.25 * 200],
      [3, 1 * 300],
      [4, 0.1 * 300],
    ]);
    expect(tried).toEqual(Array.from({ length: 5 }, () => ['rs://a:1', 'rs://b:2']).flat());
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/gave up after 4 retries: ECONNREFUSED/);
    expect(events.at(-1)).toMatchObject({ state: 'closed' });
    expect(clock.pending).toBe(0);
  });

  it('rejects connect() after one failed round with reconnect: false', async () => {
    const url = `rs://127.0.0.1:${await closedPort()}`;
    await expect(connect({ url, realm: 'home', reconnect: false, liveness: false })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops at an authentication failure instead of retrying it forever', async () => {
    const router = await startRawRouter(0, [
      { name: 'home', users: [{ authid: 'alice', method: 'ticket', ticket: 'secret123', role: 'user' }], roles: { user: [] } },
    ]);
    let dials = 0;
    const counting: TransportFactory = (...args) => {
      dials++;
      return nodeTransportFactory(...args);
    };
    const { events, onState } = recorder();
    const attempt = connect({ url: router.url, realm: 'home', auth: { method: 'ticket', authid: 'alice', ticket: 'wrong' }, transportFactory: counting, onState });
    await expect(attempt).rejects.toBeInstanceOf(AuthenticationError);
    await expect(attempt).rejects.toMatchObject({ uri: 'wamp.error.authentication_failed' });
    expect(dials).toBe(1);
    expect(events.map((e) => e.state)).toEqual(['connecting', 'closed']);
    expect(events[1]!.error).toBeInstanceOf(AuthenticationError);

    const noRealm = connect({ url: router.url, realm: 'nope', transportFactory: counting });
    await expect(noRealm).rejects.toBeInstanceOf(AbortedError);
    await expect(noRealm).rejects.toMatchObject({ uri: 'wamp.error.no_such_realm' });
    expect(dials).toBe(2);
  });

  it('keeps retrying authentication failures when retryAuthFailures is set', async () => {
    const router = await startRawRouter(0, [
      { name: 'home', users: [{ authid: 'alice', method: 'ticket', ticket: 'secret123', role: 'user' }], roles: { user: [] } },
    ]);
    const { events, onState } = recorder();
    const abort = new AbortController();
    const attempt = connect({
      url: router.url,
      realm: 'home',
      auth: { method: 'ticket', authid: 'alice', ticket: 'wrong' },
      reconnect: { initialMs: 10, maxMs: 20, retryAuthFailures: true },
      onState,
      signal: abort.signal,
    });
    await waitFor(() => events.filter((e) => e.state === 'retrying').length >= 3, 'three retries');
    expect(events.find((e) => e.state === 'retrying')?.error).toBeInstanceOf(AuthenticationError);
    // The signal ends a connect() that has not joined yet.
    abort.abort();
    await expect(attempt).rejects.toBeInstanceOf(SessionClosedError);
    expect(events.at(-1)?.state).toBe('closed');
  });

  it('rejects calls in flight when the link dies and holds calls made while disconnected until the next join', async () => {
    let router = await startRawRouter();
    const port = router.port;
    const device = await managed({ url: router.url });
    await device.register('com.test.slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 10_000)));
    await device.register('com.test.echo', (inv) => inv.args[0]);
    const inFlight = device.call('com.test.slow');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const retrying = nextState(device, 'retrying');
    // Expect the rejection before closing: the router's GOODBYE rejects the call while close() waits.
    const rejected = expect(inFlight).rejects.toBeInstanceOf(SessionClosedError);
    await router.close();
    await rejected;
    await retrying;

    expect(device.session).toBeUndefined();
    const queued = device.call('com.test.echo', ['queued'], {}, { timeout: STEP_MS });
    const tooShort = device.call('com.test.echo', ['short'], {}, { timeout: 50 });
    await expect(tooShort).rejects.toBeInstanceOf(TimeoutError);
    router = await startRawRouter(port);
    // Released after the join, which comes after the registration was restored.
    expect((await queued).args).toEqual(['queued']);
  });

  it('completes register and subscribe made while disconnected on the next join', async () => {
    let router = await startRawRouter();
    const port = router.port;
    const device = await managed({ url: router.url });
    const retrying = nextState(device, 'retrying');
    await router.close();
    await retrying;
    const registering = device.register('com.test.later', () => 'later');
    const events: Event[] = [];
    const subscribing = device.subscribe('com.test.later', (e) => {
      events.push(e);
    });
    router = await startRawRouter(port);
    const [registration, subscription] = await Promise.all([registering, subscribing]);
    expect(registration.procedure).toBe('com.test.later');
    expect(subscription.topic).toBe('com.test.later');
    const other = await managed({ url: router.url });
    expect((await other.call('com.test.later')).args).toEqual(['later']);
    await other.publish('com.test.later', [1], {}, { acknowledge: true });
    await waitFor(() => events.length === 1, 'the event');
  });

  it('keeps retrying a registration that a stale session still holds on the router', async () => {
    let router = await startRawRouter();
    const port = router.port;
    const device = await managed({ url: router.url, reconnect: { initialMs: 100 } });
    await device.register('com.test.unique', () => 'device');
    const failures: { uri: string; retryInMs?: number }[] = [];
    device.on('restoreFailed', (f) => failures.push({ uri: f.error instanceof Error ? (f.error as { uri?: string }).uri ?? '' : '', retryInMs: f.retryInMs }));

    const retrying = nextState(device, 'retrying');
    await router.close();
    await retrying;
    router = await startRawRouter(port);
    // Someone else (think: our own previous session, not yet timed out) holds the procedure.
    const squatter = await managed({ url: router.url, reconnect: false });
    await squatter.register('com.test.unique', () => 'squatter');
    await nextState(device, 'joined');
    expect(failures[0]).toMatchObject({ uri: 'wamp.error.procedure_already_exists' });
    expect(failures[0]!.retryInMs).toBeGreaterThanOrEqual(0);

    await squatter.close();
    const other = await managed({ url: router.url });
    const result = await eventually(() => other.call('com.test.unique'));
    expect(result.args).toEqual(['device']);
  });

  it('stops reconnecting on close() and rejects what waits for a session', async () => {
    const router = await startRawRouter();
    const { events, onState } = recorder();
    const device = await managed({ url: router.url, onState });
    const retrying = nextState(device, 'retrying');
    await router.close();
    await retrying;
    const waiting = expect(device.call('com.test.echo')).rejects.toBeInstanceOf(SessionClosedError);
    await device.close();
    await waiting;
    expect(device.state).toBe('closed');
    expect(await device.closed).toMatchObject({ state: 'closed' });
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(events).toHaveLength(count);
    await expect(device.call('com.test.echo')).rejects.toBeInstanceOf(SessionClosedError);
  });
});

describe('ManagedSession dead-link detection', () => {
  const LIVENESS = { intervalMs: 300, timeoutMs: 300 };

  it('detects a blackholed link within interval + timeout and rejoins through the proxy', async () => {
    const router = await startRawRouter();
    const proxy = await BlackholeProxy.start(router.port);
    const device = await managed({ url: proxy.url, liveness: LIVENESS });
    await device.register('com.test.echo', (inv) => inv.args[0]);
    const firstId = device.session!.id;
    await new Promise((resolve) => setTimeout(resolve, 100));

    const disconnected = nextState(device, 'disconnected');
    const started = Date.now();
    proxy.blackhole();
    const event = await disconnected;
    const elapsed = Date.now() - started;
    expect(event.reason).toBe('wamp.close.transport_lost');
    expect(event.error?.message).toMatch(/liveness probe/);
    expect(elapsed).toBeGreaterThanOrEqual(LIVENESS.timeoutMs - 20);
    // Worst case: traffic just before the blackhole postpones the probe by one interval.
    expect(elapsed).toBeLessThan(2 * LIVENESS.intervalMs + LIVENESS.timeoutMs + 1000);

    const joined = await nextState(device, 'joined');
    expect(joined.sessionId).not.toBe(firstId);
    const other = await managed({ url: router.url });
    expect((await eventually(() => other.call('com.test.echo', ['back']))).args).toEqual(['back']);
  });

  it('fails over to the second URL when the first stops answering', async () => {
    const router = await startRawRouter();
    const proxy = await BlackholeProxy.start(router.port);
    const direct = router.url;
    const { events, onState } = recorder();
    const device = await managed({ urls: [proxy.url, direct], liveness: LIVENESS, connectTimeoutMs: 1500, onState });
    expect(device.url).toBe(proxy.url);
    proxy.blackholeNew = true;
    proxy.blackhole();
    const joined = await nextState(device, 'joined');
    expect(joined.url).toBe(direct);
    expect(device.url).toBe(direct);
    // After the dead link: the proxy again (no answer within connectTimeoutMs), then the router directly.
    const afterLoss = events.slice(events.findIndex((e) => e.state === 'disconnected'));
    expect(afterLoss.filter((e) => e.state === 'connecting').map((e) => e.url)).toEqual([proxy.url, direct]);
  });

  it.each(['wamp', 'rawsocket-ping'] as const)('keeps an idle but healthy link open while probing it (mode %s)', async (mode) => {
    const router = await startRawRouter();
    const proxy = await BlackholeProxy.start(router.port);
    const { events, onState } = recorder();
    const device = await managed({ url: proxy.url, liveness: { intervalMs: 100, timeoutMs: 1000, mode }, onState });
    const id = device.session!.id;
    const before = proxy.fromClients.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(device.state).toBe('joined');
    expect(device.session!.id).toBe(id);
    expect(events.filter((e) => e.state === 'disconnected')).toEqual([]);
    const probes = proxy.fromClients.slice(before);
    expect(probes.length).toBeGreaterThanOrEqual(2);
    // RawSocket frame type: 0 = WAMP message, 1 = PING.
    const pings = probes.filter((chunk) => chunk[0] === 0x01);
    if (mode === 'rawsocket-ping') expect(pings.length).toBe(probes.length);
    else expect(pings).toEqual([]);
  });
});

