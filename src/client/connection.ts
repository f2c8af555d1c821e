import { systemClock, type Clock, type TimerHandle } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Args, Dict } from '../protocol/messages.js';
import { serializerByName } from '../protocol/serializers/index.js';
import type { Serializer, SerializerName } from '../protocol/serializers/serializer.js';
import { WampError } from '../protocol/errors.js';
import { ErrorUri } from '../protocol/uris.js';
import { Backoff, backoffCeiling, resolveBackoffOptions, type BackoffOptions, type ResolvedBackoffOptions } from './backoff.js';
import { isPingable, type TlsClientOptions, type TransportFactory } from './connector.js';
import { AbortedError, AuthenticationError, CanceledError, SessionClosedError, TimeoutError, TRANSPORT_LOST } from './errors.js';
import {
  LivenessMonitor,
  ObservedTransport,
  pingProbe,
  resolveLivenessOptions,
  wampProbe,
  type LivenessOptions,
  type ResolvedLivenessOptions,
} from './liveness.js';
import { Session } from './session.js';
import type {
  AuthOptions,
  CallOptions,
  EventHandler,
  Procedure,
  PublishOptions,
  RegisterOptions,
  Registration,
  Result,
  SubscribeOptions,
  Subscription,
  WampApi,
} from './types.js';
import { parseUrl, type ParsedUrl } from './url.js';

/**
 * `connect()`: a WAMP session that survives its connections. URLs are tried in order on each
 * round; between failed rounds it waits `random() * min(maxMs, initialMs * factor^n)` (full
 * jitter, backoff.ts). After every WELCOME it re-registers and re-subscribes everything made
 * through it, with the same handlers and options, before it reports `joined`.
 *
 * Requests and the link (documented choice):
 * - Calls and publications in flight when the link dies reject with SessionClosedError: the
 *   client cannot know whether the router acted on them, so it does not repeat them.
 * - Calls and publications made while there is no session wait for the next join; a call's
 *   `timeout` (and `signal`) bounds the wait, and what is left of the timeout then applies to
 *   the call. They reject with SessionClosedError when the ManagedSession is closed.
 * - register/subscribe made while there is no session (or whose answer the dying link lost)
 *   complete on the next session.
 */

export interface ReconnectOptions extends BackoffOptions {
  /**
   * Keep retrying when the router refuses the credentials or the realm (ABORT
   * authentication_failed, not_authorized, no_such_realm…). Default false: stop and report it.
   */
  retryAuthFailures?: boolean;
}

export interface ConnectOptions {
  url?: string;
  /** Tried in order on each attempt round. */
  urls?: string[];
  realm: string;
  /** Default cbor. */
  serializer?: SerializerName;
  auth?: AuthOptions;
  /** Defaults: 0.5 s initial, ×2, 30 s max, full jitter, no retry limit. `false`: one attempt, no reconnect. */
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

export type ConnectionState = 'connecting' | 'joined' | 'disconnected' | 'retrying' | 'closed';

export interface StateEvent {
  state: ConnectionState;
  /** connecting, joined: the router URL. */
  url?: string;
  /** joined. */
  sessionId?: number;
  /** connecting: retries so far (0 on the first round); retrying: the number of this retry (1, 2, …). */
  attempt?: number;
  /** retrying: how long until the next round. */
  delayMs?: number;
  /** disconnected, closed: the close reason URI. */
  reason?: string;
  /** disconnected, closed, retrying (the last failure of the round). */
  error?: Error;
}

export type StateListener = (event: StateEvent) => void;

/** A registration or subscription that could not be restored after a rejoin (it is retried on the next one). */
export interface RestoreFailure {
  kind: 'registration' | 'subscription';
  uri: string;
  error: Error;
  /** Set when it is retried on the same session after this delay (procedure_already_exists). */
  retryInMs?: number;
}

export type RestoreFailureListener = (failure: RestoreFailure) => void;

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Allowed state changes; anything else is ignored (e.g. a late `disconnected` after close()). */
const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  connecting: ['connecting', 'joined', 'retrying', 'closed'],
  joined: ['disconnected', 'closed'],
  disconnected: ['retrying', 'closed'],
  retrying: ['connecting', 'closed'],
  closed: [],
};

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

