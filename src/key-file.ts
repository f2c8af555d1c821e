import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PKCS8_ED25519_PREFIX, SEED_HEX } from './client/auth/cryptosign-key.js';

/**
 * Ed25519 key files for cryptosign (the Node entry exports the reader: library users read the
 * same files as the CLI). `switchyard keygen` writes the private key as PKCS#8 PEM
 * (what node:crypto and `openssl genpkey -algorithm ed25519` produce); `--key FILE` reads that
 * or a file holding the 32-byte seed as 64 hex characters (a 128-hex NaCl secret key, seed ‖
 * public key, works too). The key material never appears in an error message.
 */

/** A key file that cannot be used: missing, unreadable, or not an Ed25519 private key. */
export class KeyFileError extends Error {
  readonly code = 'SWITCHYARD_KEY_FILE';
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'KeyFileError';
    this.file = file;
  }
}

/** The file exists and `force` was not given. */
export class KeyFileExistsError extends KeyFileError {
  constructor(file: string) {
    super(file, 'already exists (use --force to overwrite it)');
    this.name = 'KeyFileExistsError';
  }
}

export interface KeyPair {
  /** PKCS#8 PEM of the private key; goes into the key file only. */
  privatePem: string;
  /** The 32-byte public key as 64 lowercase hex characters (router config `pubkey:`). */
  publicKeyHex: string;
}

export interface PrivateKey {
  /** The 32-byte seed as hex: what AuthOptions `cryptosign.privateKey` takes (`{ method: 'cryptosign', privateKey: key.seedHex }`). */
  seedHex: string;
  /** The matching public key as hex. */
  publicKeyHex: string;
  /** Set when group or others may read the file (e.g. "mode 0644"). */
  looseMode?: string;
}

/** A fresh Ed25519 key pair. */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyHex: publicKeyHex(publicKey),
  };
}

/**
 * Writes a private key file created with mode 0600 (never written first and chmod-ed later).
 * Without `force` an existing file is left alone (KeyFileExistsError); with it, the key goes to
 * a new 0600 file next to it that then replaces the old one, so the old file's mode is not kept.
 */
export function writePrivateKeyFile(file: string, pem: string, options: { force?: boolean } = {}): void {
  const target = options.force === true ? join(dirname(file), `.${basename(file)}.${process.pid}.tmp`) : file;
  try {
    writeFileSync(target, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (codeOf(error) === 'EEXIST' && target === file) throw new KeyFileExistsError(file);
    throw new KeyFileError(file, `cannot write: ${systemMessage(error)}`);
  }
  if (target === file) return;
  try {
    renameSync(target, file);
  } catch (error) {
    unlinkSync(target);
    throw new KeyFileError(file, `cannot write: ${systemMessage(error)}`);
  }
}

/** Reads a private key file (PKCS#8 PEM or hex seed); throws KeyFileError. */
export function readPrivateKeyFile(file: string): PrivateKey {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    throw new KeyFileError(file, `cannot read: ${systemMessage(error)}`);
  }
  const seedHex = text.includes('-----BEGIN') ? seedFromPem(file, text) : seedFromHex(file, text.trim());
  const key: PrivateKey = { seedHex, publicKeyHex: publicKeyHexFromSeed(seedHex) };
  if ((mode & 0o077) !== 0) key.looseMode = `mode 0${mode.toString(8).padStart(3, '0')}`;
  return key;
}

/** The public key (hex) that belongs to a 32-byte seed (hex). */
export function publicKeyHexFromSeed(seedHex: string): string {
  const der = Buffer.concat([Buffer.from(PKCS8_ED25519_PREFIX), Buffer.from(seedHex, 'hex')]);
  return publicKeyHex(createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })));
}

function seedFromPem(file: string, pem: string): string {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    const encrypted = pem.includes('ENCRYPTED') || codeOf(error) === 'ERR_MISSING_PASSPHRASE';
    throw new KeyFileError(file, encrypted ? 'encrypted keys are not supported' : 'not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyFileError(file, `holds a${key.asymmetricKeyType === undefined ? 'n unknown' : ` ${key.asymmetricKeyType}`} key; cryptosign needs Ed25519`);
  }
  const d = key.export({ format: 'jwk' }).d;
  if (typeof d !== 'string') throw new KeyFileError(file, 'the Ed25519 key could not be read');
  return Buffer.from(d, 'base64url').toString('hex');
}

function seedFromHex(file: string, text: string): string {
  if (!SEED_HEX.test(text)) {
    throw new KeyFileError(file, 'expected an Ed25519 private key as PKCS#8 PEM or a 32-byte seed as 64 hex characters');
  }
  return text.slice(0, 64).toLowerCase();
}

function publicKeyHex(key: KeyObject): string {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('node:crypto did not return the Ed25519 public key');
  return Buffer.from(x, 'base64url').toString('hex');
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** "no such file or directory" from an fs error, without the path and syscall around it. */
function systemMessage(error: unknown): string {
  const code = codeOf(error);
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
