import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanceledError, TimeoutError } from '../../../src/client/errors.js';
import { result, type Session } from '../../../src/client/session.js';
import type { Invocation, Result } from '../../../src/client/types.js';
import { createLogger } from '../../../src/common/logger.js';
import { ApplicationError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { ErrorMessage, RegisterMessage, YieldMessage } from '../../../src/protocol/messages.js';
import { scriptedSession, settle, startRouterFixture, type RouterFixture, type ScriptedSession } from '../fixtures.js';

/** A scripted session with `procedure` registered as registration 9. */
async function registered(handler: (inv: Invocation) => unknown, join = {}): Promise<ScriptedSession> {
  const scripted = await scriptedSession({ join });
  const registering = scripted.session.register('my.procedure', handler);
  const [, request] = await scripted.router.expect<RegisterMessage>(MessageType.REGISTER);
  scripted.router.send([MessageType.REGISTERED, request, 9]);
  await registering;
  return scripted;
}

describe('Callee', () => {
  let fixture: RouterFixture;
  let caller: Session;
  let callee: Session;
  let n = 0;
  const uri = () => `test.callee.p${++n}`;

  beforeAll(async () => {
    fixture = await startRouterFixture();
    caller = await fixture.join();
    callee = await fixture.join();
  });
  afterAll(() => fixture.close());

  describe('answers', () => {
    it('turns a returned value into YIELD [value]', async () => {
      const procedure = uri();
      await callee.register(procedure, () => ({ on: true }));
      expect(await caller.call(procedure)).toEqual({ args: [{ on: true }], kwargs: {}, details: {} });
    });

    it('turns undefined into a YIELD without payload', async () => {
      const { router } = await registered(() => undefined);
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      expect(await router.expect<YieldMessage>(MessageType.YIELD)).toEqual([MessageType.YIELD, 1, {}]);
    });

    it('sends the args and kwargs of result() as they are', async () => {
      const procedure = uri();
      await callee.register(procedure, () => result([1, 2], { unit: 'C' }));
      expect(await caller.call(procedure)).toEqual({ args: [1, 2], kwargs: { unit: 'C' }, details: {} });
    });

    it('awaits an async handler', async () => {
      const procedure = uri();
      await callee.register(procedure, async (inv) => {
        await new Promise((r) => setTimeout(r, 5));
        return (inv.args[0] as number) + 1;
      });
      expect((await caller.call(procedure, [41])).args).toEqual([42]);
    });

    it('hands the handler args, kwargs, details and the procedure', async () => {
      const procedure = uri();
      let seen: Invocation | undefined;
      await callee.register(procedure, (inv) => {
        seen = inv;
      });
      await caller.call(procedure, [1, 'a'], { k: true }, { discloseMe: true });
      expect(seen).toMatchObject({ args: [1, 'a'], kwargs: { k: true }, procedure, receiveProgress: false });
      expect(seen!.details['caller']).toBe(caller.id);
    });

    it('reports the concrete procedure for a prefix registration', async () => {
      const prefix = `${uri()}.`;
      await callee.register(prefix, (inv) => inv.procedure, { match: 'prefix' });
      expect((await caller.call(`${prefix}lamp.set`)).args).toEqual([`${prefix}lamp.set`]);
    });

    it('discloses the caller to a registration that asks for it', async () => {
      const procedure = uri();
      await callee.register(procedure, (inv) => inv.details['caller_authrole'], { discloseCaller: true });
      expect((await caller.call(procedure)).args).toEqual(['anonymous']);
    });
  });

  describe('errors', () => {
    it('sends a thrown ApplicationError as ERROR with its uri, args and kwargs', async () => {
      const procedure = uri();
      await callee.register(procedure, async () => {
        throw new ApplicationError('com.example.invalid', ['bad value'], { got: 7 });
      });
      const error = await caller.call(procedure).catch((e: unknown) => e);
      expect(error).toMatchObject({ uri: 'com.example.invalid', args: ['bad value'], kwargs: { got: 7 } });
    });

    it('sends any other error as wamp.error.runtime_error with its message only, and logs it', async () => {
      const lines: string[] = [];
      const { router } = await registered(
        () => {
          throw new TypeError('cannot read x');
        },
        { logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) },
      );
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      expect(await router.expect<ErrorMessage>(MessageType.ERROR)).toEqual([
        MessageType.ERROR,
        MessageType.INVOCATION,
        1,
        {},
        'wamp.error.runtime_error',
        ['cannot read x'],
      ]);
      expect(lines.join('\n')).toContain('TypeError: cannot read x');
    });

    it('answers an INVOCATION for an unknown registration with no_such_registration', async () => {
      const { router } = await scriptedSession();
      router.send([MessageType.INVOCATION, 1, 404, {}, [1]]);
      const error = await router.expect<ErrorMessage>(MessageType.ERROR);
      expect(error.slice(0, 5)).toEqual([MessageType.ERROR, MessageType.INVOCATION, 1, {}, 'wamp.error.no_such_registration']);
    });

    it('rejects a registration the router refuses', async () => {
      const procedure = uri();
      await callee.register(procedure, () => 1);
      const error = await caller.register(procedure, () => 2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationError);
      expect((error as ApplicationError).uri).toBe('wamp.error.procedure_already_exists');
    });
  });

  describe('progressive results', () => {
    it('streams an async iterable as progressive results, its last value as the final one', async () => {
      const procedure = uri();
      await callee.register(procedure, async function* () {
        yield 1;
        yield result([2], { half: true });
        yield 3;
      });
      const progress: Result[] = [];
      const final = await caller.call(procedure, [], {}, { onProgress: (r) => progress.push(r) });
      expect(progress.map((r) => [r.args, r.kwargs])).toEqual([
        [[1], {}],
        [[2], { half: true }],
      ]);
      expect(final.args).toEqual([3]);
    });

    it('sends only the final value to a caller that did not ask for progress', async () => {
      const { router } = await registered(async function* (inv) {
        inv.progress(['ignored']);
        yield 'a';
        yield 'b';
      });
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      expect(await router.expect(MessageType.YIELD)).toEqual([MessageType.YIELD, 1, {}, ['b']]);
      await settle();
      expect(router.received).toEqual([]);
    });

    it('sends progress() as YIELD progress=true when the caller asked for it', async () => {
      const { router } = await registered((inv) => {
        inv.progress([50], { pct: true });
        return 100;
      });
      router.send([MessageType.INVOCATION, 1, 9, { receive_progress: true }]);
      expect(await router.receive()).toEqual([MessageType.YIELD, 1, { progress: true }, [50], { pct: true }]);
      expect(await router.receive()).toEqual([MessageType.YIELD, 1, {}, [100]]);
    });
  });

  describe('interrupts', () => {
    it('aborts the signal with CanceledError on INTERRUPT and answers canceled in kill mode', async () => {
      let invocation: Invocation | undefined;
      const { router } = await registered(async (inv) => {
        invocation = inv;
        await new Promise((resolve) => inv.signal.addEventListener('abort', resolve));
        return 'too late';
      });
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      await settle();
      router.send([MessageType.INTERRUPT, 1, { mode: 'kill' }]);
      const error = await router.expect<ErrorMessage>(MessageType.ERROR);
      expect(error.slice(0, 5)).toEqual([MessageType.ERROR, MessageType.INVOCATION, 1, {}, 'wamp.error.canceled']);
      expect(invocation!.signal.reason).toBeInstanceOf(CanceledError);
    });

    it('answers nothing after a killnowait INTERRUPT', async () => {
      const { router, session } = await registered(async (inv) => {
        await new Promise((resolve) => inv.signal.addEventListener('abort', resolve));
        throw new Error('stopped');
      });
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      await settle();
      router.send([MessageType.INTERRUPT, 1, { mode: 'killnowait' }]);
      await settle();
      void session.publish('next.request');
      expect((await router.receive())[0]).toBe(MessageType.PUBLISH);
    });

    it('gives the signal a TimeoutError when the dealer interrupts for a timeout', async () => {
      let invocation: Invocation | undefined;
      const { router } = await registered((inv) => {
        invocation = inv;
        return new Promise(() => {});
      });
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      await settle();
      router.send([MessageType.INTERRUPT, 1, { mode: 'killnowait', reason: 'wamp.error.timeout' }]);
      await settle();
      expect(invocation!.signal.aborted).toBe(true);
      expect(invocation!.signal.reason).toBeInstanceOf(TimeoutError);
    });

    it('aborts the signals of running invocations when the session ends', async () => {
      let invocation: Invocation | undefined;
      const { router, session } = await registered((inv) => {
        invocation = inv;
        return new Promise(() => {});
      });
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      await settle();
      router.transport.close();
      await session.closed;
      expect(invocation!.signal.aborted).toBe(true);
    });
  });

  describe('unregistering', () => {
    it('stops the invocations and resolves a second unregister at once', async () => {
      const procedure = uri();
      const registration = await callee.register(procedure, () => 1);
      expect(registration.procedure).toBe(procedure);
      expect(registration.id).toBeGreaterThan(0);
      await registration.unregister();
      await registration.unregister();
      const error = await caller.call(procedure).catch((e: unknown) => e);
      expect((error as ApplicationError).uri).toBe('wamp.error.no_such_procedure');
    });

    it('shares a procedure between sessions with an invoke policy', async () => {
      const procedure = uri();
      const other = await fixture.join();
      await callee.register(procedure, () => 'first', { invoke: 'roundrobin' });
      await other.register(procedure, () => 'second', { invoke: 'roundrobin' });
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await caller.call(procedure)).args[0]);
      expect(answers.sort()).toEqual(['first', 'first', 'second', 'second']);
    });

    it('tolerates a registration revocation it did not announce', async () => {
      const { router, session } = await registered(() => 1);
      router.send([MessageType.UNREGISTERED, 0, { registration: 9, reason: 'wamp.close.killed' }]);
      router.send([MessageType.INVOCATION, 1, 9, {}]);
      expect((await router.expect<ErrorMessage>(MessageType.ERROR))[4]).toBe('wamp.error.no_such_registration');
      expect(session.isOpen).toBe(true);
    });
  });
});
