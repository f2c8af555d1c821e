/**
 * Reserved WAMP URIs (basic/uri_reference.md, advanced/uris.md) and URI syntax checks
 * (basic/building_blocks.md). The single-L `canceled` is what every implementation uses.
 */
export const ErrorUri = {
  INVALID_URI: 'wamp.error.invalid_uri',
  NO_SUCH_PROCEDURE: 'wamp.error.no_such_procedure',
  PROCEDURE_ALREADY_EXISTS: 'wamp.error.procedure_already_exists',
  NO_SUCH_REGISTRATION: 'wamp.error.no_such_registration',
  NO_SUCH_SUBSCRIPTION: 'wamp.error.no_such_subscription',
  INVALID_ARGUMENT: 'wamp.error.invalid_argument',
  CANCELED: 'wamp.error.canceled',
  PAYLOAD_SIZE_EXCEEDED: 'wamp.error.payload_size_exceeded',
  PROTOCOL_VIOLATION: 'wamp.error.protocol_violation',
  NOT_AUTHORIZED: 'wamp.error.not_authorized',
  AUTHORIZATION_FAILED: 'wamp.error.authorization_failed',
  NO_SUCH_REALM: 'wamp.error.no_such_realm',
  NO_SUCH_ROLE: 'wamp.error.no_such_role',
  NO_SUCH_SESSION: 'wamp.error.no_such_session',
  NO_MATCHING_AUTH_METHOD: 'wamp.error.no_matching_auth_method',
  /** Non-standard spelling used by Crossbar, Nexus and fox-wamp; accept it, never send it. */
  NO_AUTH_METHOD: 'wamp.error.no_auth_method',
  NO_SUCH_PRINCIPAL: 'wamp.error.no_such_principal',
  AUTHENTICATION_DENIED: 'wamp.error.authentication_denied',
  AUTHENTICATION_FAILED: 'wamp.error.authentication_failed',
  AUTHENTICATION_REQUIRED: 'wamp.error.authentication_required',
  TIMEOUT: 'wamp.error.timeout',
  OPTION_NOT_ALLOWED: 'wamp.error.option_not_allowed',
  DISCLOSE_ME_NOT_ALLOWED: 'wamp.error.option_disallowed.disclose_me',
  NETWORK_FAILURE: 'wamp.error.network_failure',
  UNAVAILABLE: 'wamp.error.unavailable',
  NO_AVAILABLE_CALLEE: 'wamp.error.no_available_callee',
  FEATURE_NOT_SUPPORTED: 'wamp.error.feature_not_supported',
  /** Not in the spec; Crossbar's URI for an exception raised inside the router or a callee. */
  RUNTIME_ERROR: 'wamp.error.runtime_error',
} as const;

export const CloseUri = {
  SYSTEM_SHUTDOWN: 'wamp.close.system_shutdown',
  CLOSE_REALM: 'wamp.close.close_realm',
  GOODBYE_AND_OUT: 'wamp.close.goodbye_and_out',
  /** Non-standard reply used by Autobahn|JS and fox-wamp; accept it, never send it. */
  GOODBYE_AND_OUT_NONSTANDARD: 'wamp.error.goodbye_and_out',
  KILLED: 'wamp.close.killed',
  NORMAL: 'wamp.close.normal',
} as const;

export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';
export type UriMode = 'loose' | 'strict';

/**
 * Reads SUBSCRIBE/REGISTER Options.match: absent or null (Wampy sends `undefined`) means exact;
 * an unknown value gives undefined so the caller can answer `wamp.error.invalid_argument`.
 */
export function matchPolicyOf(value: unknown): MatchPolicy | undefined {
  if (value == null || value === 'exact') return 'exact';
  if (value === 'prefix' || value === 'wildcard') return value;
  return undefined;
}

// Python-form regexes from basic/building_blocks.md.
const LOOSE = /^([^\s.#]+\.)*([^\s.#]+)$/;
const LOOSE_EMPTY = /^(([^\s.#]+\.)|\.)*([^\s.#]+)?$/;
const STRICT = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
const STRICT_EMPTY = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/;
// A prefix may end with a dot ("com.app.") or be empty (match everything).
const LOOSE_PREFIX = /^([^\s.#]+\.)*([^\s.#]*)$/;
const STRICT_PREFIX = /^([0-9a-z_]+\.)*([0-9a-z_]*)$/;

/**
 * Whether `uri` is valid for use as a topic/procedure/error with the given match policy.
 * Exact URIs must have no empty components; prefix URIs may end with a dot; wildcard URIs may
 * have empty components (each matches one component).
 */
export function isValidUri(uri: string, mode: UriMode = 'loose', match: MatchPolicy = 'exact'): boolean {
  if (typeof uri !== 'string') return false;
  const strict = mode === 'strict';
  switch (match) {
    case 'exact':
      return (strict ? STRICT : LOOSE).test(uri);
    case 'prefix':
      return (strict ? STRICT_PREFIX : LOOSE_PREFIX).test(uri);
    case 'wildcard':
      return (strict ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
  }
}

/** Whether a URI lies in the namespace reserved for the protocol (`wamp.`). */
export function isReservedUri(uri: string): boolean {
  return uri.startsWith('wamp.');
}
