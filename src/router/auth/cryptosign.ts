import { type KeyObject, createPublicKey, randomBytes, verify } from 'node:crypto';
import { WampError } from '../../protocol/errors.js';
import type { Dict } from '../../protocol/messages.js';
import { ErrorUri } from '../../protocol/uris.js';
import {
  type AuthRequest,
  type AuthStep,
  type Authenticator,
  type Identity,
  STATIC_PROVIDER,
  SingleUseChallenge,
} from './authenticator.js';
import { type CryptosignUserConfig, ED25519_PUBKEY_HEX } from './auth-config.js';

/** DER header of an SPKI Ed25519 public key (RFC 8410); the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** signature64 ‖ message32 (the spec's form), or the bare 64-byte signature. */
const SIGNATURE_HEX = /^[0-9a-fA-F]{128}(?:[0-9a-fA-F]{64})?$/;

/** An Ed25519 public key object from its raw 32 bytes as hex. */
export function ed25519PublicKeyFromHex(hex: string): KeyObject {
  if (!ED25519_PUBKEY_HEX.test(hex)) throw new TypeError('an Ed25519 public key is 64 hex characters');
  const der = Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

export interface CryptosignOptions {
  /** Source of the 32 challenge bytes; defaults to crypto.randomBytes (tests inject spec vectors). */
  challengeBytes?: () => Buffer;
}

interface CryptosignUser {
  authid: string;
  role: string;
  pubkey: string;
  key: KeyObject;
}

/**
 * `cryptosign` (advanced/authentication_cryptosign.md), client authentication without channel
 * binding. HELLO.authextra.pubkey must be the key configured for the authid (or, with no authid,
 * name a configured user). The router sends 32 random bytes; the client returns
 * hex(Ed25519 signature ‖ challenge) and the router verifies the signature over those bytes.
 *
 * A pubkey/authid pair the realm does not know still gets a challenge, then fails at verify.
 */
export class CryptosignAuthenticator implements Authenticator {
  readonly method = 'cryptosign';
  readonly #byAuthid = new Map<string, CryptosignUser>();
  readonly #byPubkey = new Map<string, CryptosignUser>();
  readonly #challengeBytes: () => Buffer;

  constructor(users: Iterable<CryptosignUserConfig>, options: CryptosignOptions = {}) {
    this.#challengeBytes = options.challengeBytes ?? randomChallenge;
    for (const config of users) {
      const pubkey = config.pubkey.toLowerCase();
      const user = { authid: config.authid, role: config.role, pubkey, key: ed25519PublicKeyFromHex(pubkey) };
      this.#byAuthid.set(user.authid, user);
      if (!this.#byPubkey.has(pubkey)) this.#byPubkey.set(pubkey, user);
    }
  }

  start(req: AuthRequest): AuthStep {
    const pubkey = req.authextra['pubkey'];
    if (typeof pubkey !== 'string' || !ED25519_PUBKEY_HEX.test(pubkey)) {
      throw new WampError(ErrorUri.INVALID_ARGUMENT, ['cryptosign needs authextra.pubkey: 64 hex characters']);
    }
    const binding = req.authextra['channel_binding'];
    if (binding !== undefined && binding !== null) {
      throw new WampError(ErrorUri.AUTHENTICATION_FAILED, ['cryptosign channel binding is not supported']);
    }
    const user = this.#lookup(req.authid, pubkey.toLowerCase());
    const challenge = this.#challengeBytes();
    if (challenge.length !== 32) throw new RangeError('a cryptosign challenge is 32 bytes');
    const identity: Identity | undefined = user && {
      authid: user.authid,
      authrole: user.role,
      authmethod: this.method,
      authprovider: STATIC_PROVIDER,
    };
    return new CryptosignChallenge(challenge, user?.key, identity);
  }

  #lookup(authid: string | undefined, pubkey: string): CryptosignUser | undefined {
    if (authid === undefined) return this.#byPubkey.get(pubkey);
    const user = this.#byAuthid.get(authid);
    return user !== undefined && user.pubkey === pubkey ? user : undefined;
  }
}

class CryptosignChallenge extends SingleUseChallenge {
  readonly method = 'cryptosign';
  readonly extra: Dict;
  readonly #challenge: Buffer;
  readonly #key: KeyObject | undefined;
  readonly #identity: Identity | undefined;

  constructor(challenge: Buffer, key: KeyObject | undefined, identity: Identity | undefined) {
    super();
    this.extra = { challenge: challenge.toString('hex'), channel_binding: null };
    this.#challenge = challenge;
    this.#key = key;
    this.#identity = identity;
  }

  protected check(signature: string, _extra: Dict): Identity | undefined {
    if (!SIGNATURE_HEX.test(signature)) return undefined;
    const bytes = Buffer.from(signature, 'hex');
    // The spec's 96-byte form repeats the signed message; it must be our challenge.
    if (bytes.length === 96 && !bytes.subarray(64).equals(this.#challenge)) return undefined;
    if (this.#key === undefined || this.#identity === undefined) return undefined;
    let valid: boolean;
    try {
      valid = verify(null, this.#challenge, this.#key, bytes.subarray(0, 64));
    } catch {
      valid = false;
    }
    return valid ? { ...this.#identity } : undefined;
  }
}

function randomChallenge(): Buffer {
  return randomBytes(32);
}
