import { systemClock, type Clock, type TimerHandle } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { ProtocolError } from '../protocol/errors.js';
import { SequentialIds } from '../protocol/ids.js';
import { MessageType, messageTypeName } from '../protocol/message-type.js';
import type { AbortMessage, Args, ChallengeMessage, Dict, GoodbyeMessage, WampMessage, WelcomeMessage } from '../protocol/messages.js';
import { CloseUri, ErrorUri } from '../protocol/uris.js';
import type { CloseInfo, Transport } from '../transport/transport.js';
import { createAuthenticator, type ClientAuthenticator } from './auth/authenticator.js';
import { abortError, AuthenticationError, SessionClosedError, TimeoutError, TRANSPORT_LOST } from './errors.js';
import { helloDetails, RouterFeatures } from './hello.js';
import { callProblem, publishProblem, registerProblem, subscribeProblem } from './request-checks.js';
import type { Pending, RoleContext } from './roles/role.js';
import { RoleSet } from './roles/role-set.js';
import { SessionStateMachine, type SessionEvent, type SessionState } from './session-state.js';
import type * as T from './types.js';
import type { JoinOptions, SessionCloseInfo } from './types.js';

export { result, CallResult } from './roles/invocation.js';
export type { JoinOptions, SessionCloseInfo } from './types.js';

/**
 * One WAMP session over one transport (basic/sessions.md): HELLO, optional CHALLENGE rounds,
 * WELCOME; then messages are dispatched to the four role processors in roles/; it ends with
 * GOODBYE (either side), ABORT, a protocol violation or the transport closing, after which every
 * pending request is rejected with SessionClosedError. Request ids run 1, 2, 3… across all
 * request types. Reconnecting is the connection manager's job: a Session is used once.
 *
 * Transports parse inbound messages themselves: to tolerate routers that send ids as numeric
 * strings (fox-wamp), create them with `parse: { lenientIds: true }` (connectRawSocket,
 * connectWebSocket). `null` payloads are dropped by parseMessage.
 */
export class Session implements T.WampApi {
  readonly realm: string;
  /** Resolves once, when the session ends, with why. */
  readonly closed: Promise<SessionCloseInfo>;
  readonly #transport: Transport;
  readonly #auth: ClientAuthenticator;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #leaveTimeout: number;
  readonly #state = new SessionStateMachine();
  readonly #ids = new SequentialIds();
  readonly #roles: RoleSet;
  #id = 0;
  #details: Dict = {};
  #router = RouterFeatures.NONE;
  #join: Pending<Session> | undefined;
  #timer: TimerHandle | undefined;
  /** Set once the session is closing or closed: what new requests are rejected with. */
  #closeError: SessionClosedError | undefined;
  #resolveClosed!: (info: SessionCloseInfo) => void;

  /** Opens a session on an established transport; rejects with AuthenticationError, AbortedError, TimeoutError or SessionClosedError. */
  static async join(transport: Transport, options: JoinOptions): Promise<Session> {
    let auth: ClientAuthenticator;
    try {
      auth = await createAuthenticator(options.auth);
    } catch (error) {
      transport.close('invalid authentication options');
      throw error;
    }
    return new Promise((resolve, reject) => new Session(transport, options, auth, { resolve, reject }));
  }

  private constructor(transport: Transport, options: JoinOptions, auth: ClientAuthenticator, join: Pending<Session>) {
    this.realm = options.realm;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#transport = transport;
    this.#auth = auth;
    this.#join = join;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#leaveTimeout = options.leaveTimeout ?? 2_000;
    const ctx: RoleContext = {
      clock: this.#clock,
      logger: this.#logger,
      nextRequestId: () => this.#ids.peek(),
      sendRequest: (message) => {
        this.#send(message);
        this.#ids.next();
      },
      send: (message) => this.#send(message),
      routerSupports: (role, feature) => this.routerSupports(role, feature),
      closedError: () => this.#closeError,
    };
    this.#roles = new RoleSet(ctx);
    const joinTimeout = options.joinTimeout ?? 10_000;
    if (joinTimeout > 0) this.#timer = this.#clock.setTimeout(() => this.#joinTimedOut(joinTimeout), joinTimeout);
    transport.attach({
      onMessage: (message) => this.#onMessage(message),
      onProtocolError: (error) => this.#violation(error.message),
      onClose: (info) => this.#transportClosed(info),
    });
    this.#hello(options);
  }

