import { MessageType } from '../protocol/message-type.js';
import type { Args, Dict, WampMessage } from '../protocol/messages.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import { CloseUri, ErrorUri } from '../protocol/uris.js';
import type { Router } from '../router/router.js';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from '../transport/transport.js';

/** Who receives what the router sends a linked WAMP session besides replies. */
export interface LinkOwner {
  /** An EVENT, as a frame of the link's serializer (event-frames.ts). */
  onEvent(frame: Buffer): void;
  /**
   * The router ended the session (GOODBYE, ABORT, shutdown), or dropped it at once (`dropped`:
   * a slow consumer, whose queued data is to be discarded). Called once.
   */
  onSessionEnded(reason: string, dropped: boolean): void;
  /** Bytes written towards the MQTT client and not yet taken by it (the slow-consumer measure). */
  backlog(): number;
}

export interface JoinRequest {
  realm: string;
  /** With `ticket`: HELLO authmethods [ticket] and this authid; without: anonymous. */
  authid?: string;
  ticket?: string;
}

export type JoinResult = { ok: true; link: WampLink; welcome: Dict } | { ok: false; uri: string; message: string };

const HELLO_ROLES: Dict = {
  publisher: { features: { publisher_exclusion: true } },
  subscriber: { features: { pattern_based_subscription: true } },
  caller: {},
};

/**
 * One MQTT session's WAMP session: a Transport attached to the router like any other connection
 * (Router.attach), so authentication, role rules, broker matching, retention, testaments and the
 * slow-consumer limit apply to MQTT clients exactly as to WAMP ones. It lives in the router's
 * process: messages pass as arrays, in both directions, without encoding, and the router answers
 * every request (HELLO, PUBLISH, SUBSCRIBE, CALL of a meta procedure) before `onMessage` returns,
 * which makes each request here a plain synchronous call. EVENTs arrive through `sendEncoded`
 * as MQTT frames built once per subscription by the session's serializer.
 */
export class WampLink implements Transport {
  readonly serializer: Serializer;
  readonly info: TransportInfo;
  readonly maxOutgoingSize = Number.MAX_SAFE_INTEGER;
  #handlers: TransportHandlers | undefined;
  #owner: LinkOwner | undefined;
  #open = true;
  #leaving = false;
  #nextRequest = 1;
  /** The request id whose reply is awaited (0: a handshake message), and the reply. */
  #awaiting = -1;
  #reply: WampMessage | undefined;
  #endReason: string | undefined;

  private constructor(serializer: Serializer, info: TransportInfo) {
    this.serializer = serializer;
    this.info = info;
  }

