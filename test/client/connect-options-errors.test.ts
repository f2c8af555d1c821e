import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cryptosignSeedHex } from '../../src/client/auth/cryptosign-key.js';
import { connect, type StateEvent } from '../../src/client/connection.js';
import { stopsReconnecting } from '../../src/client/connect-options.js';
import type { TransportFactory } from '../../src/client/connector.js';
import { InvalidUrlError } from '../../src/client/url.js';
import { generateKeyPair } from '../../src/key-file.js';
import { createRouter } from '../../src/router/serve.js';
import { linkedPair } from '../../src/transport/local.js';
import { defaultRouterConfig, type RouterConfig } from '../../src/router/config.js';

/**
 * A mistake in connect()'s options (bad key, unknown auth method, malformed URL) is not a
 * network fault: connect() rejects at once and never dials or retries.
 */

/** A factory that records every dial and fails it like an unreachable router. */
function countingFactory(): { factory: TransportFactory; dials: () => number } {
  let dials = 0;
  const factory: TransportFactory = async () => {
    dials++;
    throw new Error('connect ECONNREFUSED');
  };
  return { factory, dials: () => dials };
}

async function rejectsAtOnce(options: Record<string, unknown>): Promise<{ error: unknown; dials: number; states: StateEvent[] }> {
  const { factory, dials } = countingFactory();
  const states: StateEvent[] = [];
  const error = await connect({ realm: 'home', url: 'rs://127.0.0.1:1', transportFactory: factory, onState: (e) => states.push(e), ...options }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, dials: dials(), states };
}

const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

describe('connect() rejects a mistake in its options at once', () => {
  it.each([
    ['a key that is neither hex nor PEM', { method: 'cryptosign', privateKey: 'not-a-key' }, /auth\.privateKey: is not an Ed25519 private key/],
    ['a hex key of the wrong length', { method: 'cryptosign', privateKey: 'ab'.repeat(31) }, /auth\.privateKey/],
    ['an RSA key', { method: 'cryptosign', privateKey: rsaPem() }, /not Ed25519/],
    ['an encrypted PEM', { method: 'cryptosign', privateKey: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----' }, /encrypted keys are not supported/],
    ['an unknown auth method', { method: 'kerberos', authid: 'x' }, /auth\.method: unknown authentication method "kerberos"/],
    ['a ticket without authid', { method: 'ticket', ticket: 't' }, /auth\.authid/],
    ['an empty WAMP-CRA secret', { method: 'wampcra', authid: 'bob', secret: '' }, /auth\.secret/],
  ])('%s: TypeError, no dial, no retry', async (_what, auth, message) => {
    const { error, dials, states } = await rejectsAtOnce({ auth });
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(dials).toBe(0);
    expect(states.some((event) => event.state === 'retrying')).toBe(false);
  });

  it('names the problem of a malformed URL (port out of range) and does not dial', async () => {
    const { error, dials } = await rejectsAtOnce({ url: 'rs://127.0.0.1:99999' });
    expect(error).toBeInstanceOf(InvalidUrlError);
    expect((error as Error).message).toMatch(/port 99999 is out of range/);
    expect(dials).toBe(0);
  });

  it('checks the auth of every endpoint', async () => {
    const { error } = await rejectsAtOnce({ url: undefined, endpoints: [{ url: 'rs://a:1' }, { url: 'rs://b:2', auth: { method: 'cryptosign', privateKey: 'x' } }] });
    expect((error as Error).message).toMatch(/^endpoints\[1\]\.auth\.privateKey/);
  });

  it('never retries an options error found while dialing, even with retryAuthFailures', () => {
    expect(stopsReconnecting(new TypeError('bad option'), true)).toBe(true);
    expect(stopsReconnecting(new RangeError('bad number'), false)).toBe(true);
    expect(stopsReconnecting(new Error('connect ECONNREFUSED'), false)).toBe(false);
  });
});

describe('cryptosign keys in the formats the CLI reads', () => {
  it('reads the PEM that switchyard keygen writes and the hex seed', () => {
    const pem = generateKeyPair().privatePem;
    expect(cryptosignSeedHex(pem)).toMatch(/^[0-9a-f]{64}$/);
    expect(cryptosignSeedHex(`  ${RFC_SEED.toUpperCase()}\n`)).toBe(RFC_SEED);
    expect(cryptosignSeedHex(RFC_SEED + 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')).toBe(RFC_SEED);
  });

  it('joins with a keygen PEM as privateKey (same seed as the key file reader)', async () => {
    const pair = generateKeyPair();
    const config: RouterConfig = {
      ...defaultRouterConfig(),
      realms: [{ name: 'home', users: [{ authid: 'porch', method: 'cryptosign', pubkey: pair.publicKeyHex, role: 'device' }], strictUris: false }],
    };
    const router = createRouter(config);
    const factory: TransportFactory = async () => {
      const [client, server] = linkedPair(undefined, { parse: { lenientIds: true } });
      router.attach(server);
      return client;
    };
    const session = await connect({ realm: 'home', url: 'rs://hub:8081', transportFactory: factory, liveness: false, auth: { method: 'cryptosign', authid: 'porch', privateKey: pair.privatePem } });
    expect(session.session?.authid).toBe('porch');
    await session.close();
    router.close();
  });
});

function rsaPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