  get id(): number {
    return this.#id;
  }
  /** WELCOME.Details. */
  get details(): Dict {
    return this.#details;
  }
  get authid(): string {
    return textOf(this.#details['authid']) ?? this.#auth.authid ?? '';
  }
  get authrole(): string {
    return textOf(this.#details['authrole']) ?? '';
  }
  get state(): SessionState {
    return this.#state.state;
  }
  get isOpen(): boolean {
    return this.#state.state === 'established';
  }

  /** Whether WELCOME announced `roles[role].features[feature] = true`. */
  routerSupports(role: 'broker' | 'dealer', feature: string): boolean {
    return this.#router.supports(role, feature);
  }

  // Arguments are checked here (request-checks.ts): a mistake rejects with TypeError and sends nothing.
  call(procedure: string, args?: Args, kwargs?: Dict, options?: T.CallOptions): Promise<T.Result> {
    const problem = callProblem(procedure, args, kwargs, options);
    return problem !== undefined ? Promise.reject(problem) : this.#roles.caller.call(procedure, args, kwargs, options);
  }
  /** Throws TypeError at once for a mistake in the arguments. */
  callProgressive(procedure: string, args?: Args, kwargs?: Dict, options?: Omit<T.CallOptions, 'onProgress'>): AsyncIterable<T.Result> {
    const problem = callProblem(procedure, args, kwargs, options);
    if (problem !== undefined) throw problem;
    return this.#roles.caller.callProgressive(procedure, args, kwargs, options);
  }
  register(procedure: string, handler: T.Procedure, options?: T.RegisterOptions): Promise<T.Registration> {
    const problem = registerProblem(procedure, handler, options);
    return problem !== undefined ? Promise.reject(problem) : this.#roles.callee.register(procedure, handler, options);
  }
  publish(topic: string, args?: Args, kwargs?: Dict, options?: T.PublishOptions): Promise<void> {
    const problem = publishProblem(topic, args, kwargs, options);
    return problem !== undefined ? Promise.reject(problem) : this.#roles.publisher.publish(topic, args, kwargs, options);
  }
  subscribe(topic: string, handler: T.EventHandler, options?: T.SubscribeOptions): Promise<T.Subscription> {
    const problem = subscribeProblem(topic, handler, options);
    return problem !== undefined ? Promise.reject(problem) : this.#roles.subscriber.subscribe(topic, handler, options);
  }

  /** GOODBYE, then waits (bounded by leaveTimeout) for the router's reply and closes the transport. */
  async leave(reason: string = CloseUri.CLOSE_REALM): Promise<void> {
    if (this.#state.fire('leave')) {
      this.#closeError = new SessionClosedError(reason, 'the session is leaving');
      this.#transport.send([MessageType.GOODBYE, {}, reason]);
      this.#clearTimer();
      const closeError = this.#closeError;
      this.#timer = this.#clock.setTimeout(() => this.#end('close', { reason, byPeer: false }, closeError), this.#leaveTimeout);
    }
    await this.closed;
  }

  #hello(options: JoinOptions): void {
    try {
      this.#transport.send([MessageType.HELLO, this.realm, helloDetails(this.#auth, options)]);
    } catch (error) {
      this.#end('close', { reason: TRANSPORT_LOST, message: String(error), byPeer: false }, error as Error);
    }
  }

  #send(message: WampMessage): void {
    if (this.#state.state === 'established') this.#transport.send(message);
  }

  #onMessage(message: WampMessage): void {
    if (!this.#state.accepts(message[0])) {
      if (this.#state.state !== 'closed') this.#violation(`unexpected ${messageTypeName(message[0])} in state ${this.#state.state}`);
      return;
    }
    try {
      this.#dispatch(message);
    } catch (error) {
      if (error instanceof ProtocolError) this.#violation(error.message);
      else this.#logger.error('failed to handle a message', { type: messageTypeName(message[0]), error: String(error) });
    }
  }

  /** The session's own messages here; everything else goes to a role (RoleSet). */
  #dispatch(message: WampMessage): void {
    switch (message[0]) {
      case MessageType.WELCOME: return this.#welcome(message);
      case MessageType.CHALLENGE: return void this.#challenge(message);
      case MessageType.ABORT: return this.#abort(message);
      case MessageType.GOODBYE: return this.#goodbye(message);
      default: return this.#roles.handle(message);
    }
  }

