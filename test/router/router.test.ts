import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import type { Dict, WampMessage } from '../../src/protocol/messages.js';
import type { RealmAuthConfig } from '../../src/router/auth/auth-config.js';
import { createAuthorizer, type RoleRule } from '../../src/router/auth/authorizer.js';
import { createRealmAuthenticators } from '../../src/router/auth/realm-authenticators.js';
import { Router } from '../../src/router/router.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeTransport } from '../helpers/fake-transport.js';

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

interface SetupOptions {
  auth?: RealmAuthConfig;
  roles?: Record<string, RoleRule[]>;
  maxSessions?: number;
}

function setup(options: SetupOptions = {}) {
  const clock = new FakeClock();
  const router = new Router({
    realms: [
      {
        name: 'home',
        authenticators: createRealmAuthenticators(options.auth ?? { anonymous: { role: 'anonymous' }, users: [] }),
        authorizer: createAuthorizer(options.roles),
      },
    ],
    clock,
    limits: { maxSessions: options.maxSessions ?? 1000 },
    handshakeTimeoutMs: 5000,
  });
  const connect = (): FakeTransport => {
    const transport = new FakeTransport();
    router.attach(transport);
    return transport;
  };
  /** A joined anonymous session; returns its transport and session id. */
  const join = (details: Dict = {}): { t: FakeTransport; id: number } => {
    const t = connect();
    t.receive([MessageType.HELLO, 'home', { roles: ROLES, ...details }]);
    const welcome = t.sent[0]!;
    expect(welcome[0]).toBe(MessageType.WELCOME);
    t.clear();
    return { t, id: welcome[1] as number };
  };
  return { router, clock, connect, join };
}

function last(t: FakeTransport): WampMessage {
  return t.sent[t.sent.length - 1]!;
}

