import type { Dict } from '../../protocol/messages.js';
import { fromBase64 } from '../../protocol/serializers/base64.js';
import type { ClientAuthenticator } from './authenticator.js';
import { cryptosignSeedHex, PKCS8_ED25519_PREFIX, toHex } from './cryptosign-key.js';

const ED25519 = { name: 'Ed25519' } as const;
const CHALLENGE_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * `cryptosign` (advanced/authentication_cryptosign.md) without channel binding: HELLO carries
 * `authextra.pubkey` (hex of the 32-byte Ed25519 public key); the router sends 32 random bytes
 * as hex and the answer is hex(signature64 ‖ challenge32). Keys go through WebCrypto only
 * (Node 20 and current browsers support Ed25519 there).
 *
 * `privateKey` is a PKCS#8 PEM or the 32-byte seed as hex (cryptosign-key.ts); a 64-byte NaCl
 * secret key (seed ‖ public key) is accepted too, and its first half used.
 */
export async function cryptosignAuthenticator(privateKey: string, authid?: string): Promise<ClientAuthenticator> {
  const seedHex = cryptosignSeedHex(privateKey);
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(fromHex(seedHex), PKCS8_ED25519_PREFIX.length);
  const subtle = globalThis.crypto.subtle;
  // Extractable only to read the public half (JWK `x`); the key never leaves this closure.
  const key = await subtle.importKey('pkcs8', der, ED25519, true, ['sign']);
  const jwk = await subtle.exportKey('jwk', key);
  if (typeof jwk.x !== 'string') throw new Error('WebCrypto did not return the Ed25519 public key');
  const pubkey = toHex(fromBase64(jwk.x.replace(/-/g, '+').replace(/_/g, '/')));
  return {
    method: 'cryptosign',
    authid,
    authextra: { pubkey },
    answer: (extra) => signCryptosignChallenge(key, extra),
  };
}

/** hex(Ed25519 signature ‖ challenge) for CHALLENGE.Extra `{challenge: hex32, channel_binding: null}`. */
export async function signCryptosignChallenge(key: CryptoKey, extra: Dict): Promise<string> {
  const binding = extra['channel_binding'];
  if (binding !== undefined && binding !== null) {
    throw new Error(`cryptosign channel binding ${JSON.stringify(binding)} is not supported`);
  }
  const challenge = extra['challenge'];
  if (typeof challenge !== 'string' || !CHALLENGE_HEX.test(challenge)) {
    throw new Error('cryptosign CHALLENGE.Extra.challenge must be 32 bytes as hex');
  }
  const message = fromHex(challenge);
  const signature = new Uint8Array(await globalThis.crypto.subtle.sign(ED25519, key, message));
  return toHex(signature) + challenge.toLowerCase();
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