/** Opens a ManagedSession; resolves on the first WELCOME (see ManagedSession). */
export function connect(options: ConnectOptions): Promise<ManagedSession> {
  try {
    return new ManagedSession(options).joinedOnce;
  } catch (error) {
    return Promise.reject(error);
  }
}

interface Link {
  url: ParsedUrl;
  session: Session;
  transport: ObservedTransport;
}

interface LinkEnd {
  reason: string;
  error?: Error;
}

interface Waiter {
  resolve(session: Session): void;
  reject(error: Error): void;
  timer: TimerHandle | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * The session behind `connect()`. Rejects `joinedOnce` (and so connect()) when the first round
 * fails with `reconnect: false`, when the router refuses the credentials or realm, or when the
 * retries are used up. `close()`/`leave()` stop reconnecting for good.
 */
export class ManagedSession implements WampApi {
  /** Resolves with this on the first join; rejects if it closes before that. */
  readonly joinedOnce: Promise<ManagedSession>;
  /** Resolves with the `closed` event (never rejects). */
  readonly closed: Promise<StateEvent>;

  readonly #urls: readonly ParsedUrl[];
  readonly #serializer: Serializer;
  readonly #options: ConnectOptions;
  readonly #backoff: Backoff | undefined;
  readonly #restoreBackoff: ResolvedBackoffOptions;
  readonly #retryAuthFailures: boolean;
  readonly #liveness: ResolvedLivenessOptions | undefined;
  readonly #connectTimeoutMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #stateListeners = new Set<StateListener>();
  readonly #restoreListeners = new Set<RestoreFailureListener>();
  readonly #handles = new Set<Restorable>();
  #state: ConnectionState = 'connecting';
  /** The link being opened or served. */
  #link: Link | undefined;
  /** Set while joined (after restoring): requests go straight to it. */
  #session: Session | undefined;
  #monitor: LivenessMonitor | undefined;
  #waiters: Waiter[] = [];
  #sleep: { timer: TimerHandle; wake: () => void } | undefined;
  #joined!: { resolve(value: ManagedSession): void; reject(error: Error): void; settled: boolean };
  #resolveClosed!: (event: StateEvent) => void;

  constructor(options: ConnectOptions) {
    const urls = options.urls ?? (options.url !== undefined ? [options.url] : []);
    if (urls.length === 0) throw new TypeError('connect() needs `url` or `urls`');
    if (typeof options.realm !== 'string' || options.realm === '') throw new TypeError('connect() needs a `realm`');
    if (typeof options.transportFactory !== 'function') throw new TypeError('connect() needs a `transportFactory`');
    this.#urls = urls.map(parseUrl);
    const serializer = serializerByName(options.serializer ?? 'cbor');
    if (serializer === undefined) throw new TypeError(`unknown serializer ${JSON.stringify(options.serializer)} (json, msgpack or cbor)`);
    this.#serializer = serializer;
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#backoff = options.reconnect === false ? undefined : new Backoff(options.reconnect, this.#random);
    this.#restoreBackoff = resolveBackoffOptions(options.reconnect === false ? {} : options.reconnect);
    this.#retryAuthFailures = options.reconnect !== false && options.reconnect?.retryAuthFailures === true;
    this.#liveness = options.liveness === false ? undefined : resolveLivenessOptions(options.liveness);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? silentLogger).child({ realm: options.realm });
    if (options.onState !== undefined) this.#stateListeners.add(options.onState);
    this.joinedOnce = new Promise((resolve, reject) => {
      this.#joined = { resolve, reject, settled: false };
    });
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    if (options.signal?.aborted === true) {
      this.#finish('wamp.close.normal', new CanceledError(['connect() was aborted']));
      return;
    }
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    void this.#run();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  readonly #onAbort = (): void => {
    void this.leave();
  };

  /** A method, not a field read, so checks after an await are not narrowed away. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** The router URL of the current session while joined (normalised, see url.ts). */
  get url(): string | undefined {
    return this.#session === undefined ? undefined : this.#link?.url.url;
  }

  /** The current WAMP session while joined; undefined between sessions. */
  get session(): Session | undefined {
    return this.#session;
  }

  on(event: 'state', listener: StateListener): this;
  on(event: 'restoreFailed', listener: RestoreFailureListener): this;
  on(event: 'state' | 'restoreFailed', listener: StateListener | RestoreFailureListener): this {
    if (event === 'state') this.#stateListeners.add(listener as StateListener);
    else this.#restoreListeners.add(listener as RestoreFailureListener);
    return this;
  }

