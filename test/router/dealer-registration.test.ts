import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import { ErrorUri } from '../../src/protocol/uris.js';
import { call, last, peer, register, setupDealer, take, takeInvocation, wampErrorOf } from './dealer-helpers.js';

describe('Dealer registrations', () => {
  it('answers REGISTER with REGISTERED and fires on_create then on_register', () => {
    const { dealer, clock, meta } = setupDealer();
    clock.advance(1_700_000_000_000);
    const callee = peer();
    dealer.register(callee, [MessageType.REGISTER, 7, {}, 'com.app.add']);
    const reply = last(callee);
    expect(reply[0]).toBe(MessageType.REGISTERED);
    expect(reply[1]).toBe(7);
    const id = reply[2] as number;
    expect(meta).toEqual([
      [
        'wamp.registration.on_create',
        [
          callee.id,
          {
            id,
            created: new Date(1_700_000_000_000).toISOString(),
            uri: 'com.app.add',
            match: 'exact',
            invoke: 'single',
          },
        ],
      ],
      ['wamp.registration.on_register', [callee.id, id]],
    ]);
  });

  it('fires only on_register when a second callee joins a shared registration', () => {
    const { dealer, meta } = setupDealer();
    const a = peer();
    const b = peer();
    const id = register(dealer, a, 'com.app.work', { invoke: 'roundrobin' });
    meta.length = 0;
    expect(register(dealer, b, 'com.app.work', { invoke: 'roundrobin' })).toBe(id);
    expect(meta).toEqual([['wamp.registration.on_register', [b.id, id]]]);
  });

  it('refuses a second registration of a single procedure', () => {
    const { dealer } = setupDealer();
    register(dealer, peer(), 'com.app.add');
    const error = wampErrorOf(
      () => dealer.register(peer(), [MessageType.REGISTER, 1, {}, 'com.app.add']),
      ErrorUri.PROCEDURE_ALREADY_EXISTS,
    );
    expect(error.args[0]).toMatch(/already registered by another session/);
  });

  it('refuses a shared registration with a different invocation policy', () => {
    const { dealer } = setupDealer();
    register(dealer, peer(), 'com.app.work', { invoke: 'roundrobin' });
    const error = wampErrorOf(
      () => dealer.register(peer(), [MessageType.REGISTER, 1, { invoke: 'first' }, 'com.app.work']),
      ErrorUri.PROCEDURE_ALREADY_EXISTS,
    );
    expect(error.args[0]).toMatch(/'roundrobin', not 'first'/);
  });

  it('refuses the same session registering the same URI and match twice', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    register(dealer, callee, 'com.app.work', { invoke: 'random' });
    const error = wampErrorOf(
      () => dealer.register(callee, [MessageType.REGISTER, 2, { invoke: 'random' }, 'com.app.work']),
      ErrorUri.PROCEDURE_ALREADY_EXISTS,
    );
    expect(error.args[0]).toMatch(/this session already registered/);
  });

  it('keeps registrations of one URI under different match policies apart', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const exact = register(dealer, callee, 'com.app');
    const prefix = register(dealer, callee, 'com.app', { match: 'prefix' });
    expect(prefix).not.toBe(exact);
  });

  it('rejects unknown match and invoke policies with invalid_argument', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    for (const options of [{ match: 'regex' }, { invoke: 'fastest' }, { match: 5 }]) {
      wampErrorOf(() => dealer.register(callee, [MessageType.REGISTER, 1, options, 'com.app.x']), ErrorUri.INVALID_ARGUMENT);
    }
    expect(take(callee)).toEqual([]);
  });

  it('validates the procedure URI against the match policy', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    wampErrorOf(() => dealer.register(callee, [MessageType.REGISTER, 1, {}, 'com.App.x']), ErrorUri.INVALID_URI);
    wampErrorOf(() => dealer.register(callee, [MessageType.REGISTER, 2, {}, 'com..x']), ErrorUri.INVALID_URI);
    const prefix = { match: 'prefix' };
    wampErrorOf(() => dealer.register(callee, [MessageType.REGISTER, 3, prefix, 'com..x']), ErrorUri.INVALID_URI);
    expect(register(dealer, callee, 'com.app.', { match: 'prefix' })).toBeGreaterThan(0);
    expect(register(dealer, callee, 'com..x', { match: 'wildcard' })).toBeGreaterThan(0);
  });

  it('accepts loose URIs in loose mode only', () => {
    const loose = setupDealer({ uriMode: 'loose' });
    expect(register(loose.dealer, peer(), 'com.App-1.x')).toBeGreaterThan(0);
    const strict = setupDealer({ uriMode: 'strict' });
    const register1 = () => strict.dealer.register(peer(), [MessageType.REGISTER, 1, {}, 'com.App-1.x']);
    wampErrorOf(register1, ErrorUri.INVALID_URI);
  });

  it('refuses procedures in the reserved wamp. namespace', () => {
    const { dealer } = setupDealer();
    const error = wampErrorOf(
      () => dealer.register(peer(), [MessageType.REGISTER, 1, {}, 'wamp.session.count']),
      ErrorUri.INVALID_URI,
    );
    expect(error.args[0]).toMatch(/reserved/);
  });

  it('answers UNREGISTER and fires on_unregister then on_delete for the last callee', () => {
    const { dealer, meta } = setupDealer();
    const a = peer();
    const b = peer();
    const id = register(dealer, a, 'com.app.work', { invoke: 'first' });
    register(dealer, b, 'com.app.work', { invoke: 'first' });
    meta.length = 0;
    dealer.unregister(a, [MessageType.UNREGISTER, 11, id]);
    expect(last(a)).toEqual([MessageType.UNREGISTERED, 11]);
    expect(meta).toEqual([['wamp.registration.on_unregister', [a.id, id]]]);
    meta.length = 0;
    dealer.unregister(b, [MessageType.UNREGISTER, 12, id]);
    expect(meta).toEqual([
      ['wamp.registration.on_unregister', [b.id, id]],
      ['wamp.registration.on_delete', [b.id, id]],
    ]);
    expect(dealer.get(id)).toBeNull();
    wampErrorOf(() => call(dealer, peer(), 'com.app.work'), ErrorUri.NO_SUCH_PROCEDURE);
  });

  it('refuses to unregister another session’s or an unknown registration', () => {
    const { dealer } = setupDealer();
    const owner = peer();
    const id = register(dealer, owner, 'com.app.add');
    wampErrorOf(() => dealer.unregister(peer(), [MessageType.UNREGISTER, 1, id]), ErrorUri.NO_SUCH_REGISTRATION);
    wampErrorOf(() => dealer.unregister(owner, [MessageType.UNREGISTER, 2, id + 100]), ErrorUri.NO_SUCH_REGISTRATION);
    expect(dealer.countCallees(id)).toBe(1);
  });

  it('drops a leaving callee’s registrations with meta events', () => {
    const { dealer, meta } = setupDealer();
    const a = peer();
    const b = peer();
    const shared = register(dealer, a, 'com.app.work', { invoke: 'last' });
    register(dealer, b, 'com.app.work', { invoke: 'last' });
    const own = register(dealer, a, 'com.app.own');
    meta.length = 0;
    dealer.removeSession(a);
    expect(meta).toEqual([
      ['wamp.registration.on_unregister', [a.id, shared]],
      ['wamp.registration.on_unregister', [a.id, own]],
      ['wamp.registration.on_delete', [a.id, own]],
    ]);
    expect(dealer.callees(shared)).toEqual([b.id]);
    expect(dealer.get(own)).toBeNull();
  });
});

