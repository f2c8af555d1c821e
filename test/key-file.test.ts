import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  KeyFileError,
  KeyFileExistsError,
  publicKeyHexFromSeed,
  readPrivateKeyFile,
  writePrivateKeyFile,
} from '../src/key-file.js';

/** RFC 8032 §7.1 test 1. */
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-key-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

describe('key-file', () => {
  it('generates a PKCS#8 PEM whose public key is the printed one', () => {
    const pair = generateKeyPair();
    expect(pair.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
    expect(pair.publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
    const x = createPublicKey(createPrivateKey(pair.privatePem)).export({ format: 'jwk' }).x!;
    expect(Buffer.from(x, 'base64url').toString('hex')).toBe(pair.publicKeyHex);
    expect(generateKeyPair().publicKeyHex).not.toBe(pair.publicKeyHex);
  });

  it('derives the RFC 8032 public key from its seed', () => {
    expect(publicKeyHexFromSeed(RFC_SEED)).toBe(RFC_PUBLIC);
  });

  it('reads the seed of a PEM key file', () => {
    const pair = generateKeyPair();
    const key = readPrivateKeyFile(write('k.pem', pair.privatePem));
    expect(key.seedHex).toMatch(/^[0-9a-f]{64}$/);
    expect(key.publicKeyHex).toBe(pair.publicKeyHex);
    expect(key.looseMode).toBeUndefined();
  });

  it('reads a key file holding the seed, or a NaCl secret key, as hex', () => {
    expect(readPrivateKeyFile(write('seed', `${RFC_SEED.toUpperCase()}\n`))).toEqual({ seedHex: RFC_SEED, publicKeyHex: RFC_PUBLIC });
    expect(readPrivateKeyFile(write('nacl', RFC_SEED + RFC_PUBLIC)).seedHex).toBe(RFC_SEED);
  });

  it('reports a key file that group or others may read', () => {
    expect(readPrivateKeyFile(write('loose', RFC_SEED, 0o644)).looseMode).toBe('mode 0644');
    expect(readPrivateKeyFile(write('group', RFC_SEED, 0o640)).looseMode).toBe('mode 0640');
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.key'), 'cannot read: no such file or directory'],
    ['a short hex seed', () => write('short', 'abcd'), 'expected an Ed25519 private key as PKCS#8 PEM or a 32-byte seed as 64 hex characters'],
    [
      'an RSA key',
      () => write('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
      'holds a rsa key; cryptosign needs Ed25519',
    ],
    ['a broken PEM', () => write('broken.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'not a PEM private key'],
    [
      'an encrypted PEM',
      () =>
        write(
          'enc.pem',
          generateKeyPairSync('ed25519')
            .privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' })
            .toString(),
        ),
      'encrypted keys are not supported',
    ],
  ])('rejects %s with a message that names the file', (_what, make, problem) => {
    const file = make();
    expect(() => readPrivateKeyFile(file)).toThrow(new KeyFileError(file, problem));
  });

  it('never quotes the file content in an error', () => {
    const secret = `${RFC_SEED}zz`;
    const file = write('bad', secret);
    try {
      readPrivateKeyFile(file);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(RFC_SEED);
    }
  });

  it('creates the key file with mode 0600', () => {
    const file = join(dir, 'new.key');
    const previous = process.umask(0);
    try {
      writePrivateKeyFile(file, 'PEM');
    } finally {
      process.umask(previous);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('PEM');
  });

  it('refuses to overwrite a file unless forced, and a forced write does not keep the old mode', () => {
    const file = write('old.key', 'OLD', 0o644);
    expect(() => writePrivateKeyFile(file, 'NEW')).toThrow(KeyFileExistsError);
    expect(readFileSync(file, 'utf8')).toBe('OLD');
    writePrivateKeyFile(file, 'NEW', { force: true });
    expect(readFileSync(file, 'utf8')).toBe('NEW');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['old.key']);
  });

  it('reports a directory it cannot write to', () => {
    const file = join(dir, 'missing-dir', 'k.key');
    expect(() => writePrivateKeyFile(file, 'PEM')).toThrow(new KeyFileError(file, 'cannot write: no such file or directory'));
  });
});
