import type { Dict } from '../../protocol/messages.js';
import { toBase64 } from '../../protocol/serializers/base64.js';
import type { ClientAuthenticator } from './authenticator.js';

/** Autobahn's and Wampy's defaults when a salted CHALLENGE omits them. */
const DEFAULT_ITERATIONS = 1000;
const DEFAULT_KEYLEN = 32;

const encoder = new TextEncoder();

/**
 * `wampcra` (advanced/authentication_cra.md): the router sends `{challenge: <JSON string>}`, plus
 * `salt`, `iterations` and `keylen` when the secret is salted; the answer is
 * base64(HMAC-SHA256(key, challenge)) where key is the secret, or the ASCII of
 * base64(PBKDF2-SHA256(secret, salt, iterations, keylen)). WebCrypto only (browser-safe); the
 * same formulas as src/router/auth/wampcra-math.ts and Autobahn's derive_key/compute_wcs.
 */
export function wampCraAuthenticator(authid: string, secret: string): ClientAuthenticator {
  if (typeof secret !== 'string' || secret === '') throw new TypeError('wampcra authentication needs a secret');
  return {
    method: 'wampcra',
    authid,
    authextra: {},
    answer: (extra) => answerCraChallenge(secret, extra),
  };
}

export async function answerCraChallenge(secret: string, extra: Dict): Promise<string> {
  const challenge = extra['challenge'];
  if (typeof challenge !== 'string') throw new Error('wampcra CHALLENGE.Extra.challenge must be a string');
  const salt = extra['salt'];
  if (salt === undefined || salt === null) return signCraChallenge(secret, challenge);
  const iterations = extra['iterations'] ?? DEFAULT_ITERATIONS;
  const keylen = extra['keylen'] ?? DEFAULT_KEYLEN;
  if (typeof salt !== 'string' || !isPositiveInteger(iterations) || !isPositiveInteger(keylen)) {
    throw new Error('wampcra CHALLENGE has invalid salt, iterations or keylen');
  }
  return signCraChallenge(await deriveCraKey(secret, salt, iterations, keylen), challenge);
}

/** base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen)): the salted secret. */
export async function deriveCraKey(secret: string, salt: string, iterations: number, keylen: number): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const base = await subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: encoder.encode(salt), iterations },
    base,
    keylen * 8,
  );
  return toBase64(new Uint8Array(bits));
}

/** base64(HMAC-SHA256(UTF-8 of key, UTF-8 of challenge)). */
export async function signCraChallenge(key: string, challenge: string): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const hmacKey = await subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = await subtle.sign('HMAC', hmacKey, encoder.encode(challenge));
  return toBase64(new Uint8Array(signature));
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
