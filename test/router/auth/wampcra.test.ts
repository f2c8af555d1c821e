import { createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challenge, failure } from './auth-test-helpers.js';
import { WampError } from '../../../src/protocol/errors.js';
import type { AuthRequest, AuthStep, ChallengeStep } from '../../../src/router/auth/authenticator.js';
import { WampCraAuthenticator } from '../../../src/router/auth/wampcra.js';

const NOW = Date.parse('2024-05-06T07:08:09.123Z');
const auth = new WampCraAuthenticator(
  [
    { authid: 'peter', method: 'wampcra', secret: 'peter-secret', role: 'user' },
    { authid: 'salty', method: 'wampcra', secret: 'pw', role: 'admin', salt: 'salt123', iterations: 100, keylen: 16 },
    { authid: 'dflt', method: 'wampcra', secret: 'pw2', role: 'admin', salt: 'pepper' },
  ],
  { now: () => NOW },
);

function request(authid: string, sessionId = 3251278072152162): AuthRequest {
  return { realm: 'realm1', sessionId, authid, authmethods: ['wampcra'], authextra: {} };
}

/** The client side, written out from the spec rather than with the module's helpers. */
function sign(key: string, text: string): string {
  return createHmac('sha256', Buffer.from(key, 'ascii')).update(text, 'utf8').digest('base64');
}

function challengeText(step: ChallengeStep): string {
  const text = step.extra['challenge'];
  if (typeof text !== 'string') throw new Error('challenge must be a string');
  return text;
}

describe('WampCraAuthenticator', () => {
  it('challenges with a JSON string naming the identity, a nonce, the timestamp and the session', () => {
    const step = challenge(auth.start(request('peter', 99)));
    expect(step.method).toBe('wampcra');
    expect(Object.keys(step.extra)).toEqual(['challenge']);
    const body = JSON.parse(challengeText(step));
    expect(body).toEqual({
      authid: 'peter',
      authrole: 'user',
      authmethod: 'wampcra',
      authprovider: 'static',
      nonce: expect.stringMatching(/^[A-Za-z0-9+/=]{16,}$/),
      timestamp: '2024-05-06T07:08:09.123Z',
      session: 99,
    });
    const again = JSON.parse(challengeText(challenge(auth.start(request('peter', 99)))));
    expect(again.nonce).not.toBe(body.nonce);
  });

  it('welcomes a client that signs the challenge with the shared secret', () => {
    const step = challenge(auth.start(request('peter')));
    expect(step.verify(sign('peter-secret', challengeText(step)), {})).toEqual({
      authid: 'peter',
      authrole: 'user',
      authmethod: 'wampcra',
      authprovider: 'static',
    });
  });

  it('fails a signature made with the wrong secret, over another challenge, or malformed', () => {
    const other = challengeText(challenge(auth.start(request('peter'))));
    const cases = [
      (s: ChallengeStep) => sign('wrong-secret', challengeText(s)),
      () => sign('peter-secret', other),
      () => 'not base64 at all!',
      () => '',
    ];
    for (const make of cases) {
      const step = challenge(auth.start(request('peter')));
      const err = failure(() => step.verify(make(step), {}));
      expect(err.uri).toBe('wamp.error.authentication_failed');
      expect(err.message).not.toContain('peter-secret');
    }
  });

  it('announces salt, iterations and keylen for a salted user and accepts the PBKDF2-derived signature', () => {
    const step = challenge(auth.start(request('salty')));
    expect(step.extra).toMatchObject({ salt: 'salt123', iterations: 100, keylen: 16 });
    const key = pbkdf2Sync('pw', 'salt123', 100, 16, 'sha256').toString('base64');
    expect(step.verify(sign(key, challengeText(step)), {}).authrole).toBe('admin');
  });

  it('defaults a salted user to 1000 iterations and a 32-byte key', () => {
    const step = challenge(auth.start(request('dflt')));
    expect(step.extra).toMatchObject({ salt: 'pepper', iterations: 1000, keylen: 32 });
    const key = pbkdf2Sync('pw2', 'pepper', 1000, 32, 'sha256').toString('base64');
    expect(step.verify(sign(key, challengeText(step)), {}).authid).toBe('dflt');
  });

  it('fails a salted user who signs with the raw password or the raw PBKDF2 bytes', () => {
    const raw = challenge(auth.start(request('salty')));
    expect(failure(() => raw.verify(sign('pw', challengeText(raw)), {})).uri).toBe('wamp.error.authentication_failed');
    const bytes = challenge(auth.start(request('salty')));
    const derived = pbkdf2Sync('pw', 'salt123', 100, 16, 'sha256');
    const sig = createHmac('sha256', derived).update(challengeText(bytes)).digest('base64');
    expect(failure(() => bytes.verify(sig, {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('gives an unknown authid a well-formed challenge with a stable salt, then fails it at verify', () => {
    const first = challenge(auth.start(request('mallory')));
    const second = challenge(auth.start(request('mallory')));
    const other = challenge(auth.start(request('eve')));
    expect(JSON.parse(challengeText(first))).toMatchObject({ authid: 'mallory', authmethod: 'wampcra', session: 3251278072152162 });
    expect(Object.keys(first.extra).sort()).toEqual(['challenge', 'iterations', 'keylen', 'salt']);
    expect(first.extra['salt']).toBe(second.extra['salt']);
    expect(first.extra['salt']).not.toBe(other.extra['salt']);
    const err = failure(() => first.verify(sign('peter-secret', challengeText(first)), {}));
    expect(err.uri).toBe('wamp.error.authentication_failed');
    const wrong = failure(() => challenge(auth.start(request('peter'))).verify('AAAA', {}));
    expect(err.args).toEqual(wrong.args);
  });

  it('accepts one answer per challenge', () => {
    const step = challenge(auth.start(request('peter')));
    const good = sign('peter-secret', challengeText(step));
    failure(() => step.verify('AAAA', {}));
    expect(failure(() => step.verify(good, {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('leaves salt out of the decoy challenge when no user is salted', () => {
    const plain = new WampCraAuthenticator([{ authid: 'a', method: 'wampcra', secret: 's', role: 'r' }]);
    expect(Object.keys(challenge(plain.start(request('nobody'))).extra)).toEqual(['challenge']);
  });
});
