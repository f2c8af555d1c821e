import { WampError } from '../../protocol/errors.js';
import type { Dict } from '../../protocol/messages.js';
import { ErrorUri } from '../../protocol/uris.js';

/**
 * The router side of WAMP authentication (advanced/authentication.md), one small interface per
 * method as in nexus router/auth/authenticator.go. The router reads HELLO, asks the realm's
 * selector for an Authenticator, calls `start`, and then either sends WELCOME or sends
 * `[4, step.method, step.extra]` and passes the AUTHENTICATE signature/extra to `step.verify`.
 */

/** What the router knows when HELLO arrives. */
export interface AuthRequest {
  realm: string;
  /** The id the session will get once welcomed (WAMP-CRA binds the challenge to it). */
  sessionId: number;
  /** `HELLO.Details.authid`, if the client sent a string. */
  authid?: string;
  /** `HELLO.Details.authmethods`, in the client's order of preference. */
  authmethods: string[];
  /** `HELLO.Details.authextra`, or `{}`. */
  authextra: Dict;
}

/** Who the session is, as sent in WELCOME.Details. */
export interface Identity {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  authextra?: Dict;
}

/** A challenge round: send `[4, method, extra]`, then hand the AUTHENTICATE reply to `verify`. */
export interface ChallengeStep {
  kind: 'challenge';
  method: string;
  extra: Dict;
  /**
   * Checks the AUTHENTICATE signature. Returns the identity to welcome, or throws a WampError
   * `wamp.error.authentication_failed`. A step verifies once: a second call always fails.
   * Call it as a method (`step.verify(...)`).
   */
  verify(signature: string, extra: Dict): Identity;
}

export type AuthStep = { kind: 'welcome'; identity: Identity } | ChallengeStep;

export interface Authenticator {
  readonly method: string;
  /** May throw a WampError (ABORT reason) when the method cannot proceed for this request. */
  start(req: AuthRequest): AuthStep;
}

/** The provider named in WELCOME for users from the static realm configuration. */
export const STATIC_PROVIDER = 'static';

/**
 * The error every failed verification throws. It carries the same text whatever went wrong
 * (unknown authid, wrong secret, malformed signature), so an ABORT reveals nothing more.
 */
export function authenticationFailed(): WampError {
  return new WampError(ErrorUri.AUTHENTICATION_FAILED, ['authentication failed']);
}

/**
 * Base of the per-method challenge steps: enforces that each challenge is answered once, so a
 * client cannot try several signatures against the same nonce.
 */
export abstract class SingleUseChallenge implements ChallengeStep {
  readonly kind = 'challenge' as const;
  abstract readonly method: string;
  abstract readonly extra: Dict;
  #used = false;

  verify(signature: string, extra: Dict): Identity {
    if (this.#used) throw authenticationFailed();
    this.#used = true;
    if (typeof signature !== 'string') throw authenticationFailed();
    const identity = this.check(signature, extra ?? {});
    if (identity === undefined) throw authenticationFailed();
    return identity;
  }

  /** The method's check: the identity when the signature is right, else undefined. Must not throw. */
  protected abstract check(signature: string, extra: Dict): Identity | undefined;
}
