import type { Dict, WampMessage } from '../protocol/messages.js';
import { SequentialIds } from '../protocol/ids.js';
import type { Transport } from '../transport/transport.js';
import type { EncodedMessage } from './encoded-message.js';

/** Who a session is, as established by authentication (WELCOME.Details). */
export interface SessionIdentity {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  authextra?: Dict;
}

export type ClientRole = 'caller' | 'callee' | 'publisher' | 'subscriber';

export interface RouterSessionOptions {
  id: number;
  realm: string;
  identity: SessionIdentity;
  /** HELLO.Details.roles as announced by the client. */
  roles: Dict;
  transport: Transport;
  /** Unsent outbound bytes above which the session is a slow consumer. */
  maxQueueBytes: number;
  /** Called once when the session passes maxQueueBytes; the owner disconnects it. */
  onSlowConsumer: (session: RouterSession) => void;
}

/**
 * One joined session as the router sees it: identity, announced features, its transport, and
 * the outbound request ids (INVOCATION/INTERRUPT) the router uses towards it. Broker and dealer
 * receive RouterSessions and never touch sockets.
 */
export class RouterSession {
  readonly id: number;
  readonly realm: string;
  readonly identity: SessionIdentity;
  readonly roles: Dict;
  readonly transport: Transport;
  /** Router → client request ids (INVOCATION), sequential per session. */
  readonly outboundIds = new SequentialIds();
  /** Client → router request ids, checked for sequence by the realm. */
  readonly inboundIds = new SequentialIds();
  readonly joinedAt = new Date();
  readonly #maxQueueBytes: number;
  readonly #onSlowConsumer: (session: RouterSession) => void;
  #slow = false;

  constructor(options: RouterSessionOptions) {
    this.id = options.id;
    this.realm = options.realm;
    this.identity = options.identity;
    this.roles = options.roles;
    this.transport = options.transport;
    this.#maxQueueBytes = options.maxQueueBytes;
    this.#onSlowConsumer = options.onSlowConsumer;
  }

  get isOpen(): boolean {
    return this.transport.isOpen && !this.#slow;
  }

  /** Sends a message; throws PayloadSizeExceededError if the peer would not accept its size. */
  send(message: WampMessage): void {
    if (!this.isOpen) return;
    this.transport.send(message);
    this.#checkQueue();
  }

  /** Sends a message serialized once for many receivers; same size rule as `send`. */
  sendEncoded(encoded: EncodedMessage): void {
    if (!this.isOpen) return;
    this.transport.sendEncoded(encoded.bytesFor(this.transport.serializer));
    this.#checkQueue();
  }

  /** Whether the client announced `roles[role].features[feature] === true` in HELLO. */
  supports(role: ClientRole, feature: string): boolean {
    // Three property reads: cheaper than building a cache key, and nothing to keep in step.
    return (this.roles[role] as { features?: Dict } | undefined)?.features?.[feature] === true;
  }

  #checkQueue(): void {
    if (this.transport.bufferedAmount > this.#maxQueueBytes && !this.#slow) {
      this.#slow = true;
      this.#onSlowConsumer(this);
    }
  }
}
