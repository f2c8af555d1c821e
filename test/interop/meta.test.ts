import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AutobahnPeer, openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, type PyReport, type PyWelcome } from './peers/py-peer.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy, type WampyPeer } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

function metaEvent(key: string, match: (first: unknown) => boolean): (r: PyReport) => boolean {
  return (r) => r.report === 'event' && r.key === key && match((r.args as unknown[])[0]);
}

/**
 * The session, registration and subscription meta API of our router as third-party clients see
 * it: procedures called from Autobahn|JS and Autobahn|Python, meta events received by Python.
 */
describe.skipIf(!runPython)('interop: meta API', () => {
  let router: Awaited<ReturnType<typeof startTestRouter>>;
  let py: PyPeer;
  let watcher: PyWelcome;
  let ab: AutobahnPeer;
  let wampy: WampyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    watcher = await py.open('watcher', { transport: 'rawsocket', serializer: 'cbor' });
    ab = await openAutobahn(router, { transport: 'websocket', serializer: 'json' });
    wampy = await openWampy(router, { serializer: 'json' });
  });

  afterAll(async () => {
    await Promise.allSettled([ab?.close(), wampy?.close()]);
    await py?.stop();
    await router?.close();
  });

  it('counts, lists and describes Python, Autobahn|JS and Wampy sessions', async () => {
    const ids = [watcher.session, ab.session.id, wampy.sessionId];
    const count = await withTimeout(ab.session.call<number>('wamp.session.count'), 'wamp.session.count');
    const list = await withTimeout(ab.session.call<number[]>('wamp.session.list'), 'wamp.session.list');
    expect(count).toBe(3);
    expect([...list].sort()).toEqual([...ids].sort());
    const got = await py.call('watcher', 'wamp.session.get', [wampy.sessionId]);
    expect(got.args[0]).toMatchObject({
      session: wampy.sessionId,
      authid: wampy.welcome.authid,
      authrole: wampy.welcome.authrole,
      authmethod: 'anonymous',
    });
  });

  it('answers wamp.session.get for an unknown session with wamp.error.no_such_session', async () => {
    await expect(py.call('watcher', 'wamp.session.get', [1])).rejects.toMatchObject({ uri: 'wamp.error.no_such_session' });
  });

  it('publishes on_join and on_leave of a Wampy session to a Python subscriber', async () => {
    await py.subscribe('watcher', 'wamp.session.on_join', 'join');
    await py.subscribe('watcher', 'wamp.session.on_leave', 'leave');
    const late = await openWampy(router, { serializer: 'msgpack' });
    const joined = await py.waitFor(
      metaEvent('join', (d) => (d as { session?: unknown }).session === late.sessionId),
      'on_join for the Wampy session',
    );
    expect(joined.args).toEqual([expect.objectContaining({ authid: late.welcome.authid, authrole: late.welcome.authrole, authmethod: 'anonymous' })]);
    await late.close();
    const left = await py.waitFor(metaEvent('leave', (id) => id === late.sessionId), 'on_leave for the Wampy session');
    expect((left.args as unknown[])[0]).toBe(late.sessionId);
  });

  it('lists and looks up Python registrations for an Autobahn|JS caller', async () => {
    const exact = await py.register('watcher', 'com.interop.meta.proc', 'echo');
    const prefix = await py.register('watcher', 'com.interop.meta.pfx.', 'echo', { options: { match: 'prefix' } });
    const list = await withTimeout(ab.session.call<Record<string, number[]>>('wamp.registration.list'), 'wamp.registration.list');
    expect(list.exact).toContain(exact.registration);
    expect(list.prefix).toContain(prefix.registration);
    expect(list.wildcard).toEqual([]);
    const call = <T>(procedure: string, args: unknown[]) => withTimeout(ab.session.call<T>(procedure, args), procedure);
    expect(await call('wamp.registration.lookup', ['com.interop.meta.proc'])).toBe(exact.registration);
    expect(await call('wamp.registration.lookup', ['com.interop.meta.pfx.', { match: 'prefix' }])).toBe(prefix.registration);
    expect(await call('wamp.registration.lookup', ['com.interop.meta.nothing'])).toBeNull();
    expect(await call('wamp.registration.match', ['com.interop.meta.pfx.any'])).toBe(prefix.registration);
    expect(await call('wamp.registration.list_callees', [exact.registration])).toEqual([watcher.session]);
  });

  it('lists and looks up a Wampy subscription for a Python caller', async () => {
    const { subscriptionId } = await withTimeout(wampy.wampy.subscribe('com.interop.meta.topic', () => undefined), 'Wampy subscribe');
    const list = await py.call('watcher', 'wamp.subscription.list');
    expect((list.args[0] as Record<string, number[]>).exact).toContain(subscriptionId);
    expect((await py.call('watcher', 'wamp.subscription.lookup', ['com.interop.meta.topic'])).args).toEqual([subscriptionId]);
    expect((await py.call('watcher', 'wamp.subscription.list_subscribers', [subscriptionId])).args).toEqual([[wampy.sessionId]]);
  });
});
