import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challenge, failure } from './auth-test-helpers.js';
import { WampError } from '../../../src/protocol/errors.js';
import { AuthConfigError, type RealmAuthConfig } from '../../../src/router/auth/auth-config.js';
import type { AuthRequest, AuthStep, ChallengeStep } from '../../../src/router/auth/authenticator.js';
import { createRealmAuthenticators } from '../../../src/router/auth/realm-authenticators.js';

const device = generateKeyPairSync('ed25519');
const DEVICE_PUBKEY = Buffer.from(device.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');

const CONFIG: RealmAuthConfig = {
  anonymous: { role: 'guest' },
  users: [
    { authid: 'alice', method: 'ticket', ticket: 'alice-ticket', role: 'operator' },
    { authid: 'carol', method: 'wampcra', secret: 'carol-secret', role: 'admin' },
    { authid: 'dave', method: 'ticket', ticket: 'dave-ticket', role: 'user' },
    { authid: 'dave', method: 'wampcra', secret: 'dave-secret', role: 'user' },
    { authid: 'porch', method: 'cryptosign', pubkey: DEVICE_PUBKEY, role: 'device' },
  ],
};
const realm = createRealmAuthenticators(CONFIG);
const closed = createRealmAuthenticators({ users: CONFIG.users });

function request(authmethods: string[], authid?: string, authextra: Record<string, unknown> = {}): AuthRequest {
  return { realm: 'realm1', sessionId: 11, authid, authmethods, authextra };
}

describe('createRealmAuthenticators', () => {
  it("takes the first of the client's methods that is configured for the authid", () => {
    expect(realm.select(request(['wampcra', 'ticket'], 'alice')).method).toBe('ticket');
    expect(realm.select(request(['ticket', 'wampcra'], 'dave')).method).toBe('ticket');
    expect(realm.select(request(['wampcra', 'ticket'], 'dave')).method).toBe('wampcra');
    expect(realm.select(request(['ticket', 'cryptosign'], 'porch', { pubkey: DEVICE_PUBKEY })).method).toBe('cryptosign');
  });

  it('skips methods it does not implement or that the realm does not use', () => {
    expect(realm.select(request(['scram', 'cookie', 'ticket'], 'alice')).method).toBe('ticket');
    const ticketOnly = createRealmAuthenticators({ users: [{ authid: 'a', method: 'ticket', ticket: 't', role: 'r' }] });
    expect(ticketOnly.select(request(['wampcra', 'ticket'], 'a')).method).toBe('ticket');
    expect(failure(() => ticketOnly.select(request(['wampcra'], 'someone'))).uri).toBe('wamp.error.no_matching_auth_method');
  });

  it('falls through to anonymous when the authid has no offered method', () => {
    const chosen = realm.select(request(['ticket', 'anonymous'], 'carol'));
    expect(chosen.method).toBe('anonymous');
    expect(chosen.start(request(['ticket', 'anonymous'], 'carol'))).toMatchObject({
      kind: 'welcome',
      identity: { authrole: 'guest', authmethod: 'anonymous', authprovider: 'anonymous' },
    });
  });

  it('skips ticket and wampcra without an authid, and cryptosign without a pubkey or with channel binding', () => {
    expect(realm.select(request(['ticket', 'wampcra', 'anonymous'])).method).toBe('anonymous');
    expect(realm.select(request(['cryptosign', 'anonymous'], 'porch')).method).toBe('anonymous');
    const bound = request(['cryptosign', 'anonymous'], 'porch', { pubkey: DEVICE_PUBKEY, channel_binding: 'tls-unique' });
    expect(realm.select(bound).method).toBe('anonymous');
  });

  it('treats a HELLO without authmethods as anonymous', () => {
    expect(realm.select(request([])).method).toBe('anonymous');
    expect(failure(() => closed.select(request([]))).uri).toBe('wamp.error.no_matching_auth_method');
  });

  it('refuses anonymous when the realm does not configure it', () => {
    const err = failure(() => closed.select(request(['anonymous'])));
    expect(err.uri).toBe('wamp.error.no_matching_auth_method');
    expect(failure(() => closed.select(request(['ticket', 'anonymous']))).uri).toBe('wamp.error.no_matching_auth_method');
  });

  it('challenges an unknown authid and fails it only after the round', () => {
    for (const method of ['ticket', 'wampcra']) {
      const req = request([method, 'anonymous'], 'mallory');
      const chosen = realm.select(req);
      expect(chosen.method).toBe(method);
      const step = challenge(chosen.start(req));
      expect(failure(() => step.verify('alice-ticket', {})).uri).toBe('wamp.error.authentication_failed');
    }
    const stranger = generateKeyPairSync('ed25519');
    const pubkey = Buffer.from(stranger.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
    const req = request(['cryptosign'], undefined, { pubkey });
    const step = challenge(realm.select(req).start(req));
    const message = Buffer.from(step.extra['challenge'] as string, 'hex');
    const answer = Buffer.concat([sign(null, message, stranger.privateKey), message]).toString('hex');
    expect(failure(() => step.verify(answer, {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('authenticates each configured method end to end', () => {
    const ticketReq = request(['ticket'], 'alice');
    const ticket = challenge(realm.select(ticketReq).start(ticketReq));
    expect(ticket.verify('alice-ticket', {})).toMatchObject({ authid: 'alice', authrole: 'operator', authprovider: 'static' });

    const craReq = request(['wampcra'], 'carol');
    const cra = challenge(realm.select(craReq).start(craReq));
    const text = cra.extra['challenge'] as string;
    expect(JSON.parse(text)).toMatchObject({ session: 11, authrole: 'admin' });
    const craSig = createHmac('sha256', 'carol-secret').update(text).digest('base64');
    expect(cra.verify(craSig, {})).toMatchObject({ authid: 'carol', authmethod: 'wampcra' });

    const csReq = request(['cryptosign'], undefined, { pubkey: DEVICE_PUBKEY });
    const cs = challenge(realm.select(csReq).start(csReq));
    const message = Buffer.from(cs.extra['challenge'] as string, 'hex');
    const csSig = Buffer.concat([sign(null, message, device.privateKey), message]).toString('hex');
    expect(cs.verify(csSig, {})).toMatchObject({ authid: 'porch', authrole: 'device', authmethod: 'cryptosign' });
  });

  it('rejects an invalid configuration', () => {
    const bad = { users: [{ authid: 'x', method: 'cryptosign', pubkey: 'nothex', role: 'r' }] } as RealmAuthConfig;
    expect(() => createRealmAuthenticators(bad)).toThrow(AuthConfigError);
  });
});
