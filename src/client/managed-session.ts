import type { TimerHandle } from '../common/clock.js';
import type { Args, Dict } from '../protocol/messages.js';
import { resolveConnectOptions, stopsReconnecting, type ConnectOptions, type ResolvedConnectOptions } from './connect-options.js';
import { ConnectionStateReporter, type ConnectionState, type StateEvent, type StateListener } from './connection-state.js';
import { asError, CanceledError, SessionClosedError, TRANSPORT_LOST } from './errors.js';
import { linkEnded, openLink, watchLink, type Link, type LinkEnd } from './link.js';
import type { LivenessMonitor } from './liveness.js';
import { Restorer, type RestoreFailure, type RestoreFailureListener } from './restorable.js';
import type { Session } from './session.js';
import { SessionWaiters } from './session-waiters.js';
import type * as T from './types.js';

/**
 * The session behind `connect()` (connection.ts): a WAMP session that survives its connections.
 * URLs are tried in order on each round; between failed rounds it waits per the reconnect backoff.
 * After every WELCOME it restores what was registered and subscribed through it (restorable.ts)
 * before it reports `joined`; requests made meanwhile wait for that (session-waiters.ts).
 *
 * Rejects `joinedOnce` (and so connect()) when the first round fails with `reconnect: false`,
 * when the router refuses the credentials or realm, or when the retries are used up.
 * `close()`/`leave()` stop reconnecting for good.
 */
export class ManagedSession implements T.WampApi {
  /** Resolves with this on the first join; rejects if it closes before that. */
  readonly joinedOnce: Promise<ManagedSession>;
  /** Resolves with the `closed` event (never rejects). */
  readonly closed: Promise<StateEvent>;

  readonly #resolved: ResolvedConnectOptions;
  readonly #state: ConnectionStateReporter;
  readonly #restoreListeners = new Set<RestoreFailureListener>();
  readonly #restorer: Restorer;
  readonly #waiters: SessionWaiters;
  /** The link being opened or served. */
  #link: Link | undefined;
  /** Set while joined (after restoring): requests go straight to it. */
  #session: Session | undefined;
  #monitor: LivenessMonitor | undefined;
  #sleep: { timer: TimerHandle; wake: () => void } | undefined;
  #joined!: { resolve(value: ManagedSession): void; reject(error: Error): void; settled: boolean };
  #resolveClosed!: (event: StateEvent) => void;

