import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { serializerByName } from '../protocol/serializers/index.js';
import type { Serializer, SerializerName } from '../protocol/serializers/serializer.js';
import { ErrorUri } from '../protocol/uris.js';
import { resolveBackoffOptions, type ResolvedBackoffOptions } from './backoff.js';
import type { TlsClientOptions, TransportFactory } from './connector.js';
import type { StateListener } from './connection-state.js';
import { checkAuthOptions } from './auth/authenticator.js';
import { AbortedError, AuthenticationError } from './errors.js';
import { resolveLivenessOptions, type LivenessOptions, type ResolvedLivenessOptions } from './liveness.js';
import type { AuthOptions } from './types.js';
import { ReconnectSchedule, type ReconnectScheduleOptions } from './reconnect-schedule.js';
import { InvalidUrlError, parseUrl, type ParsedUrl } from './url.js';

export interface ReconnectOptions extends ReconnectScheduleOptions {
  /**
   * Keep retrying when the router refuses the credentials or the realm (ABORT
   * authentication_failed, not_authorized, no_such_realm…). Default false: stop and report it.
   */
  retryAuthFailures?: boolean;
}

/** One router to try, with its own credentials, TLS settings and serializer. */
export interface Endpoint {
  url: string;
  /** Default: the shared `auth` of the options. */
  auth?: AuthOptions;
  /** Default: the shared `tls` of the options. */
  tls?: TlsClientOptions;
  /** Default: the shared `serializer` of the options. */
  serializer?: SerializerName;
}

export interface ConnectOptions {
  url?: string;
  /** Tried in order on each attempt round. */
  urls?: string[];
  /** Like `urls`, each router with its own auth/tls/serializer (a device's upstream list). */
  endpoints?: Endpoint[];
  realm: string;
  /** Default cbor. */
  serializer?: SerializerName;
  auth?: AuthOptions;
  /**
   * Defaults: 0.5 s initial, ×2, 30 s max, full jitter, no retry limit; the window starts over
   * after a session that lasted `healthyMs` (10 s), and retries are quick (0.2–1 s) for a minute
   * after a router's `wamp.close.system_shutdown`. `false`: one attempt, no reconnect. Watch the
   * attempts with `onState` (`retrying` events carry attempt, delayMs and the last error).
   */
  reconnect?: ReconnectOptions | false;
  /** Dead-link detection (liveness.ts); on by default in mode `wamp`. */
  liveness?: LivenessOptions | false;
  transportFactory: TransportFactory;
  /** Limit for opening the transport, and again for HELLO → WELCOME (default 10 s). */
  connectTimeoutMs?: number;
  tls?: TlsClientOptions;
  /** This side's receive limit in octets (default: the transport's, 2^24). */
  maxMessageSize?: number;
  /** Aborting it closes the ManagedSession, also before the first join (connect() then rejects). */
  signal?: AbortSignal;
  /** Receives every state event from the start (connect() resolves only after the first join). */
  onState?: StateListener;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** ConnectOptions checked, with every default filled in. */
export interface ResolvedConnectOptions {
  readonly options: ConnectOptions;
  /** The routers to try, in order, each with what it is opened with. */
  readonly endpoints: readonly ResolvedEndpoint[];
  /** The reconnect schedule; undefined with `reconnect: false`. */
  readonly backoff: ReconnectSchedule | undefined;
  /** The schedule for retrying a restore on the same session (the reconnect one, or the defaults). */
  readonly restoreBackoff: ResolvedBackoffOptions;
  readonly retryAuthFailures: boolean;
  readonly liveness: ResolvedLivenessOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  /** The given logger (or a silent one), tagged with the realm. */
  readonly logger: Logger;
}

export interface ResolvedEndpoint {
  readonly url: ParsedUrl;
  readonly serializer: Serializer;
  readonly auth: AuthOptions | undefined;
  readonly tls: TlsClientOptions | undefined;
}

/**
 * Checks `options` and fills in the defaults; throws TypeError, RangeError or InvalidUrlError.
 * A mistake in the options (malformed URL, unknown serializer or auth method, a key in no known
 * format) is found here, so connect() rejects at once rather than retrying it.
 */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('connect() needs an options object');
  checkAuthOptions(options.auth);
  const given: Endpoint[] = options.endpoints ?? (options.urls ?? (options.url !== undefined ? [options.url] : [])).map((url) => ({ url }));
  if (given.length === 0) throw new TypeError('connect() needs `url`, `urls` or `endpoints`');
  if (typeof options.realm !== 'string' || options.realm === '') throw new TypeError('connect() needs a `realm`');
  if (typeof options.transportFactory !== 'function') throw new TypeError('connect() needs a `transportFactory`');
  const endpoints = given.map((endpoint, index) => resolveEndpoint(endpoint, options, index));
  const random = options.random ?? Math.random;
  const clock = options.clock ?? systemClock;
  const reconnect = options.reconnect;
  return {
    options,
    endpoints,
    random,
    backoff: reconnect === false ? undefined : new ReconnectSchedule(reconnect, random, clock),
    restoreBackoff: resolveBackoffOptions(reconnect === false ? {} : reconnect),
    retryAuthFailures: reconnect !== false && reconnect?.retryAuthFailures === true,
    liveness: options.liveness === false ? undefined : resolveLivenessOptions(options.liveness),
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    clock,
    logger: (options.logger ?? silentLogger).child({ realm: options.realm }),
  };
}

function resolveEndpoint(endpoint: Endpoint, options: ConnectOptions, index: number): ResolvedEndpoint {
  if (options.endpoints !== undefined) checkAuthOptions(endpoint.auth, `endpoints[${index}].auth`);
  const name = endpoint.serializer ?? options.serializer ?? 'cbor';
  const serializer = serializerByName(name);
  if (serializer === undefined) throw new TypeError(`unknown serializer ${JSON.stringify(name)} (json, msgpack or cbor)`);
  return {
    url: parseUrl(endpoint.url),
    serializer,
    auth: endpoint.auth ?? options.auth,
    tls: endpoint.tls ?? options.tls,
  };
}

/** ABORT reasons that no retry can fix: wrong credentials, unknown realm, no permission. */
const FATAL_ABORTS: ReadonlySet<string> = new Set([
  ErrorUri.AUTHENTICATION_FAILED,
  ErrorUri.AUTHENTICATION_DENIED,
  ErrorUri.AUTHENTICATION_REQUIRED,
  ErrorUri.NO_SUCH_PRINCIPAL,
  ErrorUri.NO_MATCHING_AUTH_METHOD,
  ErrorUri.NO_AUTH_METHOD,
  ErrorUri.NOT_AUTHORIZED,
  ErrorUri.AUTHORIZATION_FAILED,
  ErrorUri.NO_SUCH_REALM,
  ErrorUri.NO_SUCH_ROLE,
]);

/**
 * Whether a failed attempt ends the ManagedSession instead of being retried (see
 * `retryAuthFailures`). A mistake in the options (TypeError, RangeError, InvalidUrlError, e.g. a
 * key the authenticator cannot import) is never retried: the same options fail the same way.
 */
export function stopsReconnecting(error: Error, retryAuthFailures: boolean): boolean {
  if (isOptionsError(error)) return true;
  if (retryAuthFailures) return false;
  return error instanceof AuthenticationError || (error instanceof AbortedError && FATAL_ABORTS.has(error.uri));
}

/** A mistake in what the application passed, as opposed to a network or router failure. */
export function isOptionsError(error: Error): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof InvalidUrlError;
}