/** Lets microtask-deferred deliveries settle. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Router', () => {
  describe('session establishment', () => {
    it('welcomes an anonymous HELLO with the implemented features', () => {
      const { connect } = setup();
      const t = connect();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES }]);
      const [code, session, details] = t.sent[0] as [number, number, Dict];
      expect(code).toBe(MessageType.WELCOME);
      expect(Number.isInteger(session) && session >= 1 && session <= 2 ** 53).toBe(true);
      expect(details).toMatchObject({ authrole: 'anonymous', authmethod: 'anonymous', realm: 'home' });
      const roles = details['roles'] as Record<string, { features: Dict }>;
      expect(roles['broker']!.features).toMatchObject({ event_retention: true, publisher_exclusion: true });
      expect(roles['dealer']!.features).toMatchObject({ call_canceling: true, testament_meta_api: true });
    });

    it('aborts with no_such_realm for an unknown realm', () => {
      const t = setup().connect();
      t.receive([MessageType.HELLO, 'nowhere', { roles: ROLES }]);
      expect(t.sent[0]).toEqual([MessageType.ABORT, expect.any(Object), 'wamp.error.no_such_realm']);
      expect(t.isOpen).toBe(false);
    });

    it('aborts a HELLO without roles as a protocol violation', () => {
      const t = setup().connect();
      t.receive([MessageType.HELLO, 'home', {}]);
      expect(t.sent[0]![2]).toBe('wamp.error.protocol_violation');
      expect(t.isOpen).toBe(false);
    });

    it('aborts when a message other than HELLO comes first', () => {
      const t = setup().connect();
      t.receive([MessageType.CALL, 1, {}, 'com.x']);
      expect(t.sent[0]![0]).toBe(MessageType.ABORT);
      expect(t.sent[0]![2]).toBe('wamp.error.protocol_violation');
    });

    it('aborts a second HELLO after WELCOME', () => {
      const { join } = setup();
      const { t } = join();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES }]);
      expect(last(t)[0]).toBe(MessageType.ABORT);
      expect(last(t)[2]).toBe('wamp.error.protocol_violation');
      expect(t.isOpen).toBe(false);
    });

    it('aborts a connection that sends no HELLO within the handshake timeout', () => {
      const { connect, clock } = setup();
      const t = connect();
      clock.advance(4999);
      expect(t.isOpen).toBe(true);
      clock.advance(1);
      expect(t.sent[0]![0]).toBe(MessageType.ABORT);
      expect(t.isOpen).toBe(false);
    });

    it('refuses sessions beyond max_sessions and admits again when one leaves', () => {
      const { join, connect } = setup({ maxSessions: 1 });
      const first = join();
      const t = connect();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES }]);
      expect(t.sent[0]![0]).toBe(MessageType.ABORT);
      first.t.close();
      join();
    });

    it('authenticates a ticket user through CHALLENGE/AUTHENTICATE', () => {
      const { connect } = setup({ auth: { users: [{ authid: 'alice', method: 'ticket', ticket: 's3cret', role: 'user' }] } });
      const t = connect();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES, authmethods: ['ticket'], authid: 'alice' }]);
      expect(t.sent[0]).toEqual([MessageType.CHALLENGE, 'ticket', {}]);
      t.receive([MessageType.AUTHENTICATE, 's3cret', {}]);
      expect(t.sent[1]![0]).toBe(MessageType.WELCOME);
      expect(t.sent[1]![2]).toMatchObject({ authid: 'alice', authrole: 'user', authmethod: 'ticket' });
    });

    it('aborts with authentication_failed on a wrong ticket', () => {
      const { connect } = setup({ auth: { users: [{ authid: 'alice', method: 'ticket', ticket: 's3cret', role: 'user' }] } });
      const t = connect();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES, authmethods: ['ticket'], authid: 'alice' }]);
      t.receive([MessageType.AUTHENTICATE, 'wrong', {}]);
      expect(t.sent[1]).toEqual([MessageType.ABORT, expect.any(Object), 'wamp.error.authentication_failed']);
      expect(JSON.stringify(t.sent)).not.toContain('s3cret');
    });

    it('refuses anonymous sessions on a realm without anonymous access', () => {
      const { connect } = setup({ auth: { users: [] } });
      const t = connect();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES }]);
      expect(t.sent[0]![0]).toBe(MessageType.ABORT);
      expect(t.sent[0]![2]).toBe('wamp.error.no_matching_auth_method');
    });
  });

  describe('established sessions', () => {
    it('answers GOODBYE with wamp.close.goodbye_and_out and closes', () => {
      const { join } = setup();
      const { t } = join();
      t.receive([MessageType.GOODBYE, {}, 'wamp.close.close_realm']);
      expect(t.sent).toEqual([[MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']]);
      expect(t.isOpen).toBe(false);
    });

    it('aborts on a non-sequential request id', () => {
      const { join } = setup();
      const { t } = join();
      t.receive([MessageType.SUBSCRIBE, 1, {}, 'com.a']);
      t.receive([MessageType.SUBSCRIBE, 3, {}, 'com.b']);
      expect(last(t)[0]).toBe(MessageType.ABORT);
      expect(last(t)[2]).toBe('wamp.error.protocol_violation');
    });

    it('aborts on a router-to-client message sent by the client', () => {
      const { join } = setup();
      const { t } = join();
      t.receive([MessageType.EVENT, 1, 2, {}]);
      expect(last(t)[2]).toBe('wamp.error.protocol_violation');
    });

    it('aborts on an ERROR that does not answer an INVOCATION', () => {
      const { join } = setup();
      const { t } = join();
      t.receive([MessageType.ERROR, MessageType.CALL, 1, {}, 'com.err']);
      expect(last(t)[2]).toBe('wamp.error.protocol_violation');
    });

    it('routes a call from one session to a callee in another', () => {
      const { join } = setup();
      const callee = join();
      const caller = join();
      callee.t.receive([MessageType.REGISTER, 1, {}, 'com.add']);
      expect(callee.t.sent[0]![0]).toBe(MessageType.REGISTERED);
      caller.t.receive([MessageType.CALL, 1, {}, 'com.add', [2, 3]]);
      const inv = last(callee.t);
      expect(inv[0]).toBe(MessageType.INVOCATION);
      callee.t.receive([MessageType.YIELD, inv[1] as number, {}, [5]]);
      expect(last(caller.t)).toEqual([MessageType.RESULT, 1, {}, [5]]);
    });

    it('denies a request the role may not make with not_authorized', () => {
      const { connect } = setup({
        auth: { anonymous: { role: 'public' }, users: [] },
        roles: { public: [{ uri: 'devices.', match: 'prefix', allow: ['subscribe'] }] },
      });
      const t = connect();
      t.receive([MessageType.HELLO, 'home', { roles: ROLES }]);
      t.receive([MessageType.SUBSCRIBE, 1, {}, 'devices.porch']);
      expect(last(t)[0]).toBe(MessageType.SUBSCRIBED);
      t.receive([MessageType.PUBLISH, 2, { acknowledge: true }, 'devices.porch']);
      expect(last(t)).toEqual([MessageType.ERROR, MessageType.PUBLISH, 2, {}, 'wamp.error.not_authorized', [expect.any(String)]]);
      t.receive([MessageType.REGISTER, 3, {}, 'devices.porch.set']);
      expect(last(t)[4]).toBe('wamp.error.not_authorized');
    });
  });

  describe('meta API', () => {
    it('counts, lists and gets sessions', () => {
      const { join } = setup();
      const a = join();
      const b = join();
      a.t.receive([MessageType.CALL, 1, {}, 'wamp.session.count']);
      expect(last(a.t)).toEqual([MessageType.RESULT, 1, {}, [2]]);
      a.t.receive([MessageType.CALL, 2, {}, 'wamp.session.list']);
      expect((last(a.t)[3] as number[][])[0]!.sort()).toEqual([a.id, b.id].sort());
      a.t.receive([MessageType.CALL, 3, {}, 'wamp.session.get', [b.id]]);
      expect((last(a.t)[3] as Dict[])[0]).toMatchObject({ session: b.id, authid: expect.stringMatching(/^anon-/), authrole: 'anonymous' });
      a.t.receive([MessageType.CALL, 4, {}, 'wamp.session.get', [424242]]);
      expect(last(a.t)[4]).toBe('wamp.error.no_such_session');
    });

    it('publishes on_join and on_leave', () => {
      const { join } = setup();
      const watcher = join();
      watcher.t.receive([MessageType.SUBSCRIBE, 1, {}, 'wamp.session.on_join']);
      watcher.t.receive([MessageType.SUBSCRIBE, 2, {}, 'wamp.session.on_leave']);
      const other = join({ authid: 'alice' });
      const onJoin = last(watcher.t);
      expect(onJoin[0]).toBe(MessageType.EVENT);
      const joined = (onJoin[4] as Dict[])[0]!;
      // An anonymous session cannot claim a name: the router generates its authid.
      expect(joined).toMatchObject({ session: other.id, authid: expect.stringMatching(/^anon-/) });
      other.t.close();
      const onLeave = last(watcher.t);
      expect(onLeave[4]).toEqual([other.id, joined['authid'], 'anonymous']);
    });

    it('kills a session with GOODBYE wamp.close.killed and closes it on the reply', () => {
      const { join } = setup();
      const admin = join();
      const victim = join();
      admin.t.receive([MessageType.CALL, 1, {}, 'wamp.session.kill', [victim.id], { message: 'bye' }]);
      expect(last(admin.t)).toEqual([MessageType.RESULT, 1, {}]);
      expect(last(victim.t)).toEqual([MessageType.GOODBYE, { message: 'bye' }, 'wamp.close.killed']);
      victim.t.receive([MessageType.GOODBYE, {}, 'wamp.close.goodbye_and_out']);
      expect(victim.t.isOpen).toBe(false);
      expect(victim.t.sent.filter((m) => m[0] === MessageType.GOODBYE)).toHaveLength(1);
    });

    it('closes a killed session that never answers GOODBYE after the timeout', () => {
      const { join, clock } = setup();
      const admin = join();
      const victim = join();
      admin.t.receive([MessageType.CALL, 1, {}, 'wamp.session.kill', [victim.id]]);
      expect(victim.t.isOpen).toBe(true);
      clock.advance(2000);
      expect(victim.t.isOpen).toBe(false);
    });

    it('publishes a testament when its session dies, retained when asked', async () => {
      const { join } = setup();
      const device = join();
      device.t.receive([
        MessageType.CALL, 1, {}, 'wamp.session.add_testament',
        ['devices.porch.status', ['offline']], { publish_options: { retain: true } },
      ]);
      expect(last(device.t)).toEqual([MessageType.RESULT, 1, {}]);
      device.t.close();
      await tick();
      const late = join();
      late.t.receive([MessageType.SUBSCRIBE, 1, { get_retained: true }, 'devices.porch.status']);
      const event = last(late.t);
      expect(event[0]).toBe(MessageType.EVENT);
      expect(event[4]).toEqual(['offline']);
      expect(event[3]).toMatchObject({ retained: true, topic: 'devices.porch.status' });
    });

    it('flushes testaments so a clean leave publishes nothing', () => {
      const { join } = setup();
      const watcher = join();
      watcher.t.receive([MessageType.SUBSCRIBE, 1, {}, 'devices.porch.status']);
      const device = join();
      device.t.receive([MessageType.CALL, 1, {}, 'wamp.session.add_testament', ['devices.porch.status', ['offline']]]);
      device.t.receive([MessageType.CALL, 2, {}, 'wamp.session.flush_testaments']);
      expect(last(device.t)).toEqual([MessageType.RESULT, 2, {}, [1]]);
      watcher.t.clear();
      device.t.close();
      expect(watcher.t.sent.filter((m) => m[0] === MessageType.EVENT)).toEqual([]);
    });

    it('lists and looks up registrations and subscriptions', () => {
      const { join } = setup();
      const s = join();
      s.t.receive([MessageType.REGISTER, 1, { match: 'prefix' }, 'com.app.']);
      const regId = last(s.t)[2];
      s.t.receive([MessageType.SUBSCRIBE, 2, {}, 'com.topic']);
      const subId = last(s.t)[2];
      s.t.receive([MessageType.CALL, 3, {}, 'wamp.registration.lookup', ['com.app.', { match: 'prefix' }]]);
      expect(last(s.t)).toEqual([MessageType.RESULT, 3, {}, [regId]]);
      s.t.receive([MessageType.CALL, 4, {}, 'wamp.registration.match', ['com.app.do']]);
      expect(last(s.t)).toEqual([MessageType.RESULT, 4, {}, [regId]]);
      s.t.receive([MessageType.CALL, 5, {}, 'wamp.subscription.list']);
      expect((last(s.t)[3] as Dict[])[0]).toMatchObject({ exact: [subId] });
      s.t.receive([MessageType.CALL, 6, {}, 'wamp.subscription.list_subscribers', [subId]]);
      expect((last(s.t)[3] as number[][])[0]).toEqual([s.id]);
      s.t.receive([MessageType.CALL, 7, {}, 'wamp.registration.get', [999999]]);
      expect(last(s.t)[4]).toBe('wamp.error.no_such_registration');
    });
  });

  describe('shutdown', () => {
    it('says GOODBYE system_shutdown to every session on close', () => {
      const { join, router } = setup();
      const a = join();
      const b = join();
      router.close();
      expect(last(a.t)).toEqual([MessageType.GOODBYE, {}, 'wamp.close.system_shutdown']);
      expect(last(b.t)).toEqual([MessageType.GOODBYE, {}, 'wamp.close.system_shutdown']);
    });
  });
});
