import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { subscribe } from '../../src/cli/commands/subscribe.js';
import { main } from '../../src/cli/main.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { closedPort } from './closed-port.js';
import { fakeIo, type FakeIo } from './fake-io.js';

/** An open-realm router with one RawSocket listener on a given port (to restart it in place). */
async function rawRouterOn(port: number): Promise<RunningRouter> {
  const yaml = stringify({ listen: [{ type: 'rawsocket', host: '127.0.0.1', port }], realms: [{ name: 'home', anonymous: { role: 'anonymous' } }] });
  const { config, problems } = parseRouterConfig(yaml, 'subscribe-test.yaml', {});
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  return startRouter(config);
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Subscribers the router has for `topic` (meta API). */
async function subscribers(probe: ManagedSession, topic: string, match = 'exact'): Promise<number> {
  const id = (await probe.call('wamp.subscription.lookup', [topic, { match }])).args[0];
  if (typeof id !== 'number') return 0;
  try {
    return (await probe.call('wamp.subscription.count_subscribers', [id])).args[0] as number;
  } catch {
    return 0; // the subscription went away between the two calls
  }
}

function lines(io: FakeIo): unknown[] {
  return io.stdoutText().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
}

describe('subscribe', () => {
  let router: TestRouter;
  let probe: ManagedSession;
  let url: string;
  const stops: AbortController[] = [];

  beforeAll(async () => {
    router = await startTestRouter();
    url = `rs://127.0.0.1:${router.rawsocketPort}`;
    probe = await connect({ url, realm: 'home', reconnect: false });
  });

  afterEach(() => {
    for (const stop of stops.splice(0)) stop.abort();
  });

  afterAll(async () => {
    await probe?.leave();
    await router?.close();
  });

  /** Starts `switchyard subscribe ARGV` with a signal the test (or afterEach) aborts. */
  function start(argv: string[]): { io: FakeIo; stop: AbortController; exit: Promise<number> } {
    const stop = new AbortController();
    stops.push(stop);
    const io: FakeIo = { ...fakeIo(), signal: stop.signal };
    return { io, stop, exit: main(['subscribe', ...argv], io) };
  }

  it('prints one JSON line per event and exits 0 after --count events', async () => {
    const run = start(['test.temp', '--count', '2', '--url', url]);
    await until('the subscription', async () => (await subscribers(probe, 'test.temp')) === 1);
    await probe.publish('test.temp', [21.5], { unit: '°C' }, { acknowledge: true });
    await probe.publish('test.temp', [], {}, { acknowledge: true });
    await probe.publish('test.temp', ['not printed'], {}, { acknowledge: true });
    expect(await run.exit).toBe(0);
    expect(run.io.stdoutText()).toBe('{"topic":"test.temp","args":[21.5],"kwargs":{"unit":"°C"}}\n{"topic":"test.temp","args":[],"kwargs":{}}\n');
    expect(run.io.stderrText()).toBe('');
    await until('the session to leave', async () => (await subscribers(probe, 'test.temp')) === 0);
  });

  it('prints the concrete topic with --match prefix and wildcard', async () => {
    const prefix = start(['devices.', '--match', 'prefix', '--count', '1', '--url', url, '--serializer', 'json']);
    const wildcard = start(['devices..temperature', '--match', 'wildcard', '--count', '1', '--url', router.wsUrl]);
    await until('the subscriptions', async () =>
      (await subscribers(probe, 'devices.', 'prefix')) === 1 && (await subscribers(probe, 'devices..temperature', 'wildcard')) === 1);
    await probe.publish('devices.porch.temperature', [20], {}, { acknowledge: true });
    expect(await prefix.exit).toBe(0);
    expect(await wildcard.exit).toBe(0);
    expect(lines(prefix.io)).toEqual([{ topic: 'devices.porch.temperature', args: [20], kwargs: {} }]);
    expect(lines(wildcard.io)).toEqual([{ topic: 'devices.porch.temperature', args: [20], kwargs: {} }]);
  });

  it('prints the retained event first with --retained', async () => {
    await probe.publish('test.status', ['online'], {}, { acknowledge: true, retain: true });
    const run = start(['test.status', '--retained', '--count', '1', '--url', url]);
    expect(await run.exit).toBe(0);
    expect(lines(run.io)).toEqual([{ topic: 'test.status', args: ['online'], kwargs: {} }]);
  });

  it('runs until the signal aborts, then leaves and exits 0', async () => {
    const run = start(['test.signal', '--url', url]);
    await until('the subscription', async () => (await subscribers(probe, 'test.signal')) === 1);
    for (let i = 0; i < 3; i++) await probe.publish('test.signal', [i], {}, { acknowledge: true });
    await until('three lines', () => lines(run.io).length === 3);
    run.stop.abort();
    expect(await run.exit).toBe(0);
    expect(lines(run.io)).toEqual([0, 1, 2].map((i) => ({ topic: 'test.signal', args: [i], kwargs: {} })));
    expect(await subscribers(probe, 'test.signal')).toBe(0);
    expect(run.io.stderrText()).toBe('');
  });

  it('exits 2 with one line when the router is unreachable at the start', async () => {
    const port = await closedPort();
    const run = start(['test.x', '--url', `rs://127.0.0.1:${port}`]);
    expect(await run.exit).toBe(2);
    expect(run.io.stderrText()).toMatch(new RegExp(`^switchyard subscribe: cannot connect to rs://127\\.0\\.0\\.1:${port}: [^\\n]*ECONNREFUSED[^\\n]*\\n$`));
  });

  it('exits 0 at once when stopped before it joined', async () => {
    const stop = new AbortController();
    stop.abort();
    const io: FakeIo = { ...fakeIo(), signal: stop.signal };
    expect(await main(['subscribe', 'test.x', '--url', url], io)).toBe(0);
    expect(io.stdoutText()).toBe('');
  });

  it('exits 2 with one line when the router refuses the subscription', async () => {
    const strict = await startTestRouter({
      realms: [{ name: 'home', anonymous: { role: 'public' }, roles: { public: [{ uri: 'devices.', match: 'prefix', allow: ['call'] }] } }],
    });
    try {
      const run = start(['devices.porch.status', '--url', `rs://127.0.0.1:${strict.rawsocketPort}`]);
      expect(await run.exit).toBe(2);
      expect(run.io.stderrText()).toMatch(/^switchyard subscribe: wamp\.error\.not_authorized: [^\n]*'devices\.porch\.status'[^\n]*\n$/);
      expect(run.io.stdoutText()).toBe('');
    } finally {
      await strict.close();
    }
  });

  it('reconnects and subscribes again after the router restarts', async () => {
    const port = await closedPort();
    let restartable = await rawRouterOn(port);
    const routerUrl = `rs://127.0.0.1:${port}`;
    try {
      const run = start(['test.restart', '--count', '2', '--url', routerUrl]);
      let publisher = await connect({ url: routerUrl, realm: 'home', reconnect: false });
      await until('the subscription', async () => (await subscribers(publisher, 'test.restart')) === 1);
      await publisher.publish('test.restart', ['before'], {}, { acknowledge: true });
      await until('the first line', () => lines(run.io).length === 1);
      await publisher.leave();
      await restartable.close();
      restartable = await rawRouterOn(port);
      publisher = await connect({ url: routerUrl, realm: 'home', reconnect: false });
      await until('the subscription after the restart', async () => (await subscribers(publisher, 'test.restart')) === 1, 10_000);
      await publisher.publish('test.restart', ['after'], {}, { acknowledge: true });
      expect(await run.exit).toBe(0);
      await publisher.leave();
      expect(lines(run.io)).toEqual([
        { topic: 'test.restart', args: ['before'], kwargs: {} },
        { topic: 'test.restart', args: ['after'], kwargs: {} },
      ]);
      expect(run.io.stderrText()).toMatch(/^switchyard subscribe: connection lost \([^\n]+\); reconnecting\nswitchyard subscribe: reconnected to rs:\/\/127\.0\.0\.1:\d+\n$/);
    } finally {
      await restartable.close();
    }
  }, 20_000);

  it('prints its usage on --help', async () => {
    const io = fakeIo();
    expect(await subscribe.run(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toBe(subscribe.usage);
  });

  it.each([
    [[], 'missing TOPIC'],
    [['a.b', 'c.d'], "unexpected argument 'c.d'"],
    [['a.b', '--match', 'regex'], "--match: expected one of exact, prefix, wildcard, got 'regex'"],
    [['a..b'], "'a..b' is not a valid topic URI for --match exact"],
    [['rs://127.0.0.1:8081'], "'rs://127.0.0.1:8081' is a router URL, not a topic URI: give it with --url"],
    [['a.b', '--count', '0'], "--count: expected a positive whole number, got '0'"],
    [['a.b', '--count', 'many'], "--count: expected a positive whole number, got 'many'"],
    [['a.b', '--qos', '1'], "Unknown option '--qos'"],
  ])('exits 1 with the usage for %j', async (argv, message) => {
    const io = fakeIo();
    expect(await main(['subscribe', ...argv], io)).toBe(1);
    expect(io.stderrText()).toBe(`switchyard subscribe: ${message}\nsee 'switchyard subscribe --help'\n`);
  });
});
