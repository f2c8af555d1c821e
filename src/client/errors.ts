import { ApplicationError, WampError } from '../protocol/errors.js';
import type { Args, Dict } from '../protocol/messages.js';
import { ErrorUri } from '../protocol/uris.js';

/**
 * The errors a client session rejects with. Every one is a WampError carrying a URI, so programs
 * can branch on `instanceof` or on `error.uri`:
 *
 *   WampError
 *   ├─ ApplicationError          ERROR from the router or a callee (errorFromWire)
 *   │  ├─ CanceledError          wamp.error.canceled (also: the caller's own AbortSignal)
 *   │  └─ TimeoutError           wamp.error.timeout (also: the client-side call timeout)
 *   └─ SessionClosedError        the session ended: GOODBYE, transport loss, protocol violation
 *      └─ AbortedError           the router sent ABORT
 *         └─ AuthenticationError ABORT during authentication, or a challenge we cannot answer
 */

/** Close reason for a session whose transport went away without GOODBYE (as Autobahn uses it). */
export const TRANSPORT_LOST = 'wamp.close.transport_lost';

/** A call was canceled: by the caller's AbortSignal, or by the router/callee (wamp.error.canceled). */
export class CanceledError extends ApplicationError {
  constructor(args: Args = ['the call was canceled'], kwargs: Dict = {}, details: Dict = {}) {
    super(ErrorUri.CANCELED, args, kwargs, details);
  }
}

/** A call timed out: client-side (CallOptions.timeout) or dealer-side (wamp.error.timeout). */
export class TimeoutError extends ApplicationError {
  constructor(args: Args = ['the call timed out'], kwargs: Dict = {}, details: Dict = {}) {
    super(ErrorUri.TIMEOUT, args, kwargs, details);
  }
}

export interface SessionClosedOptions {
  /** Whether the router (or the connection) ended the session rather than this client. */
  byPeer?: boolean;
  cause?: unknown;
  args?: Args;
  kwargs?: Dict;
  details?: Dict;
}

/**
 * The session ended before a request was answered, or a request was made on a session that is
 * no longer open. `uri` is the close reason (e.g. `wamp.close.system_shutdown`,
 * `wamp.close.transport_lost`, `wamp.error.protocol_violation`).
 */
export class SessionClosedError extends WampError {
  readonly byPeer: boolean;

  constructor(reason: string, message?: string, options: SessionClosedOptions = {}) {
    const args = options.args ?? (message !== undefined ? [message] : []);
    super(reason, args, options.kwargs ?? {}, options.details ?? {}, message === undefined ? reason : `${reason}: ${message}`);
    this.byPeer = options.byPeer ?? false;
    if (options.cause !== undefined) this.cause = options.cause;
  }

  /** The close reason URI (same as `uri`). */
  get reason(): string {
    return this.uri;
  }
}

/** The router sent ABORT: `uri` is ABORT.Reason, `details`/`args`/`kwargs` its payload. */
export class AbortedError extends SessionClosedError {
  /** `byPeer` is false when this client aborted (a challenge it could not answer). */
  constructor(reason: string, details: Dict = {}, args: Args = [], kwargs: Dict = {}, byPeer = true) {
    super(reason, abortMessage(details, args), { byPeer, args, kwargs, details });
  }
}

/**
 * Joining failed in authentication: the router aborted during the CHALLENGE exchange or with an
 * authentication URI, or the client could not answer the challenge. The non-standard
 * `wamp.error.no_auth_method` (Crossbar, Nexus, fox-wamp) is reported as the spec's
 * `wamp.error.no_matching_auth_method`.
 */
export class AuthenticationError extends AbortedError {
  constructor(reason: string, details: Dict = {}, args: Args = [], kwargs: Dict = {}, byPeer = true) {
    const uri = reason === ErrorUri.NO_AUTH_METHOD ? ErrorUri.NO_MATCHING_AUTH_METHOD : reason;
    super(uri, details, args, kwargs, byPeer);
  }
}

const AUTH_URIS: ReadonlySet<string> = new Set([
  ErrorUri.NO_MATCHING_AUTH_METHOD,
  ErrorUri.NO_AUTH_METHOD,
  ErrorUri.NO_SUCH_PRINCIPAL,
  ErrorUri.AUTHENTICATION_DENIED,
  ErrorUri.AUTHENTICATION_FAILED,
  ErrorUri.AUTHENTICATION_REQUIRED,
]);

/** Whether an ABORT reason says that authentication failed. */
export function isAuthenticationUri(uri: string): boolean {
  return AUTH_URIS.has(uri);
}

/**
 * The error for a router's ABORT received at `stage` (after HELLO, after a CHALLENGE, or in an
 * established session): AuthenticationError when it came during the CHALLENGE exchange or, before
 * WELCOME, names an authentication failure; AbortedError otherwise.
 */
export function abortError(
  stage: 'hello' | 'challenge' | 'session',
  reason: string,
  details: Dict,
  args: Args = [],
  kwargs: Dict = {},
): AbortedError {
  const auth = stage === 'challenge' || (stage === 'hello' && isAuthenticationUri(reason));
  return auth ? new AuthenticationError(reason, details, args, kwargs) : new AbortedError(reason, details, args, kwargs);
}

/**
 * The error for an ERROR message (REQUEST.Type CALL/REGISTER/SUBSCRIBE/…): a subclass for the
 * URIs programs branch on, ApplicationError for everything else.
 */
export function errorFromWire(uri: string, args: Args = [], kwargs: Dict = {}, details: Dict = {}): ApplicationError {
  switch (uri) {
    case ErrorUri.CANCELED:
      return new CanceledError(args, kwargs, details);
    case ErrorUri.TIMEOUT:
      return new TimeoutError(args, kwargs, details);
    default:
      return new ApplicationError(uri, args, kwargs, details);
  }
}

/** `value` if it is an Error, else an Error with its text (for what a `catch` received). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function abortMessage(details: Dict, args: Args): string | undefined {
  const message = details['message'] ?? args[0];
  return typeof message === 'string' ? message : undefined;
}
