import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ProtocolError, WampError } from '../protocol/errors.js';
import type { RouterScopeIds } from '../protocol/ids.js';
import { MessageType, messageTypeName } from '../protocol/message-type.js';
import { withPayload, type Dict, type WampMessage } from '../protocol/messages.js';
import { CloseUri, ErrorUri, type UriMode } from '../protocol/uris.js';
import type { Transport } from '../transport/transport.js';
import type { Authenticator, AuthRequest, Identity } from './auth/authenticator.js';
import type { Action, Authorizer } from './auth/authorizer.js';
import { Broker } from './broker.js';
import { Dealer } from './dealer.js';
import { routerRoles } from './features.js';
import { createMetaProcedures, sessionDetails, type MetaProcedure } from './realm-meta.js';
import { RouterSession } from './router-session.js';
import { Testaments } from './testaments.js';

/** Picks the authenticator for a HELLO (see auth/). */
export interface RealmAuthenticators {
  select(request: AuthRequest): Authenticator;
}

export interface RealmOptions {
  name: string;
  uriMode: UriMode;
  authenticators: RealmAuthenticators;
  authorizer: Authorizer;
  /** Router-scope ids (subscriptions, registrations), shared by every realm of a router. */
  ids: RouterScopeIds;
  maxQueueBytes: number;
  logger: Logger;
  clock: Clock;
  /** How long a session has to answer the router's GOODBYE before its transport is closed. */
  goodbyeTimeoutMs?: number;
}

export interface JoinRequest {
  id: number;
  transport: Transport;
  identity: Identity;
  roles: Dict;
}

/**
 * A routing and administrative domain: its sessions, broker, dealer, meta API and testaments.
 * `handle` sends each established-session message to the right place (nexus router/realm.go).
 */
export class Realm {
  readonly name: string;
  readonly authenticators: RealmAuthenticators;
  readonly #authorizer: Authorizer;
  readonly #sessions = new Map<number, RouterSession>();
  readonly #closing = new WeakMap<RouterSession, TimerHandle>();
  readonly #broker: Broker;
  readonly #dealer: Dealer;
  readonly #testaments = new Testaments();
  readonly #meta: Map<string, MetaProcedure>;
  readonly #options: RealmOptions;
  readonly #logger: Logger;

