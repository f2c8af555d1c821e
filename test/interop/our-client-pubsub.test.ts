import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, SubscribeOptions } from '../../src/client/types.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AutobahnPeer, openAutobahn } from './peers/autobahn-js.js';
import { abSubscribe, Inbox, wampySubscribe } from './peers/inbox.js';
import { hasPythonAutobahn, PyPeer, pyEvent } from './peers/py-peer.js';
import { OUR_CLIENTS } from './peers/our-client.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy, type WampyPeer } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

const READING = { ts: 1_700_000_000_000, unit: '°C', seq: 2 ** 40, tags: ['a', 'b'], nested: { ok: true, none: null } };
const JS_READING = { ts: 1_700_000_000, unit: '°C', tags: ['a'], nested: { ok: true } };

/**
 * Publish/subscribe between our client (src/node.ts connect()) and Autobahn|Python,
 * Autobahn|JS and Wampy through our router, both ways, for each of our client's
 * transport/serializer pairs.
 */
describe.skipIf(!runPython)('interop: our client PubSub with Autobahn|Python, Autobahn|JS and Wampy', () => {
  let router: TestRouter;
  let py: PyPeer;
  let ab: AutobahnPeer;
  let wampy: WampyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    await py.open('sub', { transport: 'websocket', serializer: 'cbor' });
    await py.open('pub', { transport: 'rawsocket', serializer: 'json' });
    ab = await openAutobahn(router, { transport: 'websocket', serializer: 'cbor' });
    expect(ab.welcome.transport.protocol).toBe('wamp.2.cbor');
    wampy = await openWampy(router, { serializer: 'msgpack' });
    expect(wampy.negotiated).toBe('msgpack');
  });

  afterAll(async () => {
    await Promise.allSettled([ab?.close(), wampy?.close()]);
    await py?.stop();
    await router?.close();
  });

  describe.each(OUR_CLIENTS)('our client on $label', (variant) => {
    const T = `com.interop.ocps.${variant.id}`;
    let client: ManagedSession;

    beforeAll(async () => {
      client = await connect({ url: variant.url(router), realm: 'home', serializer: variant.serializer, reconnect: false });
    });

    afterAll(async () => {
      await client?.leave();
    });

    async function subscribe(topic: string, options?: SubscribeOptions): Promise<Inbox> {
      const inbox = new Inbox();
      const handler = (e: Event) => inbox.push({ args: e.args, kwargs: e.kwargs, topic: e.topic, retained: e.retained });
      await client.subscribe(topic, handler, options);
      return inbox;
    }

    // ---- our client receives -----------------------------------------------------------------

    it('receives the args and kwargs of Autobahn|Python and Autobahn|JS publications', async () => {
      const inbox = await subscribe(`${T}.reading`);
      await py.publish('pub', `${T}.reading`, ['py', 21.5, [1, 2]], READING);
      await withTimeout(ab.session.publish(`${T}.reading`, ['ab', 19.25], JS_READING, { acknowledge: true }), 'Autobahn|JS publish');
      expect(await inbox.next('py', 'Python event')).toEqual({ args: ['py', 21.5, [1, 2]], kwargs: READING, topic: `${T}.reading`, retained: false });
      expect(await inbox.next('ab', 'Autobahn|JS event')).toEqual({ args: ['ab', 19.25], kwargs: JS_READING, topic: `${T}.reading`, retained: false });
    });

    it('shows a prefix subscription the concrete topic of an Autobahn|Python publication', async () => {
      const inbox = await subscribe(`${T}.rooms.`, { match: 'prefix' });
      await py.publish('pub', `${T}.rooms.kitchen.temperature`, ['kitchen']);
      expect((await inbox.next('kitchen', 'prefix event')).topic).toBe(`${T}.rooms.kitchen.temperature`);
    });

    it('shows a wildcard subscription the concrete topic of an Autobahn|JS publication', async () => {
      const inbox = await subscribe(`${T}..status`, { match: 'wildcard' });
      await withTimeout(ab.session.publish(`${T}.porch.status`, ['online'], {}, { acknowledge: true }), 'Autobahn|JS publish');
      expect((await inbox.next('online', 'wildcard event')).topic).toBe(`${T}.porch.status`);
    });

    it('receives the retained Autobahn|Python publication when it subscribes with getRetained', async () => {
      await py.publish('pub', `${T}.garage.status`, ['offline'], { since: 5 }, { retain: true });
      const inbox = await subscribe(`${T}.garage.status`, { getRetained: true });
      expect(await inbox.next('offline', 'retained event')).toEqual({
        args: ['offline'],
        kwargs: { since: 5 },
        topic: `${T}.garage.status`,
        retained: true,
      });
    });

    it('receives no retained event when it subscribes without getRetained', async () => {
      await py.publish('pub', `${T}.shed.status`, ['stale'], {}, { retain: true });
      const inbox = await subscribe(`${T}.shed.status`);
      await py.publish('pub', `${T}.shed.status`, ['fresh']);
      await inbox.next('fresh', 'live event');
      expect(inbox.markers()).toEqual(['fresh']);
    });

    // ---- they receive ------------------------------------------------------------------------

    it('delivers an acknowledged publication to Autobahn|Python, Autobahn|JS and Wampy subscribers', async () => {
      const key = `${variant.id}-ack`;
      await py.subscribe('sub', `${T}.light.state`, key);
      const atAb = await abSubscribe(ab, `${T}.light.state`);
      const atWampy = await wampySubscribe(wampy, `${T}.light.state`);
      await client.publish(`${T}.light.state`, [true, 0.75], JS_READING, { acknowledge: true });
      const atPy = await py.waitFor(pyEvent(key, true), 'event at the Python subscriber');
      expect({ args: atPy.args, kwargs: atPy.kwargs, topic: atPy.topic }).toEqual({ args: [true, 0.75], kwargs: JS_READING, topic: `${T}.light.state` });
      for (const inbox of [atAb, atWampy]) {
        expect(await inbox.next(true, 'event at a JS subscriber')).toEqual({ args: [true, 0.75], kwargs: JS_READING, topic: `${T}.light.state` });
      }
    });

    it('returns its own publication to itself only with excludeMe false, and to Autobahn|Python either way', async () => {
      const key = `${variant.id}-self`;
      await py.subscribe('sub', `${T}.self`, key);
      const own = await subscribe(`${T}.self`);
      await client.publish(`${T}.self`, ['default'], {}, { acknowledge: true });
      await client.publish(`${T}.self`, ['included'], {}, { acknowledge: true, excludeMe: false });
      await own.next('included', 'own event with excludeMe false');
      await py.waitFor(pyEvent(key, 'included'), 'second event at the Python subscriber');
      expect(own.markers()).toEqual(['included']);
      expect(py.reports(pyEvent(key)).map((r) => (r.args as unknown[])[0])).toEqual(['default', 'included']);
    });

    it('retains its publication for late Autobahn|Python and Autobahn|JS subscribers that ask for it', async () => {
      const key = `${variant.id}-retained`;
      await client.publish(`${T}.door.status`, ['closed'], { ts: 1 }, { acknowledge: true, retain: true });
      await py.subscribe('sub', `${T}.door.status`, key, { get_retained: true });
      const atAb = await abSubscribe(ab, `${T}.door.status`, { get_retained: true });
      const atPy = await py.waitFor(pyEvent(key, 'closed'), 'retained event at the Python subscriber');
      expect(atPy.kwargs).toEqual({ ts: 1 });
      expect((await atAb.next('closed', 'retained event at Autobahn|JS')).kwargs).toEqual({ ts: 1 });
    });
  });
});
