import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ProtocolError } from '../protocol/errors.js';
import { WampError } from '../protocol/errors.js';
import { MessageType, messageTypeName } from '../protocol/message-type.js';
import type { AuthenticateMessage, Dict, HelloMessage, WampMessage } from '../protocol/messages.js';
import { parseHello, type HelloRequest } from './hello.js';
import { CloseUri, ErrorUri } from '../protocol/uris.js';
import type { CloseInfo, Transport, TransportHandlers } from '../transport/transport.js';
import type { AuthStep, Identity } from './auth/authenticator.js';
import type { Realm } from './realm.js';
import type { RouterSession } from './router-session.js';

/** What a connection needs from the router that accepted it. */
export interface ConnectionHost {
  realm(name: string): Realm | undefined;
  /** Reserves a session slot and a fresh global session id, or returns null at max_sessions. */
  admit(): number | null;
  release(sessionId: number): void;
  /** The connection's transport has closed. */
  detached(connection: RouterConnection): void;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How long a client has for HELLO and for AUTHENTICATE. */
  readonly handshakeTimeoutMs: number;
}

type State =
  | { name: 'hello' }
  | { name: 'authenticating'; realm: Realm; request: HelloRequest; sessionId: number; step: Extract<AuthStep, { kind: 'challenge' }> }
  | { name: 'established'; realm: Realm; session: RouterSession }
  | { name: 'closed' };

/**
 * One transport's life in the router: HELLO → (CHALLENGE/AUTHENTICATE) → WELCOME, then every
 * message goes to the realm, until GOODBYE, ABORT or the transport closes
 * (basic/sessions.md, advanced/authentication.md).
 */
export class RouterConnection implements TransportHandlers {
  readonly #transport: Transport;
  readonly #host: ConnectionHost;
  #state: State = { name: 'hello' };
  #timer: TimerHandle | undefined;
  #reservedId: number | null = null;

  constructor(transport: Transport, host: ConnectionHost) {
    this.#transport = transport;
    this.#host = host;
    this.#armTimer('HELLO');
    transport.attach(this);
  }

  get session(): RouterSession | undefined {
    return this.#state.name === 'established' ? this.#state.session : undefined;
  }

  onMessage(message: WampMessage): void {
    const state = this.#state;
    switch (state.name) {
      case 'established':
        if (message[0] === MessageType.GOODBYE) return this.#goodbye(state.realm, state.session, message[2]);
        if (message[0] === MessageType.ABORT) return this.#transport.close('peer aborted');
        try {
          state.realm.handle(state.session, message);
        } catch (error) {
          this.#abortWith(error);
        }
        return;
      case 'hello':
        if (message[0] === MessageType.HELLO) return this.#hello(message);
        return this.#unexpected(message, 'HELLO');
      case 'authenticating':
        if (message[0] === MessageType.AUTHENTICATE) return this.#authenticate(state, message);
        if (message[0] === MessageType.ABORT) return this.#transport.close('peer aborted');
        return this.#unexpected(message, 'AUTHENTICATE');
      case 'closed':
        return;
    }
  }

  onProtocolError(error: ProtocolError): void {
    this.#abort(ErrorUri.PROTOCOL_VIOLATION, error.message);
  }