  constructor(options: ConnectOptions) {
    const resolved = resolveConnectOptions(options);
    this.#resolved = resolved;
    this.#state = new ConnectionStateReporter(resolved.logger, options.onState);
    this.#waiters = new SessionWaiters(resolved.clock, () => this.#isClosed());
    this.#restorer = new Restorer({
      clock: resolved.clock,
      random: resolved.random,
      backoff: resolved.restoreBackoff,
      logger: resolved.logger,
      isClosed: () => this.#isClosed(),
      servedSession: () => this.#link?.session,
      joinedSession: () => this.#session,
      waitForSession: () => this.#waiters.wait(undefined, undefined),
      reportFailure: (failure) => this.#reportRestoreFailure(failure),
    });
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
    return this.#state.state;
  }

  readonly #onAbort = (): void => {
    void this.leave();
  };

  /** A method, not a field read, so checks after an await are not narrowed away. */
  #isClosed(): boolean {
    return this.#state.state === 'closed';
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
    if (event === 'state') this.#state.add(listener as StateListener);
    else this.#restoreListeners.add(listener as RestoreFailureListener);
    return this;
  }

  off(event: 'state' | 'restoreFailed', listener: StateListener | RestoreFailureListener): this {
    if (event === 'state') this.#state.delete(listener as StateListener);
    else this.#restoreListeners.delete(listener as RestoreFailureListener);
    return this;
  }

  // ---- WampApi -------------------------------------------------------------------------------

  // Arguments are checked (TypeError at once) by Session, SessionWaiters and Restorer: request-checks.ts.
  call(procedure: string, args?: Args, kwargs?: Dict, options?: T.CallOptions): Promise<T.Result> {
    const session = this.#openSession();
    if (session !== undefined) return session.call(procedure, args, kwargs, options);
    return this.#waiters.call(procedure, args, kwargs, options);
  }

  callProgressive(procedure: string, args?: Args, kwargs?: Dict, options?: Omit<T.CallOptions, 'onProgress'>): AsyncIterable<T.Result> {
    const session = this.#openSession();
    if (session !== undefined) return session.callProgressive(procedure, args, kwargs, options);
    return this.#waiters.callProgressive(procedure, args, kwargs, options);
  }

  publish(topic: string, args?: Args, kwargs?: Dict, options?: T.PublishOptions): Promise<void> {
    const session = this.#openSession();
    if (session !== undefined) return session.publish(topic, args, kwargs, options);
    return this.#waiters.publish(topic, args, kwargs, options);
  }

  /** The registration is restored on every later session until unregister(). */
  register(procedure: string, handler: T.Procedure, options: T.RegisterOptions = {}): Promise<T.Registration> {
    return this.#restorer.register(procedure, handler, options);
  }

  /** The subscription is restored on every later session until unsubscribe(). */
  subscribe(topic: string, handler: T.EventHandler, options: T.SubscribeOptions = {}): Promise<T.Subscription> {
    return this.#restorer.subscribe(topic, handler, options);
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
        this.#resolved.logger.debug('leave failed', { error: asError(error).message });
      }
    }
  }

  /** Same as leave(). */
  close(): Promise<void> {
    return this.leave();
  }

  // ---- the connection loop -------------------------------------------------------------------

  async #run(): Promise<void> {
    const { backoff, logger } = this.#resolved;
    for (;;) {
      const round = await this.#connectRound();
      if (this.#isClosed()) return;
      let lastError = round.error;
      if (round.link !== undefined) {
        backoff?.joined();
        const end = await this.#serve(round.link);
        if (this.#isClosed()) return;
        backoff?.ended(end.reason);
        this.#state.emit({ state: 'disconnected', reason: end.reason, ...(end.error !== undefined ? { error: end.error } : {}) });
        logger.warn('session lost', { url: round.link.url.url, reason: end.reason, error: end.error?.message });
        lastError = end.error ?? new SessionClosedError(end.reason, undefined, { byPeer: true });
      } else if (round.fatal === true) {
        this.#finish(errorReason(round.error), round.error);
        return;
      }
      if (backoff === undefined) {
        this.#finish(errorReason(lastError), lastError);
        return;
      }
      const delayMs = backoff.next();
      if (delayMs === undefined) {
        const retries = backoff.options.retries;
        this.#finish(errorReason(lastError), new Error(`gave up after ${retries} retries: ${lastError?.message ?? 'no session'}`, { cause: lastError }));
        return;
      }
      this.#state.emit({ state: 'retrying', attempt: backoff.attempt, delayMs, ...(lastError !== undefined ? { error: lastError } : {}) });
      logger.info('retrying', { attempt: backoff.attempt, delayMs: Math.round(delayMs) });
      await this.#sleepFor(delayMs);
      if (this.#isClosed()) return;
    }
  }

  /** One pass over the URLs: the first that yields a session wins. */
  async #connectRound(): Promise<{ link?: Link; error?: Error; fatal?: boolean }> {
    const resolved = this.#resolved;
    let error: Error | undefined;
    for (const endpoint of resolved.endpoints) {
      const url = endpoint.url;
      this.#state.emit({ state: 'connecting', url: url.url, attempt: resolved.backoff?.attempt ?? 0 });
      try {
        const link = await openLink(endpoint, resolved, () => this.#isClosed());
        return link === undefined ? {} : { link };
      } catch (caught) {
        if (this.#isClosed()) return {};
        error = asError(caught);
        resolved.logger.warn('connection attempt failed', { url: url.url, error: error.message });
        if (stopsReconnecting(error, resolved.retryAuthFailures)) return { error, fatal: true };
      }
    }
    return error !== undefined ? { error } : {};
  }

  /** Restores, reports `joined`, and waits until the session ends or the link is found dead. */
  async #serve(link: Link): Promise<LinkEnd> {
    const { session } = link;
    this.#link = link;
    let declareDead!: (end: LinkEnd) => void;
    const dead = new Promise<LinkEnd>((resolve) => {
      declareDead = resolve;
    });
    const ended = linkEnded(link);
    this.#monitor = watchLink(link, this.#resolved, (message) => {
      declareDead({ reason: TRANSPORT_LOST, error: new SessionClosedError(TRANSPORT_LOST, message, { byPeer: true }) });
      link.transport.destroy('liveness timeout');
    });
    let end = await Promise.race([this.#restorer.restoreAll(session).then(() => undefined), ended, dead]);
    if (end === undefined) {
      if (session.isOpen && !this.#isClosed()) {
        this.#session = session;
        this.#state.emit({ state: 'joined', url: link.url.url, sessionId: session.id });
        this.#resolved.logger.info('joined', { url: link.url.url, session: session.id });
        this.#settleJoined(undefined);
        this.#waiters.releaseAll(session);
      }
      end = await Promise.race([ended, dead]);
    }
    this.#monitor?.stop();
    this.#monitor = undefined;
    this.#session = undefined;
    this.#link = undefined;
    return end;
  }

  #finish(reason: string, error: Error | undefined): void {
    if (this.#isClosed()) return;
    const event: StateEvent = { state: 'closed', reason, ...(error !== undefined ? { error } : {}) };
    this.#state.emit(event);
    this.#resolved.options.signal?.removeEventListener('abort', this.#onAbort);
    this.#monitor?.stop();
    this.#monitor = undefined;
    this.#session = undefined;
    if (this.#sleep !== undefined) {
      this.#resolved.clock.clearTimeout(this.#sleep.timer);
      this.#sleep.wake();
      this.#sleep = undefined;
    }
    const closedError = error ?? new SessionClosedError(reason, 'the connection was closed by the application');
    this.#settleJoined(closedError);
    this.#waiters.rejectAll(closedError);
    this.#resolveClosed(event);
  }

  #settleJoined(error: Error | undefined): void {
    const joined = this.#joined;
    if (joined.settled) return;
    joined.settled = true;
    if (error === undefined) joined.resolve(this);
    else joined.reject(error);
  }

  #reportRestoreFailure(failure: RestoreFailure): void {
    for (const listener of this.#restoreListeners) listener(failure);
  }

  #sleepFor(ms: number): Promise<void> {
    return new Promise((wake) => {
      const timer = this.#resolved.clock.setTimeout(() => {
        this.#sleep = undefined;
        wake();
      }, ms);
      // A client that is to reconnect must keep a Node process alive while it waits, as its
      // socket did (systemClock's timers are unref'd). Browsers have no ref().
      (timer as { ref?: () => void }).ref?.();
      this.#sleep = { timer, wake };
    });
  }

  #openSession(): Session | undefined {
    const session = this.#session;
    return session !== undefined && session.isOpen ? session : undefined;
  }
}

function errorReason(error: Error | undefined): string {
  return error instanceof SessionClosedError ? error.uri : TRANSPORT_LOST;
}
