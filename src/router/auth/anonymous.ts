import { randomBytes } from 'node:crypto';
import type { AuthRequest, AuthStep, Authenticator } from './authenticator.js';

export const ANONYMOUS_PROVIDER = 'anonymous';

/**
 * `anonymous`: no challenge; WELCOME at once under the configured role. The authid is the one
 * the client asked for, else a random one.
 */
export class AnonymousAuthenticator implements Authenticator {
  readonly method = 'anonymous';
  readonly #role: string;

  constructor(role: string) {
    this.#role = role;
  }

  start(req: AuthRequest): AuthStep {
    const authid = req.authid !== undefined && req.authid !== '' ? req.authid : randomAuthid();
    return {
      kind: 'welcome',
      identity: { authid, authrole: this.#role, authmethod: this.method, authprovider: ANONYMOUS_PROVIDER },
    };
  }
}

/** `anon-` and 12 random bytes in hex: short enough to read in logs, unique enough. */
function randomAuthid(): string {
  return `anon-${randomBytes(12).toString('hex')}`;
}
