import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AbResult, type AutobahnPeer, asAbError, autobahn, openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, PyPeerError } from './peers/py-peer.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy, type WampyPeer } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

/**
 * RPC through our router between Autobahn|Python (RawSocket/CBOR), Autobahn|JS (WebSocket/JSON)
 * and Wampy.js (WebSocket/MessagePack and CBOR): payloads, application errors, pattern and
 * shared registrations.
 */
describe.skipIf(!runPython)('interop: RPC', () => {
  let router: Awaited<ReturnType<typeof startTestRouter>>;
  let py: PyPeer;
  let ab: AutobahnPeer;
  let wampyMsgpack: WampyPeer;
  let wampyCbor: WampyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    const welcome = await py.open('callee', { transport: 'rawsocket', serializer: 'cbor' });
    expect(welcome.serializer).toBe('cbor');
    await py.open('caller', { transport: 'websocket', serializer: 'json' });
    ab = await openAutobahn(router, { transport: 'websocket', serializer: 'json' });
    wampyMsgpack = await openWampy(router, { serializer: 'msgpack' });
    wampyCbor = await openWampy(router, { serializer: 'cbor' });
    expect([wampyMsgpack.negotiated, wampyCbor.negotiated]).toEqual(['msgpack', 'cbor']);
  });

  afterAll(async () => {
    await Promise.allSettled([ab?.close(), wampyMsgpack?.close(), wampyCbor?.close()]);
    await py?.stop();
    await router?.close();
  });

  it('returns args and kwargs from a Python RawSocket/CBOR callee to an Autobahn|JS WebSocket/JSON caller', async () => {
    await py.register('callee', 'com.interop.rpc.echo', 'echo');
    const args = [1, 'two', { three: 3 }, [4.5, -6], true];
    const kwargs = { name: 'grüße ✓', nested: { list: [1, 2, 3] } };
    const result = await withTimeout(ab.session.call<AbResult>('com.interop.rpc.echo', args, kwargs), 'echo call');
    expect(result).toBeInstanceOf(autobahn.Result);
    expect(result.args).toEqual(args);
    expect(result.kwargs).toEqual(kwargs);
  });

  it('surfaces a Python ApplicationError with a custom URI, args and kwargs on an Autobahn|JS caller', async () => {
    await py.register('callee', 'com.interop.rpc.refuse', 'fail', {
      error: { uri: 'com.interop.error.out_of_range', args: ['value out of range', 42], kwargs: { min: 0, max: 10 } },
    });
    const rejection = await withTimeout(
      ab.session.call('com.interop.rpc.refuse', [42]).then(() => undefined, (reason) => reason),
      'refused call',
    );
    const error = asAbError(rejection);
    expect(error.error).toBe('com.interop.error.out_of_range');
    expect(error.args).toEqual(['value out of range', 42]);
    expect(error.kwargs).toEqual({ min: 0, max: 10 });
  });

  it('surfaces an Autobahn|JS callee error on a Python caller', async () => {
    await withTimeout(
      ab.session.register('com.interop.rpc.ab_denied', () => {
        throw new autobahn.Error('com.interop.error.denied', ['not today'], { code: 7 });
      }),
      'register',
    );
    const failure = await py.call('caller', 'com.interop.rpc.ab_denied', ['x']).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PyPeerError);
    expect(failure).toMatchObject({ uri: 'com.interop.error.denied', args: ['not today'], kwargs: { code: 7 } });
  });

  it('carries args and kwargs between Wampy (MessagePack) and a Python callee', async () => {
    await py.register('callee', 'com.interop.rpc.echo_wampy', 'echo');
    const result = await withTimeout(
      wampyMsgpack.wampy.call('com.interop.rpc.echo_wampy', { argsList: [1, 'a', [true, null]], argsDict: { k: { v: 2.5 } } }),
      'Wampy call',
    );
    expect(result.argsList).toEqual([1, 'a', [true, null]]);
    expect(result.argsDict).toEqual({ k: { v: 2.5 } });
  });

  it('surfaces a Python ApplicationError on a Wampy (CBOR) caller', async () => {
    await py.register('callee', 'com.interop.rpc.refuse_wampy', 'fail', {
      error: { uri: 'com.interop.error.busy', args: ['try later'], kwargs: { retry_ms: 500 } },
    });
    const failure = await withTimeout(wampyCbor.wampy.call('com.interop.rpc.refuse_wampy').catch((e: unknown) => e), 'Wampy call');
    expect(failure).toMatchObject({ errorUri: 'com.interop.error.busy', argsList: ['try later'], argsDict: { retry_ms: 500 } });
  });

  it('returns a Wampy (CBOR) callee result to a Python caller', async () => {
    await withTimeout(
      wampyCbor.wampy.register('com.interop.rpc.wampy_sum', ({ argsList, argsDict }) => ({
        argsList: [(argsList as number[]).reduce((a, b) => a + b, 0)],
        argsDict: { scale: argsDict?.scale },
      })),
      'Wampy register',
    );
    const result = await py.call('caller', 'com.interop.rpc.wampy_sum', [1, 2, 3.5], { scale: 'linear' });
    expect(result.args).toEqual([6.5]);
    expect(result.kwargs).toEqual({ scale: 'linear' });
  });

  it('gives a Python prefix registration the concrete procedure in INVOCATION.Details.procedure', async () => {
    await py.register('callee', 'com.interop.rpc.prefix.', 'describe', { options: { match: 'prefix' } });
    const result = await withTimeout(
      ab.session.call<Record<string, unknown>>('com.interop.rpc.prefix.kitchen.light', ['on']),
      'prefix call',
    );
    expect(result).toMatchObject({ procedure: 'com.interop.rpc.prefix.kitchen.light', args: ['on'] });
  });

  it('gives a Wampy wildcard registration the concrete procedure', async () => {
    await withTimeout(
      wampyMsgpack.wampy.register('com.interop.rpc..status', ({ details }) => ({ argsList: [details.procedure] }), { match: 'wildcard' }),
      'Wampy register',
    );
    const result = await py.call('caller', 'com.interop.rpc.porch.status');
    expect(result.args).toEqual(['com.interop.rpc.porch.status']);
  });

  it('alternates a roundrobin shared registration between a Python and a Wampy callee', async () => {
    await py.register('callee', 'com.interop.rpc.shared', 'describe', { options: { invoke: 'roundrobin' }, tag: 'python' });
    await withTimeout(
      wampyCbor.wampy.register('com.interop.rpc.shared', () => ({ argsList: [{ tag: 'wampy' }] }), { invoke: 'roundrobin' }),
      'Wampy register',
    );
    const tags: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await withTimeout(ab.session.call<{ tag: string }>('com.interop.rpc.shared'), 'shared call');
      tags.push(result.tag);
    }
    expect(new Set(tags)).toEqual(new Set(['python', 'wampy']));
    expect(tags[0]).not.toBe(tags[1]);
    expect(tags.slice(2)).toEqual(tags.slice(0, 2));
  });
});