  onClose(info: CloseInfo): void {
    this.#clearTimer();
    const state = this.#state;
    this.#state = { name: 'closed' };
    if (state.name === 'established') state.realm.leave(state.session, info.reason);
    if (this.#reservedId !== null) this.#host.release(this.#reservedId);
    this.#reservedId = null;
    this.#host.detached(this);
  }

  /** Ends the session from the router side with ABORT (before WELCOME) or GOODBYE (after). */
  shutdown(reason: string = CloseUri.SYSTEM_SHUTDOWN): void {
    const state = this.#state;
    if (state.name === 'established') {
      state.realm.kick(state.session, reason);
    } else if (state.name !== 'closed') {
      this.#abort(reason, 'router is shutting down');
    }
  }

  #hello(message: HelloMessage): void {
    let request: HelloRequest;
    try {
      request = parseHello(message);
    } catch (error) {
      return this.#abortWith(error);
    }
    const realm = this.#host.realm(request.realm);
    if (realm === undefined) return this.#abort(ErrorUri.NO_SUCH_REALM, `no realm '${request.realm}' on this router`);
    const sessionId = this.#host.admit();
    if (sessionId === null) return this.#abort(ErrorUri.NOT_AUTHORIZED, 'the router has reached its session limit');
    this.#reservedId = sessionId;
    let step: AuthStep;
    try {
      const auth = request.auth(sessionId);
      step = realm.authenticators.select(auth).start(auth);
    } catch (error) {
      return this.#authFailed(request, error);
    }
    if (step.kind === 'welcome') return this.#welcome(realm, request, sessionId, step.identity);
    this.#state = { name: 'authenticating', realm, request, sessionId, step };
    this.#armTimer('AUTHENTICATE');
    try {
      this.#transport.send([MessageType.CHALLENGE, step.method, step.extra]);
    } catch (error) {
      // e.g. a CHALLENGE larger than the limit the peer announced.
      this.#abortWith(error);
    }
  }

  #authenticate(state: Extract<State, { name: 'authenticating' }>, message: AuthenticateMessage): void {
    let identity: Identity;
    try {
      identity = state.step.verify(message[1], message[2]);
    } catch (error) {
      return this.#authFailed(state.request, error);
    }
    this.#welcome(state.realm, state.request, state.sessionId, identity);
  }

  #welcome(realm: Realm, request: HelloRequest, sessionId: number, identity: Identity): void {
    this.#clearTimer();
    let session: RouterSession;
    try {
      session = realm.join({ id: sessionId, transport: this.#transport, identity, roles: request.roles });
    } catch (error) {
      // e.g. WELCOME larger than the limit the peer announced: ABORT instead of an uncaught throw.
      return this.#abortWith(error);
    }
    this.#state = { name: 'established', realm, session };
    this.#host.logger.debug('session joined', { session: sessionId, realm: realm.name, authid: identity.authid });
  }

  #goodbye(realm: Realm, session: RouterSession, reason: string): void {
    // The peer's GOODBYE is either its own close (we reply) or the reply to ours.
    if (!realm.isClosing(session)) {
      this.#transport.send([MessageType.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]);
    }
    this.#host.logger.debug('session left', { session: session.id, reason });
    this.#transport.close('goodbye');
    // The GOODBYE exchange ends the session now, not when the socket has finished closing.
    this.#state = { name: 'closed' };
    realm.leave(session, reason);
  }

  #unexpected(message: WampMessage, expected: string): void {
    this.#abort(ErrorUri.PROTOCOL_VIOLATION, `expected ${expected}, got ${messageTypeName(message[0])}`);
  }

  #authFailed(request: HelloRequest, error: unknown): void {
    const uri = error instanceof WampError ? error.uri : ErrorUri.AUTHENTICATION_FAILED;
    this.#host.logger.warn('authentication failed', { realm: request.realm, authid: request.authid, reason: uri });
    this.#abort(uri, error instanceof WampError ? String(error.args[0] ?? uri) : 'authentication failed');
  }

  #abortWith(error: unknown): void {
    if (error instanceof WampError) return this.#abort(error.uri, String(error.args[0] ?? error.message));
    this.#abort(ErrorUri.PROTOCOL_VIOLATION, error instanceof Error ? error.message : String(error));
  }

  #abort(reason: string, message: string): void {
    if (this.#state.name === 'closed') return;
    const details: Dict = { message };
    try {
      this.#transport.send([MessageType.ABORT, details, reason]);
    } finally {
      this.#transport.close(reason);
    }
  }

  #armTimer(what: string): void {
    this.#clearTimer();
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#abort(ErrorUri.PROTOCOL_VIOLATION, `no ${what} within ${this.#host.handshakeTimeoutMs} ms`);
    }, this.#host.handshakeTimeoutMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
