import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AbResult, openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, type PyReport, type SerializerName, type TransportName } from './peers/py-peer.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

/** Values every serializer must carry unchanged, including integers up to 2^53 - 1. */
const WIDE_ARGS = [0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, -(2 ** 40), 1.5, -0.25, 'grüße ✓ 𝄞', true, false, null, [], {}, [1, [2, [3]]]];
const WIDE_KWARGS = { big: Number.MAX_SAFE_INTEGER, text: '', list: [null], nested: { a: { b: 'c' } } };
/** For Wampy/Autobahn|JS binary serializers: no uint64 (Wampy's msgpackr turns those into BigInt). */
const JS_ARGS = [0, -1, 65_536, 1.5, 'grüße ✓', true, null, [1, [2]], { a: { b: 'c' } }];
const JS_KWARGS = { text: 'x', list: [false] };

const PYTHON_VARIANTS: [string, TransportName, SerializerName, boolean][] = [
  ['RawSocket/json', 'rawsocket', 'json', false],
  ['RawSocket/msgpack', 'rawsocket', 'msgpack', false],
  ['RawSocket/cbor', 'rawsocket', 'cbor', false],
  ['RawSocket/cbor on the universal port', 'rawsocket', 'cbor', true],
  ['WebSocket/json', 'websocket', 'json', false],
  ['WebSocket/msgpack', 'websocket', 'msgpack', false],
  ['WebSocket/cbor', 'websocket', 'cbor', false],
];

function newsEvent(marker: string): (r: PyReport) => boolean {
  return (r) => r.report === 'event' && r.key === 'news' && (r.args as unknown[])[0] === marker;
}

/**
 * Every transport × serializer combination the third-party clients offer, each checked for the
 * negotiated serializer (not only that a session opened) and a payload round trip through a
 * Python hub on RawSocket/CBOR.
 */
describe.skipIf(!runPython)('interop: transports and serializers', () => {
  let router: Awaited<ReturnType<typeof startTestRouter>>;
  let py: PyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    await py.open('hub', { transport: 'rawsocket', serializer: 'cbor' });
    await py.register('hub', 'com.interop.tx.echo', 'echo');
    await py.subscribe('hub', 'com.interop.tx.news', 'news');
  });

  afterAll(async () => {
    await py?.stop();
    await router?.close();
  });

  it.each(PYTHON_VARIANTS)('runs Autobahn|Python over %s', async (label, transport, serializer, universal) => {
    const name = `py-${label}`;
    const welcome = await py.open(name, { transport, serializer, universal });
    expect(welcome.serializer).toBe(serializer);
    const result = await py.call(name, 'com.interop.tx.echo', WIDE_ARGS, WIDE_KWARGS);
    expect(result.args).toEqual(WIDE_ARGS);
    expect(result.kwargs).toEqual(WIDE_KWARGS);
    await py.publish(name, 'com.interop.tx.news', [label], WIDE_KWARGS);
    expect((await py.waitFor(newsEvent(label), 'event at the hub')).kwargs).toEqual(WIDE_KWARGS);
    await py.close(name);
  });

  it.each(['msgpack', 'cbor'] as const)('negotiates Wampy %s without a JSON fallback and subscribes with undefined options', async (serializer) => {
    const peer = await openWampy(router, { serializer });
    try {
      expect(peer.negotiated).toBe(serializer);
      const events: unknown[][] = [];
      let notify!: () => void;
      const arrived = new Promise<void>((resolve) => (notify = resolve));
      // Wampy sends SUBSCRIBE {match: undefined, get_retained: undefined}: the router must read
      // msgpack ext 0 / CBOR 0xf7 as "absent" and answer SUBSCRIBED.
      const onEvent = (e: { argsList?: unknown[] }) => {
        events.push(e.argsList ?? []);
        notify();
      };
      await withTimeout(peer.wampy.subscribe('com.interop.tx.wampy', onEvent), 'Wampy subscribe without options');
      await py.publish('hub', 'com.interop.tx.wampy', [serializer, ...JS_ARGS]);
      await withTimeout(arrived, 'event at Wampy');
      expect(events).toEqual([[serializer, ...JS_ARGS]]);
      const result = await withTimeout(peer.wampy.call('com.interop.tx.echo', { argsList: JS_ARGS, argsDict: JS_KWARGS }), 'Wampy call');
      expect(result.argsList).toEqual(JS_ARGS);
      expect(result.argsDict).toEqual(JS_KWARGS);
      await withTimeout(peer.wampy.publish('com.interop.tx.news', { argsList: [`wampy-${serializer}`], argsDict: JS_KWARGS }), 'Wampy publish');
      expect((await py.waitFor(newsEvent(`wampy-${serializer}`), 'event at the hub')).kwargs).toEqual(JS_KWARGS);
    } finally {
      await peer.close();
    }
  });

  it.each([
    ['RawSocket/json', 'rawsocket', 'json', 'wamp.2.json'],
    ['WebSocket/json', 'websocket', 'json', 'wamp.2.json'],
    ['WebSocket/msgpack', 'websocket', 'msgpack', 'wamp.2.msgpack'],
    ['WebSocket/cbor', 'websocket', 'cbor', 'wamp.2.cbor'],
  ] as const)('runs Autobahn|JS over %s', async (label, transport, serializer, protocol) => {
    const peer = await openAutobahn(router, { transport, serializer });
    try {
      expect(peer.welcome.transport.protocol).toBe(protocol);
      const result = await withTimeout(peer.session.call<AbResult>('com.interop.tx.echo', JS_ARGS, JS_KWARGS), 'Autobahn|JS call');
      expect(result.args).toEqual(JS_ARGS);
      expect(result.kwargs).toEqual(JS_KWARGS);
      await withTimeout(peer.session.publish('com.interop.tx.news', [`ab-${label}`], JS_KWARGS, { acknowledge: true }), 'publish');
      expect((await py.waitFor(newsEvent(`ab-${label}`), 'event at the hub')).kwargs).toEqual(JS_KWARGS);
    } finally {
      await peer.close();
    }
  });
});
