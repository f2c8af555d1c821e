import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptosignAuthenticator } from '../../../src/client/auth/cryptosign.js';
import { AuthenticationError } from '../../../src/client/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { AbortMessage } from '../../../src/protocol/messages.js';
import { linkedPair } from '../../../src/transport/local.js';
import { Session } from '../../../src/client/session.js';
import { ScriptedRouter, startRouterFixture, type RouterFixture } from '../fixtures.js';
import { AUTH_REALMS, PORCH_PUBKEY, PORCH_SEED, STRANGER_SEED } from './auth-realm.js';

// advanced/authentication_cryptosign.md, first test vector (no channel binding).
const CHALLENGE = 'ff'.repeat(32);
const SIGNATURE =
  'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03' +
  CHALLENGE;

describe('cryptosign', () => {
  let fixture: RouterFixture;
  beforeAll(async () => {
    fixture = await startRouterFixture({ realms: AUTH_REALMS });
  });
  afterAll(() => fixture.close());

  it('announces the public key of the seed and signs the spec test vector', async () => {
    const auth = await cryptosignAuthenticator(PORCH_SEED, 'porch');
    expect(auth).toMatchObject({ method: 'cryptosign', authid: 'porch', authextra: { pubkey: PORCH_PUBKEY } });
    expect(await auth.answer({ challenge: CHALLENGE, channel_binding: null })).toBe(SIGNATURE);
  });

  it('accepts a 64-byte NaCl secret key (seed ‖ public key)', async () => {
    const auth = await cryptosignAuthenticator(PORCH_SEED + PORCH_PUBKEY);
    expect(auth.authextra['pubkey']).toBe(PORCH_PUBKEY);
  });

  it('refuses a key that is not 32 bytes of hex, and challenges it cannot answer', async () => {
    await expect(cryptosignAuthenticator('abcd')).rejects.toBeInstanceOf(TypeError);
    const auth = await cryptosignAuthenticator(PORCH_SEED);
    await expect(auth.answer({ challenge: 'zz' })).rejects.toThrow('32 bytes');
    await expect(auth.answer({ challenge: CHALLENGE, channel_binding: 'tls-unique' })).rejects.toThrow('channel binding');
  });

  it('joins with the configured key', async () => {
    const session = await fixture.join({ auth: { method: 'cryptosign', authid: 'porch', privateKey: PORCH_SEED } });
    expect(session.authid).toBe('porch');
    expect(session.authrole).toBe('device');
  });

  it('joins without an authid when the router knows the key', async () => {
    const session = await fixture.join({ auth: { method: 'cryptosign', privateKey: PORCH_SEED } });
    expect(session.authid).toBe('porch');
  });

  it('is refused with AuthenticationError for an unknown key', async () => {
    const error = await fixture
      .join({ auth: { method: 'cryptosign', authid: 'porch', privateKey: STRANGER_SEED } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).uri).toBe('wamp.error.authentication_failed');
  });

  it('aborts with authentication_failed when the router asks for another method', async () => {
    const [client, server] = linkedPair();
    const router = new ScriptedRouter(server);
    const joining = Session.join(client, { realm: 'home', auth: { method: 'cryptosign', privateKey: PORCH_SEED } });
    const hello = await router.receive();
    expect(hello[2]).toMatchObject({ authmethods: ['cryptosign'], authextra: { pubkey: PORCH_PUBKEY } });
    router.send([MessageType.CHALLENGE, 'ticket', {}]);
    const error = await joining.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).byPeer).toBe(false);
    const abort = await router.expect<AbortMessage>(MessageType.ABORT);
    expect(abort[2]).toBe('wamp.error.authentication_failed');
  });
});
