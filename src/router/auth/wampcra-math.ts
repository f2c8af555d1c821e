import { createHmac, pbkdf2Sync } from 'node:crypto';

/**
 * The WAMP-CRA formulas (advanced/authentication_cra.md), the same on both sides of the wire.
 * Pure functions of their inputs; they match Autobahn|Python `auth.derive_key`/`compute_wcs`
 * and Autobahn|JS `auth_cra.derive_key`/`sign`.
 */

/**
 * The salted-password key: base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen)). The
 * ASCII of the returned string, not the raw PBKDF2 bytes, is the HMAC key for signing.
 */
export function deriveCraKey(secret: string, salt: string, iterations: number, keylen: number): string {
  return pbkdf2Sync(Buffer.from(secret, 'utf8'), Buffer.from(salt, 'utf8'), iterations, keylen, 'sha256').toString(
    'base64',
  );
}

/** The raw signature bytes: HMAC-SHA256 keyed with the UTF-8 of `key` over the challenge string. */
export function craSignatureBytes(key: string, challenge: string): Buffer {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(challenge, 'utf8').digest();
}

/** The AUTHENTICATE signature: base64(HMAC-SHA256(key, challenge)). */
export function signCraChallenge(key: string, challenge: string): string {
  return craSignatureBytes(key, challenge).toString('base64');
}