  #welcome([, id, details]: WelcomeMessage): void {
    this.#state.fire('welcome');
    this.#clearTimer();
    this.#id = id;
    this.#details = details;
    this.#router = new RouterFeatures(details);
    const join = this.#join;
    this.#join = undefined;
    join?.resolve(this);
  }

  async #challenge([, method, extra]: ChallengeMessage): Promise<void> {
    this.#state.fire('challenge');
    const auth = this.#auth;
    let signature: string;
    try {
      if (method !== auth.method) throw new Error(`the router asked for ${method}, but ${auth.method} is configured`);
      signature = await auth.answer(extra);
    } catch (error) {
      if (this.#state.state !== 'authenticating') return;
      const message = error instanceof Error ? error.message : String(error);
      const uri = ErrorUri.AUTHENTICATION_FAILED;
      this.#transport.send([MessageType.ABORT, { message }, uri]);
      this.#end('abort', { reason: uri, message, byPeer: false }, new AuthenticationError(uri, { message }, [], {}, false));
      return;
    }
    if (this.#state.state === 'authenticating') this.#transport.send([MessageType.AUTHENTICATE, signature, {}]);
  }

  #abort([, details, reason, args, kwargs]: AbortMessage): void {
    const state = this.#state.state;
    const stage = state === 'joining' ? 'hello' : state === 'authenticating' ? 'challenge' : 'session';
    const error = abortError(stage, reason, details, args, kwargs);
    this.#end('abort', { reason, message: textOf(details['message'] ?? args?.[0]), byPeer: true }, error);
  }

  #goodbye([, details, reason]: GoodbyeMessage): void {
    // While closing, any GOODBYE is the reply to ours (fox-wamp's is `wamp.error.goodbye_and_out`).
    const leaving = this.#state.state === 'closing' ? this.#closeError : undefined;
    if (leaving !== undefined) return this.#end('goodbye', { reason: leaving.uri, byPeer: false }, leaving);
    this.#transport.send([MessageType.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
    this.#end('goodbye', { reason, message: textOf(details['message']), byPeer: true });
  }

  #violation(message: string): void {
    if (this.#state.state === 'closed') return;
    const uri = ErrorUri.PROTOCOL_VIOLATION;
    this.#logger.warn('protocol violation by the router', { message });
    this.#transport.send([MessageType.ABORT, { message }, uri]);
    this.#end('close', { reason: uri, message, byPeer: false, error: new ProtocolError(message) });
  }

  #transportClosed(info: CloseInfo): void {
    const leaving = this.#state.state === 'closing' ? this.#closeError : undefined;
    if (leaving !== undefined) return this.#end('close', { reason: leaving.uri, byPeer: false }, leaving);
    const closeInfo: SessionCloseInfo = { reason: TRANSPORT_LOST, message: info.reason, byPeer: !info.local };
    if (info.error !== undefined) closeInfo.error = info.error;
    this.#end('close', closeInfo);
  }

  #joinTimedOut(ms: number): void {
    this.#timer = undefined;
    const message = `no WELCOME within ${ms} ms`;
    this.#end('close', { reason: ErrorUri.TIMEOUT, message, byPeer: false }, new TimeoutError([message]));
  }

  /**
   * The session is over: reject the join or everything pending, close the transport, resolve
   * `closed`. Runs once; `error` (default: a SessionClosedError from `info`) is what pending
   * requests or the join are rejected with.
   */
  #end(event: SessionEvent, info: SessionCloseInfo, error?: Error): void {
    if (!this.#state.fire(event)) return;
    this.#clearTimer();
    const closeError =
      error instanceof SessionClosedError
        ? error
        : new SessionClosedError(info.reason, info.message, { byPeer: info.byPeer, cause: info.error });
    this.#closeError = closeError;
    const join = this.#join;
    this.#join = undefined;
    join?.reject(error ?? closeError);
    this.#roles.close(closeError);
    this.#transport.close(info.reason);
    if (join === undefined) this.#logger.debug('session closed', { reason: info.reason, byPeer: info.byPeer });
    this.#resolveClosed(info);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
