import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AbResult, type AutobahnPeer, asAbError, autobahn, openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, PyPeerError, pyInvocationReport } from './peers/py-peer.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy, type WampyPeer } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

const HANG = 'com.interop.call.hang';

/**
 * Progressive call results, call canceling (INTERRUPT to a Python callee that announces
 * call_canceling) and call timeouts, across Autobahn|Python, Autobahn|JS and Wampy.js.
 */
describe.skipIf(!runPython)('interop: progressive results, cancel and timeout', () => {
  let router: Awaited<ReturnType<typeof startTestRouter>>;
  let py: PyPeer;
  let ab: AutobahnPeer;
  let wampy: WampyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    await py.open('callee', { transport: 'rawsocket', serializer: 'msgpack' });
    await py.open('caller', { transport: 'websocket', serializer: 'cbor' });
    await py.register('callee', 'com.interop.call.progress', 'progress');
    await py.register('callee', HANG, 'hang');
    ab = await openAutobahn(router, { transport: 'websocket', serializer: 'json' });
    wampy = await openWampy(router, { serializer: 'cbor' });
    expect(wampy.negotiated).toBe('cbor');
  });

  afterAll(async () => {
    await Promise.allSettled([ab?.close(), wampy?.close()]);
    await py?.stop();
    await router?.close();
  });

  it('streams progressive results from a Python callee to an Autobahn|JS caller', async () => {
    const progress: unknown[] = [];
    const call = ab.session.call<AbResult>('com.interop.call.progress', [3], {}, { receive_progress: true });
    const result = await withTimeout(call.then((value) => value, null, (p) => progress.push(p)), 'progressive call');
    expect(progress.map((p) => ({ ...(p as AbResult) }))).toEqual([
      { args: [1], kwargs: { step: 1 } },
      { args: [2], kwargs: { step: 2 } },
      { args: [3], kwargs: { step: 3 } },
    ]);
    expect({ ...result }).toEqual({ args: [3], kwargs: { done: true } });
  });

  it('streams progressive results from a Python callee to a Wampy caller', async () => {
    const progress: unknown[] = [];
    const result = await withTimeout(
      wampy.wampy.call('com.interop.call.progress', [2], { progress_callback: (p) => void progress.push(p.argsList) }),
      'Wampy progressive call',
    );
    expect(progress).toEqual([[1], [2]]);
    expect(result.argsList).toEqual([2]);
    expect(result.argsDict).toEqual({ done: true });
  });

  it('streams progressive results from an Autobahn|JS callee to a Python caller', async () => {
    await withTimeout(
      ab.session.register('com.interop.call.ab_progress', (args, _kwargs, details) => {
        const count = args[0] as number;
        for (let i = 1; i <= count; i++) details.progress?.([`chunk-${i}`]);
        return new autobahn.Result(['done'], { chunks: count });
      }),
      'register',
    );
    const result = await py.call('caller', 'com.interop.call.ab_progress', [3], {}, { receive_progress: true });
    expect(result.progress).toEqual([
      { args: ['chunk-1'], kwargs: {} },
      { args: ['chunk-2'], kwargs: {} },
      { args: ['chunk-3'], kwargs: {} },
    ]);
    expect(result.args).toEqual(['done']);
    expect(result.kwargs).toEqual({ chunks: 3 });
  });

  it('interrupts a Python callee when an Autobahn|JS caller cancels with mode kill, and relays its canceled error', async () => {
    const call = ab.session.call(HANG, ['ab-kill']);
    const settled = call.then(() => 'resolved', (reason) => reason);
    await py.waitFor(pyInvocationReport('invocation', 'ab-kill'), 'invocation reaches the Python callee');
    call.cancel({ mode: 'kill' });
    await py.waitFor(pyInvocationReport('interrupt', 'ab-kill'), 'INTERRUPT reaches the Python callee');
    const error = asAbError(await withTimeout(settled, 'canceled call settles'));
    expect(error.error).toBe('wamp.error.canceled');
  });

  it('answers a Wampy killnowait cancel with wamp.error.canceled and still interrupts the Python callee', async () => {
    const settled = wampy.wampy.call(HANG, ['wampy-killnowait']).then(() => 'resolved', (e: unknown) => e);
    const reqId = wampy.wampy.getOpStatus().reqId;
    await py.waitFor(pyInvocationReport('invocation', 'wampy-killnowait'), 'invocation reaches the Python callee');
    expect(wampy.wampy.cancel(reqId, { mode: 'killnowait' })).toBe(true);
    expect(await withTimeout(settled, 'canceled call settles')).toMatchObject({ errorUri: 'wamp.error.canceled' });
    await py.waitFor(pyInvocationReport('interrupt', 'wampy-killnowait'), 'INTERRUPT reaches the Python callee');
  });

  it('ends a Python call with wamp.error.timeout after CALL.Options.timeout milliseconds', async () => {
    const started = Date.now();
    const failure = await py.call('caller', HANG, ['py-timeout'], {}, { timeout: 300 }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(failure).toBeInstanceOf(PyPeerError);
    expect((failure as PyPeerError).uri).toBe('wamp.error.timeout');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
    await py.waitFor(pyInvocationReport('interrupt', 'py-timeout'), 'the timed-out invocation is interrupted');
  });

  it('ends a Wampy call with wamp.error.timeout after CALL.Options.timeout milliseconds', async () => {
    const started = Date.now();
    const failure = await withTimeout(wampy.wampy.call(HANG, ['wampy-timeout'], { timeout: 300 }).catch((e: unknown) => e), 'Wampy call');
    expect(failure).toMatchObject({ errorUri: 'wamp.error.timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  // Autobahn|JS announces no callee call_canceling and treats INTERRUPT as a protocol violation
  // (it closes the session), so a cancel must fall back to skip for it. Keep last: on failure
  // the shared Autobahn|JS session is gone.
  it('cancels a call to an Autobahn|JS callee in skip mode without sending it INTERRUPT', async () => {
    let invoked!: () => void;
    let finish!: (value: string) => void;
    const started = new Promise<void>((resolve) => (invoked = resolve));
    await withTimeout(
      ab.session.register('com.interop.call.ab_slow', () => {
        invoked();
        return new Promise<string>((resolve) => (finish = resolve));
      }),
      'register',
    );
    await withTimeout(ab.session.register('com.interop.call.ab_ping', () => 'pong'), 'register');
    const settled = wampy.wampy.call('com.interop.call.ab_slow').then(() => 'resolved', (e: unknown) => e);
    const reqId = wampy.wampy.getOpStatus().reqId;
    await withTimeout(started, 'invocation reaches the Autobahn|JS callee');
    wampy.wampy.cancel(reqId, { mode: 'kill' });
    expect(await withTimeout(settled, 'canceled call settles')).toMatchObject({ errorUri: 'wamp.error.canceled' });
    finish('late'); // the YIELD of a canceled invocation is dropped by the dealer
    expect((await py.call('caller', 'com.interop.call.ab_ping')).args).toEqual(['pong']);
  });
});
