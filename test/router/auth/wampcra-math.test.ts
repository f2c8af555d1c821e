import { createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { craSignatureBytes, deriveCraKey, signCraChallenge } from '../../../src/router/auth/wampcra-math.js';

// Vectors computed with Autobahn|Python 22.7.1: auth.derive_key('secret123', 'salt123', 1000, 32)
// and auth.compute_wcs(key, '{"nonce":"abc"}').
const DERIVED = 'Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=';

describe('wampcra-math', () => {
  it('derives the salted key as Autobahn|Python does', () => {
    expect(deriveCraKey('secret123', 'salt123', 1000, 32)).toBe(DERIVED);
  });

  it('signs a challenge as Autobahn|Python does, with a plain or a derived key', () => {
    expect(signCraChallenge('secret123', '{"nonce":"abc"}')).toBe('lYIB7ZG/9J/87flwH78c09VppbgU99xcrOLMMilJsrw=');
    expect(signCraChallenge(DERIVED, '{"nonce":"abc"}')).toBe('8xAPKbPsxfCFKz6H1roFoJf8DBlJFWc2j8HYr3YUB+Y=');
  });

  it('follows the formula: key = base64(PBKDF2-SHA256), signature = base64(HMAC-SHA256(ascii(key), challenge))', () => {
    const key = pbkdf2Sync('pässword', 'NaCl', 10, 16, 'sha256').toString('base64');
    expect(deriveCraKey('pässword', 'NaCl', 10, 16)).toBe(key);
    const expected = createHmac('sha256', Buffer.from(key, 'ascii')).update('{"x":"ü"}').digest();
    expect(craSignatureBytes(key, '{"x":"ü"}').equals(expected)).toBe(true);
    expect(signCraChallenge(key, '{"x":"ü"}')).toBe(expected.toString('base64'));
  });
});
