import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { WampError } from '../protocol/errors.js';
import { ErrorUri } from '../protocol/uris.js';
import { backoffCeiling, type ResolvedBackoffOptions } from './backoff.js';
import { registerProblem, subscribeProblem } from './request-checks.js';
import { asError, SessionClosedError } from './errors.js';
import type { Session } from './session.js';
import type { EventHandler, Procedure, RegisterOptions, Registration, SubscribeOptions, Subscription } from './types.js';

/** A registration or subscription that could not be restored after a rejoin (it is retried on the next one). */
export interface RestoreFailure {
  kind: 'registration' | 'subscription';
  uri: string;
  error: Error;
  /** Set when it is retried on the same session after this delay (procedure_already_exists). */
  retryInMs?: number;
}

export type RestoreFailureListener = (failure: RestoreFailure) => void;

type Handle = RestorableHandle<{ readonly id: number }>;
type Forget = (handle: Handle) => void;

/** What the restorer needs from its ManagedSession. */
export interface RestoreHost {
  readonly clock: Clock;
  readonly random: () => number;
  /** The delays between retries on the same session. */
  readonly backoff: ResolvedBackoffOptions;
  readonly logger: Logger;
  isClosed(): boolean;
  /** The session of the link being served (restoring or joined). */
  servedSession(): Session | undefined;
  /** The session while joined (set once it was restored). */
  joinedSession(): Session | undefined;
  /** The next session to join. */
  waitForSession(): Promise<Session>;
  reportFailure(failure: RestoreFailure): void;
}

/**
 * Every registration and subscription made through a ManagedSession, re-made with the same
 * handler and options on each new session before it reports `joined`.
 */
export class Restorer {
  readonly #host: RestoreHost;
  readonly #handles = new Set<Handle>();

  constructor(host: RestoreHost) {
    this.#host = host;
  }

  /** Rejects with TypeError at once for a mistake in the arguments (request-checks.ts). */
  register(procedure: string, handler: Procedure, options: RegisterOptions): Promise<Registration> {
    const problem = registerProblem(procedure, handler, options);
    if (problem !== undefined) return Promise.reject(problem);
    return this.#attachFirst(new ManagedRegistration(this.#forget, procedure, handler, options));
  }

  subscribe(topic: string, handler: EventHandler, options: SubscribeOptions): Promise<Subscription> {
    const problem = subscribeProblem(topic, handler, options);
    if (problem !== undefined) return Promise.reject(problem);
    return this.#attachFirst(new ManagedSubscription(this.#forget, topic, handler, options));
  }

  /** Restores every handle on `session`; resolves when each has succeeded or failed once. */
  async restoreAll(session: Session): Promise<void> {
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
  async #restoreOne(handle: Handle, session: Session, retry = 0): Promise<void> {
    const host = this.#host;
    try {
      await handle.attach(session);
    } catch (caught) {
      if (!session.isOpen || host.isClosed() || handle.removed) return;
      const error = asError(caught);
      const failure: RestoreFailure = { kind: handle.kind, uri: handle.uri, error };
      if (error instanceof WampError && error.uri === ErrorUri.PROCEDURE_ALREADY_EXISTS) {
        failure.retryInMs = host.random() * backoffCeiling(host.backoff, retry);
        host.clock.setTimeout(() => {
          if (host.servedSession() === session) void this.#restoreOne(handle, session, retry + 1);
        }, failure.retryInMs);
      }
      host.logger.warn('could not restore after rejoin', { kind: failure.kind, uri: failure.uri, error: error.message });
      host.reportFailure(failure);
    }
  }

  /** The first registration/subscription of a handle; retried on the next session if the link dies meanwhile. */
  async #attachFirst<H extends Handle>(handle: H): Promise<H> {
    const host = this.#host;
    for (;;) {
      // An open session is used at once, so the request goes out before register() returns.
      const joined = host.joinedSession();
      const session = joined?.isOpen === true ? joined : await host.waitForSession();
      try {
        await handle.attach(session);
      } catch (error) {
        if (error instanceof SessionClosedError && !host.isClosed()) continue;
        throw error;
      }
      this.#handles.add(handle);
      // A session that joined while the answer was on its way did not restore this handle.
      const current = host.joinedSession();
      if (current !== undefined && current !== session) void this.#restoreOne(handle, current);
      return handle;
    }
  }

  readonly #forget = (handle: Handle): void => {
    this.#handles.delete(handle);
  };
}

/**
 * What register()/subscribe() return: valid across reconnects. `id` is the id on the current
 * session (it changes after a rejoin); unregister()/unsubscribe() work in any state.
 */
abstract class RestorableHandle<Inner extends { readonly id: number }, Handler = unknown, Options = unknown> {
  abstract readonly kind: 'registration' | 'subscription';
  /** The procedure or topic. */
  readonly uri: string;
  protected readonly handler: Handler;
  protected readonly options: Options;
  readonly #forget: Forget;
  #current: { session: Session; inner: Inner } | undefined;
  #id = 0;
  #removed = false;

  constructor(forget: Forget, uri: string, handler: Handler, options: Options) {
    this.#forget = forget;
    this.uri = uri;
    this.handler = handler;
    this.options = options;
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

class ManagedRegistration extends RestorableHandle<Registration, Procedure, RegisterOptions> implements Registration {
  readonly kind = 'registration';
  readonly procedure: string = this.uri;

  unregister(): Promise<void> {
    return this.remove();
  }

  protected open(session: Session): Promise<Registration> {
    return session.register(this.uri, this.handler, this.options);
  }

  protected release(inner: Registration): Promise<void> {
    return inner.unregister();
  }
}

class ManagedSubscription extends RestorableHandle<Subscription, EventHandler, SubscribeOptions> implements Subscription {
  readonly kind = 'subscription';
  readonly topic: string = this.uri;

  unsubscribe(): Promise<void> {
    return this.remove();
  }

  protected open(session: Session): Promise<Subscription> {
    return session.subscribe(this.uri, this.handler, this.options);
  }

  protected release(inner: Subscription): Promise<void> {
    return inner.unsubscribe();
  }
}

function ignore(): void {}
