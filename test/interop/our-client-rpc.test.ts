import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanceledError, TimeoutError } from '../../src/client/errors.js';
import { result } from '../../src/client/session.js';
import type { Invocation, Result } from '../../src/client/types.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { type AbResult, type AutobahnPeer, asAbError, autobahn, openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, PyPeerError, pyInvocationReport } from './peers/py-peer.js';
import { OUR_CLIENTS } from './peers/our-client.js';
import { withTimeout } from './peers/timeouts.js';
import { openWampy, type WampyPeer } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

/** Values every serializer carries unchanged, including 2^53 - 1 (Python's ints are unbounded). */
const PY_ARGS = [0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, -(2 ** 40), 1.5, 'grüße ✓ 𝄞', true, null, [], [1, [2]], { a: { b: 'c' } }];
const PY_KWARGS = { big: Number.MAX_SAFE_INTEGER, text: '', list: [null, false], nested: { unit: '°C' } };
/** For Autobahn|JS and Wampy: no integers beyond 32 bits. */
const JS_ARGS = [0, -1, 65_536, 1.5, 'grüße ✓', true, null, [1, [2]], { a: { b: 'c' } }];
const JS_KWARGS = { text: 'x', list: [false], nested: { n: 3 } };

const PY = 'com.interop.oc.py';
const AB = 'com.interop.oc.ab';
const PY_ERROR = { uri: 'com.example.error.out_of_range', args: ['brightness must be 0..1', 1.7], kwargs: { min: 0, max: 1 } };

/** Collects what a caller saw of an error, as the plain fields all client libraries share. */
function errorShape(error: unknown): { uri: string; args: unknown[]; kwargs: Record<string, unknown> } {
  if (error instanceof PyPeerError) return { uri: error.uri, args: error.args, kwargs: error.kwargs };
  const ab = asAbError(error);
  return { uri: ab.error, args: ab.args, kwargs: ab.kwargs };
}

/**
 * RPC between our client (src/node.ts connect()) and Autobahn|Python, Autobahn|JS and Wampy
 * through our router, in both directions, for each of our client's transport/serializer pairs.
 */
