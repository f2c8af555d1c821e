import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, AuthenticationError, SessionClosedError, TimeoutError, TRANSPORT_LOST } from '../../src/client/errors.js';
import { clientRoles } from '../../src/client/features.js';
import { Session } from '../../src/client/session.js';
import { PayloadSizeExceededError } from '../../src/protocol/errors.js';
import { MessageType } from '../../src/protocol/message-type.js';
import { jsonSerializer } from '../../src/protocol/serializers/index.js';
import type { AbortMessage, GoodbyeMessage, WampMessage } from '../../src/protocol/messages.js';
import { linkedPair } from '../../src/transport/local.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { ScriptedRouter, scriptedSession, settle, startRouterFixture, type RouterFixture } from './fixtures.js';

describe('Session', () => {
  let fixture: RouterFixture;
  beforeAll(async () => {
    fixture = await startRouterFixture();
  });
  afterAll(() => fixture.close());

  describe('joining', () => {
    it('joins a realm anonymously and exposes the WELCOME details', async () => {
      const session = await fixture.join();
      expect(session.isOpen).toBe(true);
      expect(session.state).toBe('established');
      expect(session.id).toBeGreaterThan(0);
      expect(session.realm).toBe('home');
      expect(session.authrole).toBe('anonymous');
      expect(session.details['authmethod']).toBe('anonymous');
      expect(session.routerSupports('dealer', 'call_canceling')).toBe(true);
      expect(session.routerSupports('broker', 'event_retention')).toBe(true);
      expect(session.routerSupports('dealer', 'no_such_feature')).toBe(false);
    });

    it('announces its roles and features, the agent and the auth method in HELLO', async () => {
      const { hello, session } = await scriptedSession({ join: { agent: 'test-agent', authextra: { x_y: 1 } } });
      expect(hello[1]).toBe('home');
      expect(hello[2]).toEqual({
        agent: 'test-agent',
        roles: clientRoles(),
        authmethods: ['anonymous'],
        authextra: { x_y: 1 },
      });
      expect(session.authid).toBe('tester');
      expect(session.authrole).toBe('user');
    });

    it('rejects with AbortedError carrying the reason when the router aborts', async () => {
      const [client, server] = linkedPair();
      fixture.router.running.router.attach(server);
      const error = await Session.join(client, { realm: 'no.such.realm' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortedError);
      expect(error).not.toBeInstanceOf(AuthenticationError);
      expect((error as AbortedError).uri).toBe('wamp.error.no_such_realm');
      expect((error as AbortedError).byPeer).toBe(true);
      await settle();
      expect(client.isOpen).toBe(false);
    });

    it('rejects with AuthenticationError when the router aborts with an authentication reason', async () => {
      const [client, server] = linkedPair();
      const router = new ScriptedRouter(server);
      const joining = Session.join(client, { realm: 'home' });
      await router.expect(MessageType.HELLO);
      router.send([MessageType.ABORT, { message: 'nope' }, 'wamp.error.no_auth_method']);
      const error = await joining.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      // Crossbar's non-standard URI is reported as the spec's.
      expect((error as AuthenticationError).uri).toBe('wamp.error.no_matching_auth_method');
      expect((error as AuthenticationError).message).toContain('nope');
    });

    it('rejects with TimeoutError and closes the transport when no WELCOME arrives in time', async () => {
      const clock = new FakeClock();
      const [client, server] = linkedPair();
      const router = new ScriptedRouter(server);
      const joining = Session.join(client, { realm: 'home', clock, joinTimeout: 500 });
      await router.expect(MessageType.HELLO);
      clock.advance(499);
      clock.advance(1);
      await expect(joining).rejects.toBeInstanceOf(TimeoutError);
      await settle();
      expect(router.closeInfo).toBeDefined();
    });

    it('rejects with SessionClosedError when the transport closes before WELCOME', async () => {
      const [client, server] = linkedPair();
      const router = new ScriptedRouter(server);
      const joining = Session.join(client, { realm: 'home' });
      await router.expect(MessageType.HELLO);
      router.transport.close('gone');
      const error = await joining.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionClosedError);
      expect((error as SessionClosedError).uri).toBe(TRANSPORT_LOST);
    });

    it('rejects invalid authentication options before sending HELLO and closes the transport', async () => {
      const [client, server] = linkedPair();
      const router = new ScriptedRouter(server);
      const auth = { method: 'cryptosign', privateKey: 'not hex' } as const;
      await expect(Session.join(client, { realm: 'home', auth })).rejects.toBeInstanceOf(TypeError);
      await settle();
      expect(router.received).toEqual([]);
      expect(router.closeInfo).toBeDefined();
    });
  });

  describe('request ids', () => {
    it('numbers requests 1, 2, 3… across every request type', async () => {
      const { session, router } = await scriptedSession();
      void session.subscribe('a.topic', () => {});
      void session.publish('a.topic');
      void session.call('a.procedure');
      void session.register('b.procedure', () => 1);
      void session.publish('a.topic', [], {}, { acknowledge: true });
      const ids: unknown[] = [];
      for (let i = 0; i < 5; i++) ids.push((await router.receive())[1]);
      expect(ids).toEqual([1, 2, 3, 4, 5]);
    });

    it('does not consume an id for a request too large to send', async () => {
      const [client, server] = linkedPair(jsonSerializer, { maxMessageSize: 2000 });
      fixture.router.running.router.attach(server);
      const session = await Session.join(client, { realm: 'home' });
      const tooLarge = session.publish('a.topic', ['x'.repeat(3000)], {}, { acknowledge: true });
      await expect(tooLarge).rejects.toBeInstanceOf(PayloadSizeExceededError);
      // The router checks the sequence: a gap would make it abort this publish's session.
      await expect(session.publish('a.topic', ['small'], {}, { acknowledge: true })).resolves.toBeUndefined();
      expect(session.isOpen).toBe(true);
      await session.leave();
    });
  });

  describe('leaving', () => {
    it('sends GOODBYE, waits for the reply, closes the transport and resolves closed', async () => {
      const { session, router } = await scriptedSession();
      const leaving = session.leave('wamp.close.normal');
      expect(session.isOpen).toBe(false);
      const goodbye = await router.expect<GoodbyeMessage>(MessageType.GOODBYE);
      expect(goodbye).toEqual([MessageType.GOODBYE, {}, 'wamp.close.normal']);
      router.send([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      await leaving;
      expect(await session.closed).toEqual({ reason: 'wamp.close.normal', byPeer: false });
      await settle();
      expect(router.closeInfo).toBeDefined();
    });

    it("accepts fox-wamp's wamp.error.goodbye_and_out as the reply", async () => {
      const { session, router } = await scriptedSession();
      const leaving = session.leave();
      expect((await router.expect<GoodbyeMessage>(MessageType.GOODBYE))[2]).toBe('wamp.close.close_realm');
      router.send([MessageType.GOODBYE, {}, 'wamp.error.goodbye_and_out']);
      await leaving;
      expect(session.state).toBe('closed');
    });

    it('closes anyway when the router does not reply within leaveTimeout', async () => {
      const clock = new FakeClock();
      const { session, router } = await scriptedSession({ join: { clock, leaveTimeout: 300 } });
      const leaving = session.leave();
      await router.expect(MessageType.GOODBYE);
      clock.advance(300);
      await leaving;
      await settle();
      expect(router.closeInfo).toBeDefined();
      expect((await session.closed).reason).toBe('wamp.close.close_realm');
    });

    it('leaves a real router and rejects new requests afterwards', async () => {
      const session = await fixture.join();
      await session.leave();
      expect(await session.closed).toEqual({ reason: 'wamp.close.close_realm', byPeer: false });
      const error = await session.call('any.thing').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionClosedError);
      expect((error as SessionClosedError).uri).toBe('wamp.close.close_realm');
      await expect(session.leave()).resolves.toBeUndefined();
    });
  });

  describe('ending', () => {
    it('answers a router GOODBYE with wamp.close.goodbye_and_out and reports it as by the peer', async () => {
      const { session, router } = await scriptedSession();
      router.send([MessageType.GOODBYE, { message: 'maintenance' }, 'wamp.close.system_shutdown']);
      expect(await router.expect(MessageType.GOODBYE)).toEqual([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      expect(await session.closed).toEqual({ reason: 'wamp.close.system_shutdown', message: 'maintenance', byPeer: true });
    });

    it('ends when the real router kills the session', async () => {
      const victim = await fixture.join();
      const admin = await fixture.join();
      await admin.call('wamp.session.kill', [victim.id], { reason: 'wamp.close.killed', message: 'bye' });
      expect(await victim.closed).toEqual({ reason: 'wamp.close.killed', message: 'bye', byPeer: true });
    });

    it('rejects every pending request with SessionClosedError when the transport is lost', async () => {
      const { session, router } = await scriptedSession();
      const call = session.call('slow.procedure');
      const subscribe = session.subscribe('a.topic', () => {});
      const register = session.register('my.procedure', () => 1);
      const publish = session.publish('a.topic', [], {}, { acknowledge: true });
      await router.receive();
      router.transport.close('cable pulled');
      for (const pending of [call, subscribe, register, publish]) {
        const error = await (pending as Promise<unknown>).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionClosedError);
        expect((error as SessionClosedError).uri).toBe(TRANSPORT_LOST);
        expect((error as SessionClosedError).byPeer).toBe(true);
      }
      expect(await session.closed).toEqual({ reason: TRANSPORT_LOST, message: 'cable pulled', byPeer: true });
    });

    it('treats ABORT in an established session as its end, rejecting pending calls with AbortedError', async () => {
      const { session, router } = await scriptedSession();
      const call = session.call('any.procedure');
      await router.receive();
      router.send([MessageType.ABORT, { message: 'too slow' }, 'wamp.close.killed']);
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortedError);
      expect((error as AbortedError).uri).toBe('wamp.close.killed');
      expect(await session.closed).toEqual({ reason: 'wamp.close.killed', message: 'too slow', byPeer: true });
    });

    it.each<[string, unknown[]]>([
      ['a second WELCOME', [MessageType.WELCOME, 1, {}]],
      ['a CHALLENGE after WELCOME', [MessageType.CHALLENGE, 'ticket', {}]],
      ['a message only clients send', [MessageType.CALL, 1, {}, 'x.y']],
      ['ERROR for an INVOCATION', [MessageType.ERROR, MessageType.INVOCATION, 1, {}, 'x.y']],
      ['REGISTERED for no request', [MessageType.REGISTERED, 77, 5]],
      ['a malformed message', [MessageType.RESULT, 'not an id', {}]],
    ])('aborts with protocol_violation on %s', async (_name, message) => {
      const { session, router } = await scriptedSession();
      const call = session.call('any.procedure');
      await router.receive();
      router.send(message);
      const abort = await router.expect<AbortMessage>(MessageType.ABORT);
      expect(abort[2]).toBe('wamp.error.protocol_violation');
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionClosedError);
      expect((error as SessionClosedError).uri).toBe('wamp.error.protocol_violation');
      const info = await session.closed;
      expect(info.reason).toBe('wamp.error.protocol_violation');
      expect(info.byPeer).toBe(false);
      await settle();
      expect(router.closeInfo).toBeDefined();
    });

    it('ignores messages after it closed', async () => {
      const { session, router } = await scriptedSession();
      const sent: WampMessage[] = router.received;
      router.send([MessageType.GOODBYE, {}, 'wamp.close.system_shutdown']);
      router.send([MessageType.EVENT, 1, 2, {}]);
      await session.closed;
      await settle();
      expect(sent.map((m) => m[0])).toEqual([MessageType.GOODBYE]);
    });
  });
});
