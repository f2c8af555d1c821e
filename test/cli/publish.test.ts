import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/cli/commands/publish.js';
import { main } from '../../src/cli/main.js';
import type { Event } from '../../src/client/types.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { closedPort } from './closed-port.js';
import { fakeIo } from './fake-io.js';

async function runPublish(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIo();
  const code = await main(['publish', ...argv], io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

/** Resolves with the next event on `topic` (rejects after 5 s). */
async function nextEvent(session: ManagedSession, topic: string, options: { getRetained?: boolean } = {}): Promise<{ event: Promise<Event> }> {
  let deliver!: (event: Event) => void;
  const event = new Promise<Event>((resolve, reject) => {
    deliver = resolve;
    setTimeout(() => reject(new Error(`no event on ${topic} within 5 s`)), 5000).unref();
  });
  const subscription = await session.subscribe(topic, (e) => deliver(e), options);
  void event.finally(() => subscription.unsubscribe()).catch(() => {});
  return { event };
}

describe('publish', () => {
  let router: TestRouter;
  let subscriber: ManagedSession;
  let url: string;

  beforeAll(async () => {
    router = await startTestRouter({
      realms: [
        {
          name: 'home',
          anonymous: { role: 'public' },
          users: [{ authid: 'alice', method: 'ticket', ticket: 'secret123', role: 'user' }],
          roles: {
            public: [{ uri: 'devices.', match: 'prefix', allow: ['subscribe', 'call'] }],
            user: [{ uri: '', match: 'prefix', allow: ['call', 'register', 'publish', 'subscribe'] }],
          },
        },
      ],
    });
    url = `rs://127.0.0.1:${router.rawsocketPort}`;
    subscriber = await connect({ url, realm: 'home', reconnect: false });
  });

  afterAll(async () => {
    await subscriber?.leave();
    await router?.close();
  });

  const alice = () => ['--url', url, '--authid', 'alice', '--ticket', 'secret123'];

  it('publishes the ARGs and --kw values, parsed as JSON where they are JSON', async () => {
    const { event } = await nextEvent(subscriber, 'devices.porch.temperature');
    expect(await runPublish(['devices.porch.temperature', '21.5', 'on', '[1]', '--kw', 'unit="°C"', '--kw', 'seq=7', ...alice()])).toEqual({
      code: 0,
      out: '',
      err: '',
    });
    const received = await event;
    expect(received.args).toEqual([21.5, 'on', [1]]);
    expect(received.kwargs).toEqual({ unit: '°C', seq: 7 });
  });

  it('keeps a --retain event for a later subscriber', async () => {
    expect((await runPublish(['devices.porch.status', 'online', '--retain', '--serializer', 'json', ...alice()])).code).toBe(0);
    const { event } = await nextEvent(subscriber, 'devices.porch.status', { getRetained: true });
    const received = await event;
    expect(received.args).toEqual(['online']);
    expect(received.retained).toBe(true);
  });

  it('is acknowledged by default, so a refused publication exits 2 with one line', async () => {
    expect(await runPublish(['devices.porch.light.state', 'true', '--url', url])).toEqual({
      code: 2,
      out: '',
      err: "switchyard publish: wamp.error.not_authorized: session is not authorized to publish 'devices.porch.light.state' (role 'public')\n",
    });
    expect((await runPublish(['devices.porch.light.state', 'true', '--acknowledge', '--url', url])).code).toBe(2);
  });

  it('does not wait for the router with --no-acknowledge', async () => {
    expect(await runPublish(['devices.porch.light.state', 'true', '--no-acknowledge', '--url', url])).toEqual({ code: 0, out: '', err: '' });
  });

  it('exits 2 with one line when the router is unreachable', async () => {
    const port = await closedPort();
    const { code, err } = await runPublish(['a.b', '1', '--url', `rs://127.0.0.1:${port}`]);
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^switchyard publish: cannot connect to rs://127\\.0\\.0\\.1:${port}: [^\\n]*ECONNREFUSED[^\\n]*\\n$`));
  });

  it('says in --help that publications are acknowledged by default', async () => {
    const io = fakeIo();
    expect(await publish.run(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toBe(publish.usage);
    expect(publish.usage).toMatch(/acknowledged by default/);
  });

  it.each([
    [[], 'missing TOPIC'],
    [['a..b'], "'a..b' is not a valid topic URI"],
    [['a.b', '--acknowledge', '--no-acknowledge'], 'give only one of --acknowledge, --no-acknowledge'],
    [['a.b', '--kw', 'x'], "--kw: expected KEY=VALUE, got 'x'"],
    [['a.b', '--qos', '1'], "Unknown option '--qos'"],
  ])('exits 1 with the usage for %j', async (argv, message) => {
    expect(await runPublish(argv)).toEqual({ code: 1, out: '', err: `switchyard publish: ${message}\nsee 'switchyard publish --help'\n` });
  });
});
