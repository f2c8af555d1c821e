import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type ManagedSession } from '../../src/client/connection.js';
import type { TransportFactory } from '../../src/client/connector.js';
import { result, type Session } from '../../src/client/session.js';
import { defaultRouterConfig } from '../../src/router/config.js';
import type { Router } from '../../src/router/router.js';
import { createRouter } from '../../src/router/serve.js';
import { linkedPair } from '../../src/transport/local.js';

/**
 * Wrong argument types are the application's mistake: they reject with TypeError before
 * anything is sent, and the session (with its calls in flight) goes on.
 */

let router: Router;
let managed: ManagedSession;

beforeEach(async () => {
  router = createRouter(defaultRouterConfig());
  const factory: TransportFactory = async () => {
    const [client, server] = linkedPair(undefined, { parse: { lenientIds: true } });
    router.attach(server);
    return client;
  };
  managed = await connect({ realm: 'home', url: 'rs://hub:8081', transportFactory: factory, liveness: false });
  await managed.register('com.test.echo', ({ args, kwargs }) => result(args, kwargs));
});

afterEach(async () => {
  await managed.close();
  router.close();
});

/** Any value, to pass what the types forbid (as JavaScript callers and `as never` casts do). */
const bad = <T>(value: unknown): T => value as T;

describe.each([
  ['Session', () => managed.session as Session],
  ['ManagedSession', () => managed],
] as const)('%s argument checks', (_name, target) => {
  it.each([
    ['args as a string', () => target().call('com.test.echo', bad('str')), /call\(\): args must be a list, got the string "str" \(for one value, pass \["str"\]\)/],
    ['args as a number', () => target().call('com.test.echo', bad(5)), /args must be a list, got number 5/],
    ['kwargs in the args place', () => target().call('com.test.echo', bad({ a: 1 })), /args must be a list, got an object \(keyword arguments go in kwargs: call\(uri, \[\], \{…\}\)\)/],
    ['kwargs as a list', () => target().call('com.test.echo', [], bad([1, 2])), /kwargs must be a plain object .* got a list/],
    ['kwargs as a Map', () => target().call('com.test.echo', [], bad(new Map())), /kwargs must be a plain object .* got a Map/],
    ['a misspelt call option', () => target().call('com.test.echo', [], {}, bad({ timout: 5 })), /unknown option 'timout' \(known: timeout,/],
    ['a negative timeout', () => target().call('com.test.echo', [], {}, { timeout: -1 }), /option 'timeout' must be milliseconds/],
    ['a non-string procedure', () => target().call(bad(42)), /call\(\): the procedure URI must be a string, got number 42/],
    ['publish args as a string', () => target().publish('com.test.t', bad('on')), /publish\(\): args must be a list/],
    ['publish exclude of strings', () => target().publish('com.test.t', [], {}, bad({ exclude: ['x'] })), /option 'exclude' must be a list of session ids/],
    ['publish acknowledge as a string', () => target().publish('com.test.t', [], {}, bad({ acknowledge: 'yes' })), /option 'acknowledge' must be true or false/],
    ['register match typo', () => target().register('com.test.p', () => 1, bad({ match: 'prefx' })), /register\(\): option 'match' must be one of 'exact', 'prefix', 'wildcard'/],
    ['register without a handler', () => target().register('com.test.p', bad(undefined)), /register\(\): the handler must be a function/],
    ['subscribe option unknown', () => target().subscribe('com.test.t', () => {}, bad({ retained: true })), /subscribe\(\): unknown option 'retained'/],
  ])('%s: TypeError, nothing sent, the session goes on', async (_what, act, message) => {
    const inFlight = target().call('com.test.echo', ['still here']);
    await expect(act()).rejects.toThrow(TypeError);
    await expect(act()).rejects.toThrow(message);
    expect((await inFlight).args).toEqual(['still here']);
    expect(managed.state).toBe('joined');
    expect((await target().call('com.test.echo', [1], { a: 2 })).kwargs).toEqual({ a: 2 });
  });

  it('throws at once from callProgressive', () => {
    expect(() => target().callProgressive('com.test.echo', bad('x'))).toThrow(TypeError);
  });

  it('accepts undefined and null payloads and options with undefined values', async () => {
    const result = await target().call('com.test.echo', undefined, undefined, { timeout: undefined });
    expect(result.args).toEqual([]);
    await target().publish('com.test.t', bad(null), bad(null), { acknowledge: true, exclude: [1] });
  });
});

describe('argument checks while there is no session', () => {
  it('rejects at once instead of waiting for the next join', async () => {
    router.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(managed.state).not.toBe('joined');
    await expect(managed.call('com.test.echo', bad('str'))).rejects.toThrow(/args must be a list/);
    await expect(managed.publish('com.test.t', [], bad(7))).rejects.toThrow(/kwargs must be a plain object/);
  });
});