  off(event: 'state' | 'restoreFailed', listener: StateListener | RestoreFailureListener): this {
    if (event === 'state') this.#stateListeners.delete(listener as StateListener);
    else this.#restoreListeners.delete(listener as RestoreFailureListener);
    return this;
  }

  // ---- WampApi -------------------------------------------------------------------------------

  call(procedure: string, args?: Args, kwargs?: Dict, options?: CallOptions): Promise<Result> {
    const session = this.#openSession();
    if (session !== undefined) return session.call(procedure, args, kwargs, options);
    return this.#callLater(procedure, args, kwargs, options);
  }

  callProgressive(procedure: string, args?: Args, kwargs?: Dict, options?: Omit<CallOptions, 'onProgress'>): AsyncIterable<Result> {
    const session = this.#openSession();
    if (session !== undefined) return session.callProgressive(procedure, args, kwargs, options);
    return this.#callProgressiveLater(procedure, args, kwargs, options);
  }

  publish(topic: string, args?: Args, kwargs?: Dict, options?: PublishOptions): Promise<void> {
    const session = this.#openSession();
    if (session !== undefined) return session.publish(topic, args, kwargs, options);
    return this.#waitForSession(undefined, undefined).then((s) => s.publish(topic, args, kwargs, options));
  }

  async register(procedure: string, handler: Procedure, options: RegisterOptions = {}): Promise<Registration> {
    const handle = new ManagedRegistration(this.#forget, procedure, handler, options);
    await this.#attachFirst(handle);
    return handle;
  }

  async subscribe(topic: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const handle = new ManagedSubscription(this.#forget, topic, handler, options);
    await this.#attachFirst(handle);
    return handle;
  }

  /** Leaves the current session (GOODBYE) and stops reconnecting. */
  async leave(reason?: string): Promise<void> {
    if (this.#isClosed()) return;
    const session = this.#link?.session;
    this.#finish('wamp.close.normal', undefined);
    if (session?.isOpen === true) {
      try {
        await session.leave(reason);
      } catch (error) {
        this.#logger.debug('leave failed', { error: messageOf(error) });
      }
    }
  }

  /** Same as leave(). */
  close(): Promise<void> {
    return this.leave();
  }

  // ---- the connection loop -------------------------------------------------------------------

  async #run(): Promise<void> {
    for (;;) {
      const round = await this.#connectRound();
      if (this.#isClosed()) return;
      let lastError = round.error;
      if (round.link !== undefined) {
        this.#backoff?.reset();
        const end = await this.#serve(round.link);
        if (this.#isClosed()) return;
        this.#emit({ state: 'disconnected', reason: end.reason, ...(end.error !== undefined ? { error: end.error } : {}) });
        this.#logger.warn('session lost', { url: round.link.url.url, reason: end.reason, error: end.error?.message });
        lastError = end.error ?? new SessionClosedError(end.reason, undefined, { byPeer: true });
      } else if (round.fatal === true) {
        this.#finish(errorReason(round.error), round.error);
        return;
      }
      if (this.#backoff === undefined) {
        this.#finish(errorReason(lastError), lastError);
        return;
      }
      const delayMs = this.#backoff.next();
      if (delayMs === undefined) {
        const retries = this.#backoff.options.retries;
        this.#finish(errorReason(lastError), new Error(`gave up after ${retries} retries: ${lastError?.message ?? 'no session'}`, { cause: lastError }));
        return;
      }
      this.#emit({ state: 'retrying', attempt: this.#backoff.attempt, delayMs, ...(lastError !== undefined ? { error: lastError } : {}) });
      this.#logger.info('retrying', { attempt: this.#backoff.attempt, delayMs: Math.round(delayMs) });
      await this.#sleepFor(delayMs);
      if (this.#isClosed()) return;
    }
  }

  /** One pass over the URLs: the first that yields a session wins. */
  async #connectRound(): Promise<{ link?: Link; error?: Error; fatal?: boolean }> {
    let error: Error | undefined;
    for (const url of this.#urls) {
      this.#emit({ state: 'connecting', url: url.url, attempt: this.#backoff?.attempt ?? 0 });
      try {
        const link = await this.#open(url);
        return link === undefined ? {} : { link };
      } catch (caught) {
        if (this.#isClosed()) return {};
        error = asError(caught);
        this.#logger.warn('connection attempt failed', { url: url.url, error: error.message });
        if (this.#isFatal(error)) return { error, fatal: true };
      }
    }
    return error !== undefined ? { error } : {};
  }

  /** Opens the transport and joins; undefined when close() came first. */
  async #open(url: ParsedUrl): Promise<Link | undefined> {
    const options = this.#options;
    const transport = await this.#options.transportFactory(url, this.#serializer, {
      timeoutMs: this.#connectTimeoutMs,
      parse: { lenientIds: true },
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
      ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
    });
    if (this.#isClosed()) {
      transport.close('client closed');
      return undefined;
    }
    const observed = new ObservedTransport(transport);
    const session = await Session.join(observed, {
      realm: options.realm,
      ...(options.auth !== undefined ? { auth: options.auth } : {}),
      logger: this.#logger,
      clock: this.#clock,
      joinTimeout: this.#connectTimeoutMs,
    });
    if (this.#isClosed()) {
      session.leave().catch(ignore);
      return undefined;
    }
    return { url, session, transport: observed };
  }

  /** Restores, reports `joined`, and waits until the session ends or the link is found dead. */
  async #serve(link: Link): Promise<LinkEnd> {
    const { session } = link;
    this.#link = link;
    let declareDead!: (end: LinkEnd) => void;
    const dead = new Promise<LinkEnd>((resolve) => {
      declareDead = resolve;
    });
    const ended = session.closed.then(linkEndOf);
    this.#monitor = this.#startLiveness(link, (message) => {
      declareDead({ reason: TRANSPORT_LOST, error: new SessionClosedError(TRANSPORT_LOST, message, { byPeer: true }) });
      link.transport.destroy('liveness timeout');
    });
    let end = await Promise.race([this.#restoreAll(session).then(() => undefined), ended, dead]);
    if (end === undefined && session.isOpen && !this.#isClosed()) {
      this.#session = session;
      this.#emit({ state: 'joined', url: link.url.url, sessionId: session.id });
      this.#logger.info('joined', { url: link.url.url, session: session.id });
      this.#settleJoined(undefined);
      this.#releaseWaiters(session);
      end = await Promise.race([ended, dead]);
    } else if (end === undefined) {
      end = await Promise.race([ended, dead]);
    }
    this.#monitor?.stop();
    this.#monitor = undefined;
    this.#session = undefined;
    this.#link = undefined;
    return end;
  }

  #startLiveness(link: Link, onDead: (message: string) => void): LivenessMonitor | undefined {
    const options = this.#liveness;
    if (options === undefined) return undefined;
    const inner = link.transport.inner;
    const probe = options.mode === 'rawsocket-ping' && isPingable(inner) ? pingProbe(inner) : wampProbe(link.session, this.#random);
    const transport = link.transport;
    const monitor = new LivenessMonitor({
      clock: this.#clock,
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      takeTraffic: () => transport.takeTraffic(),
      probe,
      onDead,
    });
    monitor.start();
    return monitor;
  }

  #isFatal(error: Error): boolean {
    if (this.#retryAuthFailures) return false;
    return error instanceof AuthenticationError || (error instanceof AbortedError && FATAL_ABORTS.has(error.uri));
  }

  #finish(reason: string, error: Error | undefined): void {
    if (this.#isClosed()) return;
    const event: StateEvent = { state: 'closed', reason, ...(error !== undefined ? { error } : {}) };
    this.#emit(event);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#monitor?.stop();
    this.#monitor = undefined;
    this.#session = undefined;
    if (this.#sleep !== undefined) {
      this.#clock.clearTimeout(this.#sleep.timer);
      this.#sleep.wake();
      this.#sleep = undefined;
    }
    const closedError = error ?? new SessionClosedError(reason, 'the connection was closed by the application');
    this.#settleJoined(closedError);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) this.#dropWaiter(waiter).reject(closedError);
    this.#resolveClosed(event);
  }

  #settleJoined(error: Error | undefined): void {
    const joined = this.#joined;
    if (joined.settled) return;
    joined.settled = true;
    if (error === undefined) joined.resolve(this);
    else joined.reject(error);
  }

  #emit(event: StateEvent): void {
    if (!TRANSITIONS[this.#state].includes(event.state)) return;
    this.#state = event.state;
    for (const listener of this.#stateListeners) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error('state listener threw', { error: messageOf(error) });
      }
    }
  }

  #sleepFor(ms: number): Promise<void> {
    return new Promise((wake) => {
      const timer = this.#clock.setTimeout(() => {
        this.#sleep = undefined;
        wake();
      }, ms);
      // A client that is to reconnect must keep a Node process alive while it waits, as its
      // socket did (systemClock's timers are unref'd). Browsers have no ref().
      (timer as { ref?: () => void }).ref?.();
      this.#sleep = { timer, wake };
    });
  }

  // ---- restoring registrations and subscriptions --------------------------------------------

  async #restoreAll(session: Session): Promise<void> {
    const tasks: Promise<void>[] = [];
    for (const handle of this.#handles) tasks.push(this.#restoreOne(handle, session));
    await Promise.all(tasks);
  }

  /**
   * Restores one handle on `session`. `procedure_already_exists` usually means the router still
   * holds our previous, dead session (gammazero/nexus#99): that is retried on the same session
   * with the reconnect backoff until it succeeds or the session ends. Other failures are reported
   * and retried on the next session.
   */
  async #restoreOne(handle: Restorable, session: Session, retry = 0): Promise<void> {
    try {
      await handle.attach(session);
    } catch (caught) {
      if (!session.isOpen || this.#isClosed() || handle.removed) return;
      const error = asError(caught);
      const failure: RestoreFailure = { kind: handle.kind, uri: handle.uri, error };
      if (error instanceof WampError && error.uri === ErrorUri.PROCEDURE_ALREADY_EXISTS) {
        failure.retryInMs = this.#random() * backoffCeiling(this.#restoreBackoff, retry);
        this.#clock.setTimeout(() => {
          if (this.#link?.session === session) void this.#restoreOne(handle, session, retry + 1);
        }, failure.retryInMs);
      }
      this.#logger.warn('could not restore after rejoin', { kind: failure.kind, uri: failure.uri, error: error.message });
      for (const listener of this.#restoreListeners) listener(failure);
    }
  }

  /** The first registration/subscription of a handle; retried on the next session if the link dies meanwhile. */
  async #attachFirst(handle: Restorable): Promise<void> {
    for (;;) {
      const session = this.#openSession() ?? (await this.#waitForSession(undefined, undefined));
      try {
        await handle.attach(session);
      } catch (error) {
        if (error instanceof SessionClosedError && !this.#isClosed()) continue;
        throw error;
      }
      this.#handles.add(handle);
      // A session that joined while the answer was on its way did not restore this handle.
      const current = this.#session;
      if (current !== undefined && current !== session) void this.#restoreOne(handle, current);
      return;
    }
  }

  readonly #forget = (handle: Restorable): void => {
    this.#handles.delete(handle);
  };

  // ---- requests while there is no session ----------------------------------------------------

  #openSession(): Session | undefined {
    const session = this.#session;
    return session !== undefined && session.isOpen ? session : undefined;
  }

  async #callLater(procedure: string, args: Args | undefined, kwargs: Dict | undefined, options: CallOptions | undefined): Promise<Result> {
    const started = this.#clock.now();
    const session = await this.#waitForSession(options?.timeout, options?.signal);
    return session.call(procedure, args, kwargs, this.#remaining(options, started));
  }

  async *#callProgressiveLater(
    procedure: string,
    args: Args | undefined,
    kwargs: Dict | undefined,
    options: Omit<CallOptions, 'onProgress'> | undefined,
  ): AsyncGenerator<Result> {
    const started = this.#clock.now();
    const session = await this.#waitForSession(options?.timeout, options?.signal);
    yield* session.callProgressive(procedure, args, kwargs, this.#remaining(options, started));
  }

  #remaining<T extends { timeout?: number }>(options: T | undefined, started: number): T | undefined {
    if (options?.timeout === undefined || options.timeout <= 0) return options;
    return { ...options, timeout: Math.max(1, options.timeout - (this.#clock.now() - started)) };
  }

  #waitForSession(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<Session> {
    if (this.#isClosed()) {
      return Promise.reject(new SessionClosedError('wamp.close.normal', 'the connection is closed'));
    }
    if (signal?.aborted === true) return Promise.reject(new CanceledError(['the call was canceled before it was sent']));
    return new Promise<Session>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (timeoutMs !== undefined && timeoutMs > 0) {
        waiter.timer = this.#clock.setTimeout(() => {
          this.#removeWaiter(waiter);
          reject(new TimeoutError([`no session to the router within ${timeoutMs} ms`]));
        }, timeoutMs);
      }
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#removeWaiter(waiter);
          reject(new CanceledError(['the call was canceled before it was sent']));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  #releaseWaiters(session: Session): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) this.#dropWaiter(waiter).resolve(session);
  }

  #removeWaiter(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
    this.#dropWaiter(waiter);
  }

  /** Clears the waiter's timer and abort listener. */
  #dropWaiter(waiter: Waiter): Waiter {
    if (waiter.timer !== undefined) this.#clock.clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }
}