  /** Opens a WAMP session on `router`: HELLO, the ticket CHALLENGE if any, WELCOME or ABORT. */
  static join(router: Router, serializer: Serializer, info: TransportInfo, request: JoinRequest): JoinResult {
    const link = new WampLink(serializer, info);
    router.attach(link);
    const details: Dict = { roles: HELLO_ROLES, authmethods: request.ticket !== undefined ? ['ticket'] : ['anonymous'] };
    if (request.authid !== undefined) details['authid'] = request.authid;
    let reply = link.#exchange([MessageType.HELLO, request.realm, details]);
    if (reply?.[0] === MessageType.CHALLENGE && reply[1] === 'ticket') {
      reply = link.#exchange([MessageType.AUTHENTICATE, request.ticket ?? '', {}]);
    }
    if (reply?.[0] === MessageType.WELCOME) return { ok: true, link, welcome: reply[2] };
    if (reply?.[0] === MessageType.ABORT) return { ok: false, uri: reply[2], message: String(reply[1]['message'] ?? reply[2]) };
    link.lose('unexpected handshake reply');
    return { ok: false, uri: ErrorUri.RUNTIME_ERROR, message: 'unexpected handshake reply' };
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get bufferedAmount(): number {
    return this.#owner?.backlog() ?? 0;
  }

  /** Who gets the EVENTs from now on (a session moves its link when it is resumed). */
  setOwner(owner: LinkOwner | undefined): void {
    this.#owner = owner;
  }

  attach(handlers: TransportHandlers): void {
    if (this.#handlers !== undefined) throw new Error('transport is already attached');
    this.#handlers = handlers;
  }

  // ---- requests (each answered before the router returns) ----

  publish(options: Dict, topic: string, args?: Args, kwargs?: Dict): WampMessage | undefined {
    const message: unknown[] = [MessageType.PUBLISH, this.#nextRequest, options, topic];
    if (args !== undefined || kwargs !== undefined) message.push(args ?? []);
    if (kwargs !== undefined) message.push(kwargs);
    return this.#request(message as WampMessage);
  }

  subscribe(topic: string, options: Dict): WampMessage | undefined {
    return this.#request([MessageType.SUBSCRIBE, this.#nextRequest, options, topic]);
  }

  unsubscribe(subscriptionId: number): WampMessage | undefined {
    return this.#request([MessageType.UNSUBSCRIBE, this.#nextRequest, subscriptionId]);
  }

  call(procedure: string, args: Args = [], kwargs: Dict = {}): WampMessage | undefined {
    return this.#request([MessageType.CALL, this.#nextRequest, {}, procedure, args, kwargs]);
  }

  /** Ends the session with GOODBYE (testaments fire unless flushed first). */
  leave(): void {
    if (!this.#open || this.#handlers === undefined) return;
    this.#owner = undefined;
    this.#leaving = true;
    this.#handlers.onMessage([MessageType.GOODBYE, {}, CloseUri.NORMAL]);
  }

  /** Ends the session as a lost connection: the router publishes its testaments (MQTT's will). */
  lose(reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    this.#owner = undefined;
    this.#handlers?.onClose({ reason, local: false });
  }

  // ---- Transport: what the router sends ----

  send(message: WampMessage): void {
    if (!this.#open) return;
    switch (message[0]) {
      case MessageType.EVENT:
        this.sendEncoded(this.serializer.encode(message));
        return;
      case MessageType.GOODBYE:
        if (this.#leaving) return;
        // The router ends the session: answer (after it has finished kicking) and let it close.
        this.#endReason = message[2];
        queueMicrotask(() => this.#handlers?.onMessage([MessageType.GOODBYE, {}, CloseUri.GOODBYE_AND_OUT]));
        return;
      case MessageType.ABORT:
        this.#endReason = message[2];
        this.#reply = message;
        return;
      case MessageType.WELCOME:
      case MessageType.CHALLENGE:
        if (this.#awaiting === 0) this.#reply = message;
        return;
      case MessageType.ERROR:
        if (message[2] === this.#awaiting) this.#reply = message;
        return;
      default:
        if (message[1] === this.#awaiting) this.#reply = message;
    }
  }

  sendEncoded(bytes: Uint8Array): void {
    if (this.#open) this.#owner?.onEvent(bytes as Buffer);
  }

  close(reason = CloseUri.NORMAL as string): void {
    this.#ended(reason, false);
  }

  destroy(reason = 'destroyed'): void {
    this.#ended(reason, true);
  }

  #ended(reason: string, dropped: boolean): void {
    if (!this.#open) return;
    this.#open = false;
    const owner = this.#owner;
    this.#owner = undefined;
    const why = this.#endReason ?? reason;
    // After the router's current call has unwound, as a socket's close event would be.
    queueMicrotask(() => {
      const info: CloseInfo = { reason: why, local: true };
      this.#handlers?.onClose(info);
      owner?.onSessionEnded(why, dropped);
    });
  }

  #exchange(message: WampMessage): WampMessage | undefined {
    return this.#deliver(message, 0);
  }

  #request(message: WampMessage): WampMessage | undefined {
    if (!this.#open) return undefined;
    return this.#deliver(message, this.#nextRequest++);
  }

  #deliver(message: WampMessage, awaiting: number): WampMessage | undefined {
    const outer = this.#awaiting;
    const outerReply = this.#reply;
    this.#awaiting = awaiting;
    this.#reply = undefined;
    try {
      this.#handlers?.onMessage(message);
      return this.#reply;
    } finally {
      this.#awaiting = outer;
      this.#reply = outerReply;
    }
  }
}
