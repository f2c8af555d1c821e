import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanceledError, SessionClosedError, TimeoutError } from '../../../src/client/errors.js';
import type { Session } from '../../../src/client/session.js';
import type { Invocation, Result } from '../../../src/client/types.js';
import { ApplicationError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { CallMessage, CancelMessage } from '../../../src/protocol/messages.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { scriptedSession, settle, startRouterFixture, type RouterFixture } from '../fixtures.js';

/** Resolves when the invocation's signal aborts, with its reason. */
function aborted(invocation: Invocation): Promise<unknown> {
  const signal = invocation.signal;
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Caller', () => {
  let fixture: RouterFixture;
  let caller: Session;
  let callee: Session;
  let n = 0;
  const uri = () => `test.caller.p${++n}`;

  beforeAll(async () => {
    fixture = await startRouterFixture();
    caller = await fixture.join();
    callee = await fixture.join();
  });
  afterAll(() => fixture.close());

  it('resolves with the RESULT args, kwargs and details', async () => {
    const procedure = uri();
    await callee.register(procedure, (inv) => ({ sum: (inv.args[0] as number) + (inv.kwargs['b'] as number) }));
    const result = await caller.call(procedure, [2], { b: 3 });
    expect(result).toEqual({ args: [{ sum: 5 }], kwargs: {}, details: {} });
  });

  it('rejects with an ApplicationError carrying the ERROR uri, args and kwargs', async () => {
    const procedure = uri();
    await callee.register(procedure, () => {
      throw new ApplicationError('com.example.out_of_range', ['too big'], { max: 10 });
    });
    const error = await caller.call(procedure).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect(error).toMatchObject({ uri: 'com.example.out_of_range', args: ['too big'], kwargs: { max: 10 } });
  });

  it('rejects a call to an unknown procedure with no_such_procedure', async () => {
    const error = await caller.call('test.caller.nobody').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).uri).toBe('wamp.error.no_such_procedure');
  });

  it('discloses the caller when asked', async () => {
    const procedure = uri();
    await callee.register(procedure, (inv) => inv.details['caller']);
    expect((await caller.call(procedure, [], {}, { discloseMe: true })).args).toEqual([caller.id]);
    expect((await caller.call(procedure)).args).toEqual([]);
  });

  describe('progressive results', () => {
    it('passes each progressive result to onProgress, then resolves with the final one', async () => {
      const procedure = uri();
      await callee.register(procedure, (inv) => {
        expect(inv.receiveProgress).toBe(true);
        inv.progress([1]);
        inv.progress([2], { half: true });
        return 3;
      });
      const progress: Result[] = [];
      const final = await caller.call(procedure, [], {}, { onProgress: (r) => progress.push(r) });
      expect(progress).toEqual([
        { args: [1], kwargs: {}, details: { progress: true } },
        { args: [2], kwargs: { half: true }, details: { progress: true } },
      ]);
      expect(final.args).toEqual([3]);
    });

    it('yields every result from callProgressive, the final one last', async () => {
      const procedure = uri();
      await callee.register(procedure, async function* () {
        yield 'a';
        yield 'b';
        yield 'c';
      });
      const seen: [unknown, unknown][] = [];
      for await (const result of caller.callProgressive(procedure)) seen.push([result.args[0], result.details['progress']]);
      expect(seen).toEqual([
        ['a', true],
        ['b', true],
        ['c', undefined],
      ]);
    });

    it('throws the ERROR from the loop', async () => {
      const procedure = uri();
      await callee.register(procedure, async function* () {
        yield 1;
        throw new ApplicationError('com.example.broken');
      });
      const seen: unknown[] = [];
      const error = await (async () => {
        for await (const result of caller.callProgressive(procedure)) seen.push(result.args[0]);
      })().catch((e: unknown) => e);
      expect(seen).toEqual([1]);
      expect((error as ApplicationError).uri).toBe('com.example.broken');
    });

    it('cancels the call when the loop is left early', async () => {
      const procedure = uri();
      const interrupted = deferred<unknown>();
      await callee.register(procedure, async function* (inv) {
        void aborted(inv).then(interrupted.resolve);
        for (let i = 0; !inv.signal.aborted; i++) {
          yield i;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      const seen: unknown[] = [];
      for await (const result of caller.callProgressive(procedure)) {
        seen.push(result.args[0]);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual([0, 1]);
      expect(await interrupted.promise).toBeInstanceOf(CanceledError);
    });
  });

  describe('cancellation', () => {
    it('killnowait (default): rejects at once with CanceledError and interrupts the callee', async () => {
      const procedure = uri();
      const invoked = deferred<Invocation>();
      await callee.register(procedure, (inv) => {
        invoked.resolve(inv);
        return new Promise(() => {});
      });
      const controller = new AbortController();
      const call = caller.call(procedure, [], {}, { signal: controller.signal });
      const inv = await invoked.promise;
      controller.abort();
      await expect(call).rejects.toBeInstanceOf(CanceledError);
      expect(await aborted(inv)).toBeInstanceOf(CanceledError);
    });

    it('skip: rejects with CanceledError and leaves the callee running', async () => {
      const procedure = uri();
      const invoked = deferred<Invocation>();
      const finish = deferred<number>();
      await callee.register(procedure, (inv) => {
        invoked.resolve(inv);
        return finish.promise;
      });
      const controller = new AbortController();
      const call = caller.call(procedure, [], {}, { signal: controller.signal, cancelMode: 'skip' });
      const inv = await invoked.promise;
      controller.abort();
      await expect(call).rejects.toBeInstanceOf(CanceledError);
      await settle();
      expect(inv.signal.aborted).toBe(false);
      finish.resolve(1); // its late YIELD is dropped by the dealer
      expect((await caller.call('wamp.session.count')).args[0]).toBeGreaterThan(0);
    });

    it("kill: interrupts the callee and rejects with the callee's answer once it has given up", async () => {
      const procedure = uri();
      const order: string[] = [];
      await callee.register(procedure, async (inv) => {
        await aborted(inv);
        await new Promise((r) => setTimeout(r, 20));
        order.push('callee gave up');
        return 'ignored';
      });
      const controller = new AbortController();
      const call = caller.call(procedure, [], {}, { signal: controller.signal, cancelMode: 'kill' });
      await settle();
      await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      const error = await call.catch((e: unknown) => e);
      order.push('caller rejected');
      expect(error).toBeInstanceOf(CanceledError);
      expect(order).toEqual(['callee gave up', 'caller rejected']);
    });

    it('rejects at once, sending nothing, when the signal is already aborted', async () => {
      const { session, router } = await scriptedSession();
      const error = await session.call('x.y', [], {}, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CanceledError);
      void session.publish('next.request');
      expect((await router.receive())[0]).toBe(MessageType.PUBLISH);
      expect(router.received).toEqual([]);
    });

    it('rejects locally without CANCEL when the dealer does not support call_canceling, ignoring the late RESULT', async () => {
      const { session, router } = await scriptedSession({ roles: { dealer: { features: {} } } });
      const controller = new AbortController();
      const call = session.call('x.y', [], {}, { signal: controller.signal });
      const [, request] = await router.expect<CallMessage>(MessageType.CALL);
      controller.abort();
      await expect(call).rejects.toBeInstanceOf(CanceledError);
      router.send([MessageType.RESULT, request, {}, ['late']]);
      void session.publish('next.request');
      expect((await router.receive())[0]).toBe(MessageType.PUBLISH);
      expect(session.isOpen).toBe(true);
    });

    it('sends CANCEL with the chosen mode for the call request id', async () => {
      const { session, router } = await scriptedSession();
      for (const mode of ['skip', 'kill', 'killnowait'] as const) {
        const controller = new AbortController();
        const call = session.call('x.y', [], {}, { signal: controller.signal, cancelMode: mode });
        call.catch(() => {});
        const [, request] = await router.expect<CallMessage>(MessageType.CALL);
        controller.abort();
        expect(await router.expect<CancelMessage>(MessageType.CANCEL)).toEqual([MessageType.CANCEL, request, { mode }]);
        if (mode === 'kill') {
          router.send([MessageType.ERROR, MessageType.CALL, request, {}, 'wamp.error.canceled']);
        }
        await expect(call).rejects.toBeInstanceOf(CanceledError);
      }
    });
  });

  describe('timeouts', () => {
    it('sends CALL.Options.timeout to a dealer that announces call_timeout and enforces it locally', async () => {
      const clock = new FakeClock();
      const { session, router } = await scriptedSession({ join: { clock } });
      const call = session.call('x.y', [], {}, { timeout: 1500 });
      const [, request, options] = await router.expect<CallMessage>(MessageType.CALL);
      expect(options).toEqual({ timeout: 1500 });
      clock.advance(1499);
      await settle();
      expect(router.received).toEqual([]);
      clock.advance(1);
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).uri).toBe('wamp.error.timeout');
      expect(await router.expect(MessageType.CANCEL)).toEqual([MessageType.CANCEL, request, { mode: 'killnowait' }]);
      router.send([MessageType.RESULT, request, {}, ['late']]);
      await settle();
      expect(session.isOpen).toBe(true);
    });

    it('never sends the timeout to a dealer that does not announce call_timeout (Crossbar: seconds)', async () => {
      const clock = new FakeClock();
      const { session, router } = await scriptedSession({ join: { clock }, roles: { dealer: { features: {} } } });
      const call = session.call('x.y', [], {}, { timeout: 20 });
      expect((await router.expect<CallMessage>(MessageType.CALL))[2]).toEqual({});
      clock.advance(20);
      await expect(call).rejects.toBeInstanceOf(TimeoutError);
      await settle();
      expect(router.received).toEqual([]); // no CANCEL without call_canceling
    });

    it('clears the timer when the result arrives first', async () => {
      const clock = new FakeClock();
      const { session, router } = await scriptedSession({ join: { clock } });
      const call = session.call('x.y', [], {}, { timeout: 100 });
      const [, request] = await router.expect<CallMessage>(MessageType.CALL);
      router.send([MessageType.RESULT, request, {}, [7]]);
      expect((await call).args).toEqual([7]);
      expect(clock.pending).toBe(0);
    });

    it('times out against the real router and interrupts the callee', async () => {
      const procedure = uri();
      const invoked = deferred<Invocation>();
      await callee.register(procedure, (inv) => {
        invoked.resolve(inv);
        return new Promise(() => {});
      });
      const call = caller.call(procedure, [], {}, { timeout: 50 });
      const inv = await invoked.promise;
      await expect(call).rejects.toBeInstanceOf(TimeoutError);
      expect(await aborted(inv)).toBeInstanceOf(Error);
    });
  });

  it('rejects a call made on a closed session with SessionClosedError', async () => {
    const { session, router } = await scriptedSession();
    router.transport.close();
    await session.closed;
    await expect(session.call('x.y')).rejects.toBeInstanceOf(SessionClosedError);
  });
});
