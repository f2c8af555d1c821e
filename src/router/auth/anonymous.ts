import { randomBytes } from 'node:crypto';
import type { AuthRequest, AuthStep, Authenticator } from './authenticator.js';

export const ANONYMOUS_PROVIDER = 'anonymous';

/**
 * `anonymous`: no challenge; WELCOME at once under the configured role with a generated authid.
 * The authid a client asks for is ignored (as Crossbar does): otherwise an anonymous session could
 * pose as a configured user in caller/publisher disclosure and `eligible_authid` filters.
 */
export class AnonymousAuthenticator implements Authenticator {
  readonly method = 'anonymous';
  readonly #role: string;

  constructor(role: string) {
    this.#role = role;
  }

  start(req: AuthRequest): AuthStep {
    void req;
    return {
      kind: 'welcome',
      identity: { authid: randomAuthid(), authrole: this.#role, authmethod: this.method, authprovider: ANONYMOUS_PROVIDER },
    };
  }
}

/** `anon-` and 12 random bytes in hex: short enough to read in logs, unique enough. */
function randomAuthid(): string {
  return `anon-${randomBytes(12).toString('hex')}`;
}