// ---- handles that outlive sessions -------------------------------------------------------------

/**
 * What register()/subscribe() return: valid across reconnects. `id` is the id on the current
 * session (it changes after a rejoin); unregister()/unsubscribe() work in any state.
 */
interface Restorable {
  readonly kind: 'registration' | 'subscription';
  readonly uri: string;
  readonly removed: boolean;
  attach(session: Session): Promise<void>;
}

abstract class RestorableHandle<Inner extends { readonly id: number }> implements Restorable {
  abstract readonly kind: 'registration' | 'subscription';
  abstract readonly uri: string;
  readonly #forget: (handle: Restorable) => void;
  #current: { session: Session; inner: Inner } | undefined;
  #id = 0;
  #removed = false;

  constructor(forget: (handle: Restorable) => void) {
    this.#forget = forget;
  }

  get id(): number {
    return this.#id;
  }

  /** Whether unregister()/unsubscribe() was called. */
  get removed(): boolean {
    return this.#removed;
  }

  protected abstract open(session: Session): Promise<Inner>;
  protected abstract release(inner: Inner): Promise<void>;

  /** Registers/subscribes on `session`. */
  async attach(session: Session): Promise<void> {
    const inner = await this.open(session);
    if (this.#removed) {
      // Removed while the request was on its way: take it back.
      this.release(inner).catch(ignore);
      return;
    }
    this.#current = { session, inner };
    this.#id = inner.id;
  }

