import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challenge, failure } from './auth-test-helpers.js';
import { WampError } from '../../../src/protocol/errors.js';
import type { AuthRequest, AuthStep, ChallengeStep } from '../../../src/router/auth/authenticator.js';
import { CryptosignAuthenticator, ed25519PublicKeyFromHex } from '../../../src/router/auth/cryptosign.js';

function request(authextra: Record<string, unknown>, authid?: string): AuthRequest {
  return { realm: 'realm1', sessionId: 5, authid, authmethods: ['cryptosign'], authextra };
}

function keyPair(): { privateKey: KeyObject; pubkey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, pubkey: Buffer.from(jwk.x!, 'base64url').toString('hex') };
}

/** The client's answer as the spec defines it: hex(signature64 ‖ challenge32). */
function answer(privateKey: KeyObject, step: ChallengeStep, form: 96 | 64 = 96): string {
  const message = Buffer.from(step.extra['challenge'] as string, 'hex');
  const signature = sign(null, message, privateKey);
  return (form === 96 ? Buffer.concat([signature, message]) : signature).toString('hex');
}

// Spec test vectors without channel binding (advanced/authentication_cryptosign.md). Public keys
// derived from the private seeds with PyNaCl.
const VECTORS = [
  {
    pubkey: '1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d',
    challenge: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature:
      'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  },
  {
    pubkey: '6ed32739ff04a6074044ff0b0e3bfc7c856bc9d5f1d25efc57363bda0af3a8b0',
    challenge: 'b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
    signature:
      'd4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
  },
  {
    pubkey: '28e11f427b82b9a625ee7ac89a7d29326b505f2dc11dd88c1245f83b6da79a85',
    challenge: 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
    signature:
      '7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
  },
];

describe('CryptosignAuthenticator', () => {
  const alice = keyPair();
  const bob = keyPair();
  const auth = new CryptosignAuthenticator([
    { authid: 'alice', method: 'cryptosign', pubkey: alice.pubkey, role: 'device' },
    { authid: 'bob', method: 'cryptosign', pubkey: bob.pubkey.toUpperCase(), role: 'viewer' },
  ]);

  it('challenges with 32 random bytes in hex and no channel binding', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    expect(step.method).toBe('cryptosign');
    expect(step.extra).toEqual({ challenge: expect.stringMatching(/^[0-9a-f]{64}$/), channel_binding: null });
    const again = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    expect(again.extra['challenge']).not.toBe(step.extra['challenge']);
  });

  it('welcomes a client that signs the challenge with the configured key', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    expect(step.verify(answer(alice.privateKey, step), {})).toEqual({
      authid: 'alice',
      authrole: 'device',
      authmethod: 'cryptosign',
      authprovider: 'static',
    });
  });

  it('accepts the bare 64-byte signature as well', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    expect(step.verify(answer(alice.privateKey, step, 64), {}).authid).toBe('alice');
  });

  it('finds the user by public key when HELLO has no authid, in any hex case', () => {
    const step = challenge(auth.start(request({ pubkey: bob.pubkey.toUpperCase() })));
    expect(step.verify(answer(bob.privateKey, step), {})).toMatchObject({ authid: 'bob', authrole: 'viewer' });
    const lower = challenge(auth.start(request({ pubkey: bob.pubkey }, 'bob')));
    expect(lower.verify(answer(bob.privateKey, lower), {}).authid).toBe('bob');
  });

  it('fails a signature made with another key', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    expect(failure(() => step.verify(answer(bob.privateKey, step), {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('fails when the echoed message is not the challenge, even with a valid signature', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    const good = answer(alice.privateKey, step);
    const tamperedEcho = good.slice(0, 190) + (good.slice(190) === '00' ? '01' : '00');
    expect(failure(() => step.verify(tamperedEcho, {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('fails a signature over other bytes, even when it echoes the challenge', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    const message = Buffer.from(step.extra['challenge'] as string, 'hex');
    const otherMessage = Buffer.from(message.map((b) => b ^ 1));
    const signatureOfOther = sign(null, otherMessage, alice.privateKey);
    const spliced = Buffer.concat([signatureOfOther, message]).toString('hex');
    expect(failure(() => step.verify(spliced, {})).uri).toBe('wamp.error.authentication_failed');
    const bare = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    expect(failure(() => bare.verify(signatureOfOther.toString('hex'), {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('fails malformed signatures', () => {
    for (const bad of ['', 'zz'.repeat(96), 'ab'.repeat(80), 'ab'.repeat(97)]) {
      const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
      expect(failure(() => step.verify(bad, {})).uri).toBe('wamp.error.authentication_failed');
    }
  });

  it("challenges, then fails, a pubkey that is unknown or not the authid's", () => {
    const stranger = keyPair();
    const cases = [
      request({ pubkey: stranger.pubkey }),
      request({ pubkey: stranger.pubkey }, 'alice'),
      request({ pubkey: bob.pubkey }, 'alice'),
      request({ pubkey: alice.pubkey }, 'nobody'),
    ];
    for (const req of cases) {
      const step = challenge(auth.start(req));
      expect(step.extra).toEqual({ challenge: expect.stringMatching(/^[0-9a-f]{64}$/), channel_binding: null });
      const signer = req.authextra['pubkey'] === bob.pubkey ? bob : req.authextra['pubkey'] === alice.pubkey ? alice : stranger;
      expect(failure(() => step.verify(answer(signer.privateKey, step), {})).uri).toBe('wamp.error.authentication_failed');
    }
  });

  it('refuses to start without a well-formed authextra.pubkey or with channel binding', () => {
    expect(failure(() => auth.start(request({}, 'alice'))).uri).toBe('wamp.error.invalid_argument');
    expect(failure(() => auth.start(request({ pubkey: 'abc' }, 'alice'))).uri).toBe('wamp.error.invalid_argument');
    const bound = failure(() => auth.start(request({ pubkey: alice.pubkey, channel_binding: 'tls-unique' }, 'alice')));
    expect(bound.uri).toBe('wamp.error.authentication_failed');
  });

  it('accepts one answer per challenge', () => {
    const step = challenge(auth.start(request({ pubkey: alice.pubkey }, 'alice')));
    const good = answer(alice.privateKey, step);
    failure(() => step.verify('00'.repeat(96), {}));
    expect(failure(() => step.verify(good, {})).uri).toBe('wamp.error.authentication_failed');
  });

  describe('spec test vectors', () => {
    for (const [index, vector] of VECTORS.entries()) {
      it(`verifies test_vectors_1[${index}]`, () => {
        const fixed = new CryptosignAuthenticator([{ authid: 'v', method: 'cryptosign', pubkey: vector.pubkey, role: 'r' }], {
          challengeBytes: () => Buffer.from(vector.challenge, 'hex'),
        });
        const step = challenge(fixed.start(request({ pubkey: vector.pubkey })));
        expect(step.extra['challenge']).toBe(vector.challenge);
        expect(step.verify(vector.signature, {}).authid).toBe('v');
      });
    }

    it('derives the same public key from the first seed with node:crypto', () => {
      const seed = Buffer.from('4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510', 'hex');
      const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
      const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      const signature = sign(null, Buffer.from(VECTORS[0]!.challenge, 'hex'), privateKey).toString('hex');
      expect(signature).toBe(VECTORS[0]!.signature.slice(0, 128));
      const fromHex = ed25519PublicKeyFromHex(VECTORS[0]!.pubkey).export({ format: 'jwk' });
      expect(Buffer.from(fromHex.x!, 'base64url').toString('hex')).toBe(VECTORS[0]!.pubkey);
    });

    it('fails a vector signature against a challenge it was not made for', () => {
      const fixed = new CryptosignAuthenticator([{ authid: 'v', method: 'cryptosign', pubkey: VECTORS[1]!.pubkey, role: 'r' }], {
        challengeBytes: () => Buffer.from(VECTORS[2]!.challenge, 'hex'),
      });
      const step = challenge(fixed.start(request({ pubkey: VECTORS[1]!.pubkey })));
      expect(failure(() => step.verify(VECTORS[1]!.signature.slice(0, 128), {})).uri).toBe('wamp.error.authentication_failed');
    });
  });
});

describe('ed25519PublicKeyFromHex', () => {
  it('rejects anything but 64 hex characters', () => {
    expect(() => ed25519PublicKeyFromHex('12')).toThrow(TypeError);
    expect(() => ed25519PublicKeyFromHex('g'.repeat(64))).toThrow(TypeError);
  });
});