describe.skipIf(!runPython)('interop: our client RPC with Autobahn|Python, Autobahn|JS and Wampy', () => {
  let router: TestRouter;
  let py: PyPeer;
  let ab: AutobahnPeer;
  let wampy: WampyPeer;

  beforeAll(async () => {
    router = await startTestRouter();
    py = await PyPeer.start(router);
    await py.open('callee', { transport: 'rawsocket', serializer: 'msgpack' });
    await py.open('caller', { transport: 'websocket', serializer: 'json' });
    await py.register('callee', `${PY}.echo`, 'echo');
    await py.register('callee', `${PY}.fail`, 'fail', { error: PY_ERROR });
    await py.register('callee', `${PY}.progress`, 'progress');
    await py.register('callee', `${PY}.hang`, 'hang');
    ab = await openAutobahn(router, { transport: 'rawsocket' });
    await withTimeout(ab.session.register(`${AB}.echo`, (args, kwargs) => new autobahn.Result(args, kwargs)), 'register');
    await withTimeout(
      ab.session.register(`${AB}.fail`, () => {
        throw new autobahn.Error('com.example.error.ab_refused', ['not now'], { retry_in: 5 });
      }),
      'register',
    );
    wampy = await openWampy(router, { serializer: 'cbor' });
    expect(wampy.negotiated).toBe('cbor');
  });

  afterAll(async () => {
    await Promise.allSettled([ab?.close(), wampy?.close()]);
    await py?.stop();
    await router?.close();
  });

  describe.each(OUR_CLIENTS)('our client on $label', (variant) => {
    const OURS = `com.interop.oc.${variant.id}`;
    let client: ManagedSession;

    beforeAll(async () => {
      client = await connect({ url: variant.url(router), realm: 'home', serializer: variant.serializer, reconnect: false });
      await client.register(`${OURS}.plain`, ({ args }) => `hello ${String(args[0])}`);
      await client.register(`${OURS}.payload`, ({ args, kwargs }) => result([...args].reverse(), { ...kwargs, seen: true }));
      await client.register(`${OURS}.fail`, ({ args }) => {
        throw new ApplicationError('com.example.error.door_jammed', ['the door is jammed', args[0]], { position: 0.4 });
      });
      await client.register(`${OURS}.stream`, streamChunks);
      await client.register(`${OURS}.rooms.`, describeInvocation, { match: 'prefix' });
    });

    afterAll(async () => {
      await client?.leave();
    });

    // ---- our client calls them -------------------------------------------------------------

    it('calls an Autobahn|Python procedure with args and kwargs', async () => {
      const answer = await client.call(`${PY}.echo`, PY_ARGS, PY_KWARGS);
      expect(answer.args).toEqual(PY_ARGS);
      expect(answer.kwargs).toEqual(PY_KWARGS);
    });

    it('calls an Autobahn|JS procedure with args and kwargs', async () => {
      const answer = await client.call(`${AB}.echo`, JS_ARGS, JS_KWARGS);
      expect(answer.args).toEqual(JS_ARGS);
      expect(answer.kwargs).toEqual(JS_KWARGS);
    });

    it('rejects with an ApplicationError carrying the URI, args and kwargs an Autobahn|Python callee raised', async () => {
      const error = await client.call(`${PY}.fail`, ['x']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationError);
      expect(error).toMatchObject(PY_ERROR);
    });

    it('rejects with an ApplicationError carrying the URI, args and kwargs an Autobahn|JS callee threw', async () => {
      const error = await client.call(`${AB}.fail`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationError);
      expect(error).toMatchObject({ uri: 'com.example.error.ab_refused', args: ['not now'], kwargs: { retry_in: 5 } });
    });

    it('iterates the progressive results of an Autobahn|Python callee with callProgressive', async () => {
      const seen: Result[] = [];
      for await (const part of client.callProgressive(`${PY}.progress`, [3])) seen.push(part);
      expect(seen.map(({ args, kwargs, details }) => ({ args, kwargs, progress: details['progress'] === true }))).toEqual([
        { args: [1], kwargs: { step: 1 }, progress: true },
        { args: [2], kwargs: { step: 2 }, progress: true },
        { args: [3], kwargs: { step: 3 }, progress: true },
        { args: [3], kwargs: { done: true }, progress: false },
      ]);
    });

    it('hands the progressive results of an Autobahn|Python callee to onProgress before resolving', async () => {
      const progress: unknown[] = [];
      const final = await client.call(`${PY}.progress`, [2], {}, { onProgress: ({ args, kwargs }) => progress.push({ args, kwargs }) });
      expect(progress).toEqual([
        { args: [1], kwargs: { step: 1 } },
        { args: [2], kwargs: { step: 2 } },
      ]);
      expect({ args: final.args, kwargs: final.kwargs }).toEqual({ args: [2], kwargs: { done: true } });
    });

    it.each(['killnowait', 'kill'] as const)(
      'rejects with CanceledError and interrupts the Autobahn|Python callee when its AbortSignal fires (mode %s)',
      async (cancelMode) => {
        const marker = `${variant.id}-cancel-${cancelMode}`;
        const controller = new AbortController();
        const settled = client.call(`${PY}.hang`, [marker], {}, { signal: controller.signal, cancelMode }).catch((e: unknown) => e);
        await py.waitFor(pyInvocationReport('invocation', marker), 'invocation reaches the Python callee');
        controller.abort();
        expect(await withTimeout(settled, 'canceled call settles')).toBeInstanceOf(CanceledError);
        await py.waitFor(pyInvocationReport('interrupt', marker), 'INTERRUPT reaches the Python callee');
      },
    );

    it('rejects with TimeoutError when an Autobahn|Python callee does not answer within the timeout', async () => {
      const marker = `${variant.id}-timeout`;
      const started = Date.now();
      const error = await client.call(`${PY}.hang`, [marker], {}, { timeout: 300 }).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).uri).toBe('wamp.error.timeout');
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3_000);
      await py.waitFor(pyInvocationReport('interrupt', marker), 'the timed-out invocation is interrupted');
    });

    // ---- they call our client --------------------------------------------------------------

    it('answers Autobahn|Python, Autobahn|JS and Wampy calls with a plain value', async () => {
      expect(await py.call('caller', `${OURS}.plain`, ['python'])).toMatchObject({ args: ['hello python'], kwargs: {} });
      expect(await withTimeout(ab.session.call(`${OURS}.plain`, ['js']), 'Autobahn|JS call')).toBe('hello js');
      const atWampy = await withTimeout(wampy.wampy.call(`${OURS}.plain`, ['wampy']), 'Wampy call');
      expect(atWampy.argsList).toEqual(['hello wampy']);
    });

    it('answers Autobahn|Python, Autobahn|JS and Wampy calls with the args and kwargs of result()', async () => {
      const atPy = await py.call('caller', `${OURS}.payload`, [1, 'two', [3]], { unit: '°C' });
      expect({ args: atPy.args, kwargs: atPy.kwargs }).toEqual({ args: [[3], 'two', 1], kwargs: { unit: '°C', seen: true } });
      const atAb = await withTimeout(ab.session.call<AbResult>(`${OURS}.payload`, [1, 2], { a: null }), 'Autobahn|JS call');
      expect({ args: atAb.args, kwargs: atAb.kwargs }).toEqual({ args: [2, 1], kwargs: { a: null, seen: true } });
      const atWampy = await withTimeout(wampy.wampy.call(`${OURS}.payload`, { argsList: ['w', 0], argsDict: { k: 'v' } }), 'Wampy call');
      expect({ args: atWampy.argsList, kwargs: atWampy.argsDict }).toEqual({ args: [0, 'w'], kwargs: { k: 'v', seen: true } });
    });

    it('reports a thrown ApplicationError to Autobahn|Python and Autobahn|JS callers as their error type', async () => {
      const expected = { uri: 'com.example.error.door_jammed', kwargs: { position: 0.4 } };
      const atPy = await py.call('caller', `${OURS}.fail`, ['py']).catch((e: unknown) => e);
      expect(atPy).toBeInstanceOf(PyPeerError);
      expect(errorShape(atPy)).toEqual({ ...expected, args: ['the door is jammed', 'py'] });
      const atAb = await withTimeout(ab.session.call(`${OURS}.fail`, ['ab']).then(() => 'resolved', (e: unknown) => e), 'Autobahn|JS call');
      expect(atAb).toBeInstanceOf(autobahn.Error);
      expect(errorShape(atAb)).toEqual({ ...expected, args: ['the door is jammed', 'ab'] });
      const atWampy = await withTimeout(wampy.wampy.call(`${OURS}.fail`, ['wampy']).catch((e: unknown) => e), 'Wampy call');
      expect(atWampy).toMatchObject({ errorUri: expected.uri, argsList: ['the door is jammed', 'wampy'], argsDict: expected.kwargs });
    });

    it('streams the values of an async-iterable handler to an Autobahn|Python caller with receive_progress', async () => {
      const atPy = await py.call('caller', `${OURS}.stream`, [3], {}, { receive_progress: true });
      expect(atPy.progress).toEqual([
        { args: ['chunk', 1], kwargs: { of: 3 } },
        { args: ['chunk', 2], kwargs: { of: 3 } },
      ]);
      expect({ args: atPy.args, kwargs: atPy.kwargs }).toEqual({ args: ['chunk', 3], kwargs: { of: 3, last: true } });
    });

    it('sends a caller without receive_progress only the final value of an async-iterable handler', async () => {
      const atPy = await py.call('caller', `${OURS}.stream`, [2]);
      expect(atPy).toEqual({ args: ['chunk', 2], kwargs: { of: 2, last: true }, progress: [] });
    });

    it('shows a prefix registration the concrete procedure Autobahn|Python and Autobahn|JS called', async () => {
      const atPy = await py.call('caller', `${OURS}.rooms.kitchen.light.set`, [true]);
      expect(atPy.args).toEqual([{ procedure: `${OURS}.rooms.kitchen.light.set`, detailsProcedure: `${OURS}.rooms.kitchen.light.set`, args: [true] }]);
      const atAb = await withTimeout(ab.session.call(`${OURS}.rooms.porch.lamp.set`, [0.5]), 'Autobahn|JS call');
      expect(atAb).toEqual({ procedure: `${OURS}.rooms.porch.lamp.set`, detailsProcedure: `${OURS}.rooms.porch.lamp.set`, args: [0.5] });
    });
  });
});

/** `count` chunks; all but the last go out as progressive results. */
async function* streamChunks({ args }: Invocation): AsyncGenerator<unknown> {
  const count = args[0] as number;
  for (let i = 1; i <= count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield result(['chunk', i], i === count ? { of: count, last: true } : { of: count });
  }
}

function describeInvocation({ procedure, details, args }: Invocation): unknown {
  return { procedure, detailsProcedure: details['procedure'], args };
}