  /** Stops restoring it; unregisters/unsubscribes on the current session if that is still open. */
  protected async remove(): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    this.#forget(this);
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined && current.session.isOpen) await this.release(current.inner);
  }
}

class ManagedRegistration extends RestorableHandle<Registration> implements Registration {
  readonly kind = 'registration';
  readonly procedure: string;
  readonly #handler: Procedure;
  readonly #options: RegisterOptions;

  constructor(forget: (handle: Restorable) => void, procedure: string, handler: Procedure, options: RegisterOptions) {
    super(forget);
    this.procedure = procedure;
    this.#handler = handler;
    this.#options = options;
  }

  get uri(): string {
    return this.procedure;
  }

  unregister(): Promise<void> {
    return this.remove();
  }

  protected open(session: Session): Promise<Registration> {
    return session.register(this.procedure, this.#handler, this.#options);
  }

  protected release(inner: Registration): Promise<void> {
    return inner.unregister();
  }
}

class ManagedSubscription extends RestorableHandle<Subscription> implements Subscription {
  readonly kind = 'subscription';
  readonly topic: string;
  readonly #handler: EventHandler;
  readonly #options: SubscribeOptions;

  constructor(forget: (handle: Restorable) => void, topic: string, handler: EventHandler, options: SubscribeOptions) {
    super(forget);
    this.topic = topic;
    this.#handler = handler;
    this.#options = options;
  }

  get uri(): string {
    return this.topic;
  }

  unsubscribe(): Promise<void> {
    return this.remove();
  }

  protected open(session: Session): Promise<Subscription> {
    return session.subscribe(this.topic, this.#handler, this.#options);
  }

  protected release(inner: Subscription): Promise<void> {
    return inner.unsubscribe();
  }
}

function linkEndOf(info: { reason: string; error?: Error }): LinkEnd {
  return info.error !== undefined ? { reason: info.reason, error: info.error } : { reason: info.reason };
}

function errorReason(error: Error | undefined): string {
  return error instanceof SessionClosedError ? error.uri : TRANSPORT_LOST;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function messageOf(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

function ignore(): void {}
