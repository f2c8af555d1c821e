import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerCraChallenge, deriveCraKey, signCraChallenge } from '../../../src/client/auth/wampcra.js';
import { AuthenticationError } from '../../../src/client/errors.js';
import { startRouterFixture, type RouterFixture } from '../fixtures.js';
import { AUTH_REALMS } from './auth-realm.js';

// Vectors computed with Autobahn|Python 22.7.1 (the same as test/router/auth/wampcra-math.test.ts):
// auth.derive_key('secret123', 'salt123', 1000, 32) and auth.compute_wcs(key, '{"nonce":"abc"}').
const DERIVED = 'Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=';

describe('wampcra', () => {
  let fixture: RouterFixture;
  beforeAll(async () => {
    fixture = await startRouterFixture({ realms: AUTH_REALMS });
  });
  afterAll(() => fixture.close());

  it('derives the salted key as Autobahn|Python does', async () => {
    expect(await deriveCraKey('secret123', 'salt123', 1000, 32)).toBe(DERIVED);
  });

  it('signs a challenge as Autobahn|Python does, with a plain or a derived key', async () => {
    expect(await signCraChallenge('secret123', '{"nonce":"abc"}')).toBe('lYIB7ZG/9J/87flwH78c09VppbgU99xcrOLMMilJsrw=');
    expect(await signCraChallenge(DERIVED, '{"nonce":"abc"}')).toBe('8xAPKbPsxfCFKz6H1roFoJf8DBlJFWc2j8HYr3YUB+Y=');
  });

  it('salts when the challenge carries salt, iterations and keylen', async () => {
    const extra = { challenge: '{"nonce":"abc"}', salt: 'salt123', iterations: 1000, keylen: 32 };
    expect(await answerCraChallenge('secret123', extra)).toBe('8xAPKbPsxfCFKz6H1roFoJf8DBlJFWc2j8HYr3YUB+Y=');
    // Autobahn's defaults when iterations/keylen are omitted.
    expect(await answerCraChallenge('secret123', { challenge: '{"nonce":"abc"}', salt: 'salt123' })).toBe(
      '8xAPKbPsxfCFKz6H1roFoJf8DBlJFWc2j8HYr3YUB+Y=',
    );
  });

  it('refuses a challenge without a challenge string', async () => {
    await expect(answerCraChallenge('secret123', {})).rejects.toThrow('challenge');
  });

  it('joins with a plain secret', async () => {
    const session = await fixture.join({ auth: { method: 'wampcra', authid: 'bob', secret: 'prq7+YkJ1/KlW1X0YczMHw==' } });
    expect(session.authid).toBe('bob');
    expect(session.details['authmethod']).toBe('wampcra');
  });

  it('joins with a salted secret', async () => {
    const session = await fixture.join({ auth: { method: 'wampcra', authid: 'carol', secret: 'carol-password' } });
    expect(session.authid).toBe('carol');
  });

  it('is refused with AuthenticationError for a wrong secret', async () => {
    for (const auth of [
      { method: 'wampcra', authid: 'bob', secret: 'prq7+YkJ1/KlW1X0YczMHx==' },
      { method: 'wampcra', authid: 'carol', secret: 'carol-passw0rd' },
    ] as const) {
      const error = await fixture.join({ auth }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).uri).toBe('wamp.error.authentication_failed');
    }
  });
});