  constructor(options: RealmOptions) {
    this.name = options.name;
    this.authenticators = options.authenticators;
    this.#authorizer = options.authorizer;
    this.#options = options;
    this.#logger = options.logger;
    const onMeta = (topic: string, args: unknown[]) => this.#broker.publishInternal(topic, args);
    const common = { ids: options.ids, uriMode: options.uriMode, onMeta, logger: options.logger };
    this.#broker = new Broker(common);
    this.#dealer = new Dealer({ ...common, clock: options.clock });
    this.#meta = createMetaProcedures({
      sessions: this.#sessions,
      broker: this.#broker,
      dealer: this.#dealer,
      testaments: this.#testaments,
      authorizer: this.#authorizer,
      kick: (session, reason, message) => this.kick(session, reason, message),
    });
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Admits an authenticated session: sends WELCOME, then publishes wamp.session.on_join. */
  join(request: JoinRequest): RouterSession {
    const session = new RouterSession({
      id: request.id,
      realm: this.name,
      identity: request.identity,
      roles: request.roles,
      transport: request.transport,
      maxQueueBytes: this.#options.maxQueueBytes,
      onSlowConsumer: (s) => this.#slowConsumer(s),
    });
    const { authid, authrole, authmethod, authprovider, authextra } = request.identity;
    const details: Dict = { realm: this.name, authid, authrole, authmethod, authprovider, roles: routerRoles() };
    if (authextra !== undefined) details['authextra'] = authextra;
    // Throws (PayloadSizeExceededError) before the session is registered if WELCOME is too large.
    session.send([MessageType.WELCOME, session.id, details]);
    this.#sessions.set(session.id, session);
    this.#broker.publishInternal('wamp.session.on_join', [sessionDetails(session)]);
    return session;
  }

  /** Routes one message of an established session. Throws ProtocolError on a violation. */
  handle(session: RouterSession, message: WampMessage): void {
    switch (message[0]) {
      case MessageType.PUBLISH:
        this.#nextRequest(session, message[1]);
        if (!this.#permitted(session, 'publish', message[3], message[2]['acknowledge'] === true, message)) return;
        try {
          this.#broker.publish(session, message);
        } catch (error) {
          if (message[2]['acknowledge'] === true) this.#replyError(session, message[0], message[1], error);
        }
        return;
      case MessageType.SUBSCRIBE:
        this.#nextRequest(session, message[1]);
        if (!this.#permitted(session, 'subscribe', message[3], true, message)) return;
        try {
          this.#broker.subscribe(session, message);
        } catch (error) {
          this.#replyError(session, message[0], message[1], error);
        }
        return;
      case MessageType.UNSUBSCRIBE:
        this.#nextRequest(session, message[1]);
        try {
          this.#broker.unsubscribe(session, message);
        } catch (error) {
          this.#replyError(session, message[0], message[1], error);
        }
        return;
      case MessageType.CALL:
        this.#nextRequest(session, message[1]);
        if (!this.#permitted(session, 'call', message[3], true, message)) return;
        try {
          const meta = this.#meta.get(message[3]);
          if (meta === undefined) return this.#dealer.call(session, message);
          const result = meta(session, message[4] ?? [], message[5] ?? {});
          session.send(withPayload([MessageType.RESULT, message[1], {}], result.args, result.kwargs));
        } catch (error) {
          this.#replyError(session, message[0], message[1], error);
        }
        return;
      case MessageType.REGISTER:
        this.#nextRequest(session, message[1]);
        if (!this.#permitted(session, 'register', message[3], true, message)) return;
        try {
          this.#dealer.register(session, message);
        } catch (error) {
          this.#replyError(session, message[0], message[1], error);
        }
        return;
      case MessageType.UNREGISTER:
        this.#nextRequest(session, message[1]);
        try {
          this.#dealer.unregister(session, message);
        } catch (error) {
          this.#replyError(session, message[0], message[1], error);
        }
        return;
      case MessageType.YIELD:
        return this.#dealer.yield(session, message);
      case MessageType.CANCEL:
        return this.#dealer.cancel(session, message);
      case MessageType.ERROR:
        if (message[1] !== MessageType.INVOCATION) {
          throw new ProtocolError(`a client may send ERROR only for INVOCATION, got one for ${messageTypeName(message[1])}`);
        }
        return this.#dealer.error(session, message);
      default:
        throw new ProtocolError(`${messageTypeName(message[0])} is not allowed after the session is established`);
    }
  }

  /** Removes a session (transport closed or GOODBYE): its registrations, subscriptions, testaments. */
  leave(session: RouterSession, reason: string): void {
    // A GOODBYE timer (kick) is only needed until the transport has closed.
    const timer = this.#closing.get(session);
    if (timer !== undefined && !session.transport.isOpen) this.#options.clock.clearTimeout(timer);
    if (!this.#sessions.delete(session.id)) return;
    this.#dealer.removeSession(session);
    this.#broker.removeSession(session);
    for (const t of this.#testaments.take(session)) {
      this.#broker.publishInternal(t.topic, t.args, t.kwargs, t.options);
    }
    const { authid, authrole } = session.identity;
    this.#broker.publishInternal('wamp.session.on_leave', [session.id, authid, authrole]);
    this.#logger.debug('session removed', { session: session.id, realm: this.name, reason });
  }

  /** Ends a session from the router side with GOODBYE; its transport closes on the reply or a timeout. */
  kick(session: RouterSession, reason: string = CloseUri.KILLED, message?: string): void {
    if (this.#closing.has(session)) return;
    const details: Dict = message !== undefined ? { message } : {};
    session.send([MessageType.GOODBYE, details, reason]);
    const timeoutMs = this.#options.goodbyeTimeoutMs ?? 2000;
    this.#closing.set(session, this.#options.clock.setTimeout(() => session.transport.close('goodbye timeout'), timeoutMs));
    this.leave(session, reason);
  }

  /** Whether the router has sent this session a GOODBYE (so the peer's GOODBYE is the reply). */
  isClosing(session: RouterSession): boolean {
    return this.#closing.has(session);
  }

  /** Sends every session GOODBYE (wamp.close.system_shutdown by default). */
  close(reason: string = CloseUri.SYSTEM_SHUTDOWN): void {
    for (const session of [...this.#sessions.values()]) this.kick(session, reason);
  }

  #nextRequest(session: RouterSession, requestId: number): void {
    const expected = session.inboundIds.next();
    if (requestId !== expected) {
      throw new ProtocolError(`request id ${requestId} is out of sequence (expected ${expected})`);
    }
  }

  #permitted(session: RouterSession, action: Action, uri: string, reply: boolean, message: WampMessage): boolean {
    if (this.#authorizer.authorize(session.identity.authrole, action, uri)) return true;
    if (reply) {
      const error = new WampError(ErrorUri.NOT_AUTHORIZED, [
        `session is not authorized to ${action} '${uri}' (role '${session.identity.authrole}')`,
      ]);
      this.#replyError(session, message[0], message[1] as number, error);
    }
    return false;
  }

  #replyError(session: RouterSession, requestType: number, requestId: number, error: unknown): void {
    if (!(error instanceof WampError)) {
      this.#logger.error('request failed', { session: session.id, request: messageTypeName(requestType), error: String(error) });
      error = new WampError(ErrorUri.RUNTIME_ERROR, ['internal router error']);
    }
    const e = error as WampError;
    session.send(withPayload([MessageType.ERROR, requestType, requestId, e.details, e.uri], e.args, e.kwargs));
  }

  #slowConsumer(session: RouterSession): void {
    this.#logger.warn('slow consumer disconnected', {
      session: session.id,
      realm: this.name,
      queued_bytes: session.transport.bufferedAmount,
    });
    session.transport.destroy('slow consumer');
  }
}
