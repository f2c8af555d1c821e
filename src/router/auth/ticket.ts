import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dict } from '../../protocol/messages.js';
import {
  type AuthRequest,
  type AuthStep,
  type Authenticator,
  type Identity,
  STATIC_PROVIDER,
  SingleUseChallenge,
} from './authenticator.js';
import type { TicketUserConfig } from './auth-config.js';

/**
 * `ticket` (advanced/authentication_ticket.md): CHALLENGE `[4, "ticket", {}]`, and the client
 * answers with the ticket itself as the signature. Only the SHA-256 of each ticket is kept,
 * and the comparison is constant-time over the two digests.
 */
export class TicketAuthenticator implements Authenticator {
  readonly method = 'ticket';
  readonly #users = new Map<string, { digest: Buffer; role: string }>();

  constructor(users: Iterable<TicketUserConfig>) {
    for (const user of users) this.#users.set(user.authid, { digest: sha256(user.ticket), role: user.role });
  }

  /** Unknown authids get a challenge too, and fail only at verify (no authid enumeration). */
  start(req: AuthRequest): AuthStep {
    const authid = req.authid ?? '';
    const user = this.#users.get(authid);
    if (user === undefined) return new TicketChallenge(randomBytes(32), undefined);
    return new TicketChallenge(user.digest, {
      authid,
      authrole: user.role,
      authmethod: this.method,
      authprovider: STATIC_PROVIDER,
    });
  }
}

class TicketChallenge extends SingleUseChallenge {
  readonly method = 'ticket';
  readonly extra: Dict = {};
  readonly #digest: Buffer;
  /** Undefined for a decoy round (unknown authid): the check then always fails. */
  readonly #identity: Identity | undefined;

  constructor(digest: Buffer, identity: Identity | undefined) {
    super();
    this.#digest = digest;
    this.#identity = identity;
  }

  protected check(signature: string, _extra: Dict): Identity | undefined {
    const same = timingSafeEqual(sha256(signature), this.#digest);
    return same && this.#identity !== undefined ? { ...this.#identity } : undefined;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
