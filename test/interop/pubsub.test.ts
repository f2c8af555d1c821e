import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AutobahnPeer, openAutobahn } from './peers/autobahn-js.js';
import { abSubscribe, wampySubscribe } from './peers/inbox.js';
import { hasPythonAutobahn, PyPeer, pyEvent } from './peers/py-peer.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy, type WampyPeer } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

/**
 * Publish/subscribe through our router between Autobahn|Python, Autobahn|JS and Wampy.js:
 * payloads, publisher exclusion, eligible/exclude lists and pattern subscriptions.
 */
describe.skipIf(!runPython)('interop: PubSub', () => {
  let router: Awaited<ReturnType<typeof startTestRouter>>;
  let py: PyPeer;
  let pySubscriber: number;
  let ab: AutobahnPeer;
  let wampy: WampyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    pySubscriber = (await py.open('sub', { transport: 'websocket', serializer: 'msgpack' })).session;
    await py.open('pub', { transport: 'rawsocket', serializer: 'json' });
    ab = await openAutobahn(router, { transport: 'websocket', serializer: 'msgpack' });
    expect(ab.welcome.transport.protocol).toBe('wamp.2.msgpack');
    wampy = await openWampy(router, { serializer: 'cbor' });
  });

  afterAll(async () => {
    await Promise.allSettled([ab?.close(), wampy?.close()]);
    await py?.stop();
    await router?.close();
  });

  it('delivers an Autobahn|JS publication with args and kwargs to a Python subscriber', async () => {
    await py.subscribe('sub', 'com.interop.ps.reading', 'reading');
    await withTimeout(
      ab.session.publish('com.interop.ps.reading', [21.5, 'ok'], { ts: 1700000000000, unit: '°C', tags: ['a', 'b'] }, { acknowledge: true }),
      'acknowledged publish',
    );
    const event = await py.waitFor(pyEvent('reading'), 'event at the Python subscriber');
    expect(event.args).toEqual([21.5, 'ok']);
    expect(event.kwargs).toEqual({ ts: 1700000000000, unit: '°C', tags: ['a', 'b'] });
  });

  it('delivers a Python publication to Wampy (CBOR) and Autobahn|JS (MessagePack) subscribers', async () => {
    const atWampy = await wampySubscribe(wampy, 'com.interop.ps.fanout');
    const atAb = await abSubscribe(ab, 'com.interop.ps.fanout');
    await py.publish('pub', 'com.interop.ps.fanout', ['fan', { n: 1 }], { source: 'python' });
    for (const inbox of [atWampy, atAb]) {
      const event = await inbox.next('fan', 'event at a JS subscriber');
      expect(event.args).toEqual(['fan', { n: 1 }]);
      expect(event.kwargs).toEqual({ source: 'python' });
    }
  });

  it('returns an Autobahn|JS publisher its own event only with exclude_me=false', async () => {
    const inbox = await abSubscribe(ab, 'com.interop.ps.self');
    await withTimeout(ab.session.publish('com.interop.ps.self', ['default'], {}, { acknowledge: true }), 'publish');
    await withTimeout(ab.session.publish('com.interop.ps.self', ['included'], {}, { acknowledge: true, exclude_me: false }), 'publish');
    await inbox.next('included', 'own event with exclude_me=false');
    expect(inbox.markers()).toEqual(['included']);
  });

  it('applies eligible and exclude session lists across Python, Wampy and Autobahn|JS subscribers', async () => {
    const topic = 'com.interop.ps.filtered';
    await py.subscribe('sub', topic, 'filtered');
    const atWampy = await wampySubscribe(wampy, topic);
    const atAb = await abSubscribe(ab, topic);
    // Only the Python subscriber: eligible {python, wampy} minus excluded {wampy}.
    await py.publish('pub', topic, ['a'], {}, { eligible: [pySubscriber, wampy.sessionId], exclude: [wampy.sessionId] });
    // Everyone but the Python subscriber.
    await py.publish('pub', topic, ['b'], {}, { exclude: [pySubscriber] });
    // Everyone.
    await py.publish('pub', topic, ['c']);
    await Promise.all([atWampy.next('c', 'c at Wampy'), atAb.next('c', 'c at Autobahn|JS')]);
    await py.waitFor(pyEvent('filtered', 'c'), 'c at Python');
    expect(py.reports(pyEvent('filtered')).map((r) => (r.args as unknown[])[0])).toEqual(['a', 'c']);
    expect(atWampy.markers()).toEqual(['b', 'c']);
    expect(atAb.markers()).toEqual(['b', 'c']);
  });

  it('shows a Python prefix subscriber the concrete topic of an Autobahn|JS publication', async () => {
    await py.subscribe('sub', 'com.interop.ps.prefix.', 'prefix', { match: 'prefix' });
    await withTimeout(ab.session.publish('com.interop.ps.prefix.kitchen.temp', [19], {}, { acknowledge: true }), 'publish');
    const event = await py.waitFor(pyEvent('prefix'), 'prefix event');
    expect(event.topic).toBe('com.interop.ps.prefix.kitchen.temp');
    expect(event.args).toEqual([19]);
  });

  it('shows an Autobahn|JS wildcard subscriber the concrete topic of a Python publication', async () => {
    const inbox = await abSubscribe(ab, 'com.interop.ps..status', { match: 'wildcard' });
    await py.publish('pub', 'com.interop.ps.porch.status', ['online']);
    const event = await inbox.next('online', 'wildcard event');
    expect(event.topic).toBe('com.interop.ps.porch.status');
  });

  it('shows a Wampy wildcard subscriber the concrete topic of a Python publication', async () => {
    const inbox = await wampySubscribe(wampy, 'com.interop.ps..battery', { match: 'wildcard' });
    await py.publish('pub', 'com.interop.ps.garden.battery', [87]);
    expect((await inbox.next(87, 'wildcard event')).topic).toBe('com.interop.ps.garden.battery');
  });
});
