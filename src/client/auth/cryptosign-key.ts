import { fromBase64 } from '../../protocol/serializers/base64.js';

/**
 * The Ed25519 private key formats cryptosign takes, the same as `switchyard --key FILE` reads:
 * a PKCS#8 PEM (what `switchyard keygen`, node:crypto and `openssl genpkey -algorithm ed25519`
 * write) or the 32-byte seed as 64 hex characters (a 128-hex NaCl secret key, seed ‖ public key,
 * works too). Browser-safe: no node:crypto. Messages never quote the key.
 */

/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
export const PKCS8_ED25519_PREFIX: readonly number[] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
/** The 32-byte seed as 64 hex characters, or a 64-byte NaCl secret key (seed ‖ public key) as 128. */
export const SEED_HEX = /^(?:[0-9a-fA-F]{64}){1,2}$/;
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

export const KEY_FORMATS = 'an Ed25519 private key as PKCS#8 PEM (switchyard keygen) or a 32-byte seed as 64 hex characters';

/**
 * The 32-byte seed (64 lowercase hex characters) of a cryptosign private key given as PEM text
 * or hex. Throws TypeError saying what is wrong with it.
 */
export function cryptosignSeedHex(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`cryptosign privateKey must be a string: ${KEY_FORMATS}`);
  const text = key.trim();
  if (text.includes('-----BEGIN')) return seedFromPem(text);
  if (!SEED_HEX.test(text)) {
    throw new TypeError(`cryptosign privateKey is not ${KEY_FORMATS} (to use a key file in Node: readPrivateKeyFile(path))`);
  }
  return text.slice(0, 64).toLowerCase();
}

function seedFromPem(text: string): string {
  const match = PEM.exec(text);
  const label = match?.[1];
  if (match === null || label === undefined) throw new TypeError('cryptosign privateKey: malformed PEM (no matching END line)');
  if (label === 'ENCRYPTED PRIVATE KEY') throw new TypeError('cryptosign privateKey: encrypted keys are not supported');
  if (label === 'OPENSSH PRIVATE KEY') {
    throw new TypeError('cryptosign privateKey: OpenSSH keys are not supported; use switchyard keygen or openssl genpkey -algorithm ed25519');
  }
  if (label !== 'PRIVATE KEY') throw new TypeError(`cryptosign privateKey: a PEM "${label}" is not a PKCS#8 private key`);
  let der: Uint8Array;
  try {
    der = fromBase64((match[2] ?? '').replace(/\s+/g, ''));
  } catch {
    throw new TypeError('cryptosign privateKey: the PEM body is not valid base64');
  }
  const start = PKCS8_ED25519_PREFIX.length;
  if (!isEd25519Pkcs8(der) || der.length < start + 32) {
    throw new TypeError('cryptosign privateKey: the PEM holds a key that is not Ed25519; cryptosign needs Ed25519');
  }
  return toHex(der.subarray(start, start + 32));
}

/**
 * Whether DER is a PKCS#8 Ed25519 key. The outer length (byte 1) and version (byte 4, 0 or 1)
 * vary when the optional public key is included (RFC 8410 §7); the rest is fixed.
 */
function isEd25519Pkcs8(der: Uint8Array): boolean {
  if (der.length < PKCS8_ED25519_PREFIX.length) return false;
  return PKCS8_ED25519_PREFIX.every((byte, index) => index === 1 || (index === 4 ? der[4]! <= 1 : der[index] === byte));
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