describe('Dealer pattern-based registrations', () => {
  it('routes a call to exact, then the longest prefix, then the wildcard with most leading components', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    const exact = register(dealer, callee, 'com.app.a.b');
    const shortPrefix = register(dealer, callee, 'com.', { match: 'prefix' });
    const longPrefix = register(dealer, callee, 'com.app.', { match: 'prefix' });
    const wildLate = register(dealer, callee, 'org...c', { match: 'wildcard' });
    const wildEarly = register(dealer, callee, 'org.app..c', { match: 'wildcard' });
    const route = (uri: string) => {
      call(dealer, peer(), uri);
      return takeInvocation(callee)[2];
    };
    expect(route('com.app.a.b')).toBe(exact);
    expect(route('com.app.a.c')).toBe(longPrefix);
    expect(route('com.other')).toBe(shortPrefix);
    expect(route('org.app.x.c')).toBe(wildEarly);
    expect(route('org.zzz.x.c')).toBe(wildLate);
    expect(dealer.match('com.app.a.c')).toBe(longPrefix);
    expect(dealer.match('org.app.x.c')).toBe(wildEarly);
    expect(dealer.match('net.x')).toBeNull();
  });

  it('puts the concrete procedure URI into INVOCATION.Details.procedure', () => {
    const { dealer } = setupDealer();
    const callee = peer();
    register(dealer, callee, 'com.app.', { match: 'prefix' });
    call(dealer, peer(), 'com.app.sensor.read');
    expect(takeInvocation(callee)[3]).toEqual({ procedure: 'com.app.sensor.read' });
  });
});

describe('Dealer registration meta queries', () => {
  it('lists, looks up, gets and counts registrations', () => {
    const { dealer, clock } = setupDealer();
    clock.advance(5_000);
    const a = peer();
    const b = peer();
    const exact = register(dealer, a, 'com.app.add');
    const prefix = register(dealer, a, 'com.app.', { match: 'prefix', invoke: 'roundrobin' });
    register(dealer, b, 'com.app.', { match: 'prefix', invoke: 'roundrobin' });
    const wildcard = register(dealer, b, 'com..add', { match: 'wildcard' });
    expect(dealer.list()).toEqual({ exact: [exact], prefix: [prefix], wildcard: [wildcard] });
    expect(dealer.lookup('com.app.add')).toBe(exact);
    expect(dealer.lookup('com.app.', 'prefix')).toBe(prefix);
    expect(dealer.lookup('com.app.')).toBeNull();
    expect(dealer.lookup('com..add', 'wildcard')).toBe(wildcard);
    expect(dealer.get(prefix)).toEqual({
      id: prefix,
      created: new Date(5_000).toISOString(),
      uri: 'com.app.',
      match: 'prefix',
      invoke: 'roundrobin',
    });
    expect(dealer.callees(prefix)).toEqual([a.id, b.id]);
    expect(dealer.countCallees(prefix)).toBe(2);
    expect(dealer.get(9999)).toBeNull();
    expect(dealer.callees(9999)).toBeNull();
    expect(dealer.countCallees(9999)).toBeNull();
  });
});
