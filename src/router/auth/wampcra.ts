import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dict } from '../../protocol/messages.js';
import {
  type AuthRequest,
  type AuthStep,
  type Authenticator,
  type Identity,
  STATIC_PROVIDER,
  SingleUseChallenge,
} from './authenticator.js';
import { DEFAULT_CRA_ITERATIONS, DEFAULT_CRA_KEYLEN, type WampCraUserConfig } from './auth-config.js';
import { craSignatureBytes, deriveCraKey } from './wampcra-math.js';

/** Salting parameters announced in CHALLENGE.Extra. */
interface Salting {
  salt: string;
  iterations: number;
  keylen: number;
}

interface CraUser {
  /** The HMAC key: the secret itself, or base64(PBKDF2(...)) when salted. */
  key: string;
  role: string;
  salting: Salting | undefined;
}

export interface WampCraOptions {
  /** Wall-clock milliseconds for the challenge timestamp; defaults to Date.now. */
  now?: () => number;
}

/**
 * `wampcra` (advanced/authentication_cra.md). The challenge is a JSON string naming the identity
 * the client will get, a nonce, an ISO timestamp and the session id; the client answers with
 * base64(HMAC-SHA256(key, challenge)). Salted keys are derived once, when the realm is built.
 *
 * An unknown authid gets a decoy challenge indistinguishable in shape from a real one (same role
 * and salting parameters as the realm's first user, a salt that is stable per authid) and always
 * fails at verify, so CHALLENGE/ABORT never reveal which authids exist.
 */
export class WampCraAuthenticator implements Authenticator {
  readonly method = 'wampcra';
  readonly #users = new Map<string, CraUser>();
  readonly #now: () => number;
  readonly #decoyRole: string;
  readonly #decoySalting: Omit<Salting, 'salt'> | undefined;
  readonly #decoySaltKey = randomBytes(32);

  constructor(users: Iterable<WampCraUserConfig>, options: WampCraOptions = {}) {
    this.#now = options.now ?? Date.now;
    for (const user of users) this.#users.set(user.authid, toCraUser(user));
    const first = this.#users.values().next().value as CraUser | undefined;
    this.#decoyRole = first?.role ?? 'user';
    const salted = [...this.#users.values()].find((u) => u.salting !== undefined)?.salting;
    this.#decoySalting = salted && { iterations: salted.iterations, keylen: salted.keylen };
  }

  start(req: AuthRequest): AuthStep {
    const authid = req.authid ?? '';
    const user = this.#users.get(authid);
    const authrole = user?.role ?? this.#decoyRole;
    const identity: Identity = { authid, authrole, authmethod: this.method, authprovider: STATIC_PROVIDER };
    const challenge = JSON.stringify({
      authid,
      authrole,
      authmethod: this.method,
      authprovider: STATIC_PROVIDER,
      nonce: randomBytes(16).toString('base64'),
      timestamp: new Date(this.#now()).toISOString(),
      session: req.sessionId,
    });
    const extra: Dict = { challenge };
    const salting = user === undefined ? this.#decoySaltingFor(authid) : user.salting;
    if (salting !== undefined) Object.assign(extra, salting);
    if (user === undefined) return new CraChallenge(extra, randomBytes(32), undefined);
    return new CraChallenge(extra, craSignatureBytes(user.key, challenge), identity);
  }

  #decoySaltingFor(authid: string): Salting | undefined {
    if (this.#decoySalting === undefined) return undefined;
    const salt = createHmac('sha256', this.#decoySaltKey).update(authid, 'utf8').digest('base64url').slice(0, 16);
    return { salt, ...this.#decoySalting };
  }
}

class CraChallenge extends SingleUseChallenge {
  readonly method = 'wampcra';
  readonly extra: Dict;
  readonly #expected: Buffer;
  readonly #identity: Identity | undefined;

  constructor(extra: Dict, expected: Buffer, identity: Identity | undefined) {
    super();
    this.extra = extra;
    this.#expected = expected;
    this.#identity = identity;
  }

  protected check(signature: string, _extra: Dict): Identity | undefined {
    const given = Buffer.from(signature, 'base64');
    if (given.length !== this.#expected.length) return undefined;
    const same = timingSafeEqual(given, this.#expected);
    return same && this.#identity !== undefined ? { ...this.#identity } : undefined;
  }
}

function toCraUser(user: WampCraUserConfig): CraUser {
  if (user.salt === undefined) return { key: user.secret, role: user.role, salting: undefined };
  const salting: Salting = {
    salt: user.salt,
    iterations: user.iterations ?? DEFAULT_CRA_ITERATIONS,
    keylen: user.keylen ?? DEFAULT_CRA_KEYLEN,
  };
  return {
    key: deriveCraKey(user.secret, salting.salt, salting.iterations, salting.keylen),
    role: user.role,
    salting,
  };
}
