import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { MessageType } from '../protocol/message-type.js';
import type { Dict, WampMessage } from '../protocol/messages.js';
import { frameIsRetained, framePacket, framePublicationId, frameSubscriptionId } from './event-frames.js';
import { resubscribeAll, subscribeFilter, unsubscribeFilter, type SubscribeRequest } from './filters.js';
import { OutboundQueue } from './inflight.js';
import type { PayloadMapping, WampPayload } from './payload.js';
import { hexCode, ReasonCode, reasonForSessionEnd, reasonForWampError } from './reason-codes.js';
import { SubscriptionTable } from './subscriptions.js';
import { topicToUri } from './topics.js';
import type { LinkOwner, WampLink } from './wamp-link.js';

/** The live connection of a session, as the session sees it (connection.ts). */
export interface SessionConnection {
  /** Writes a packet (one larger than the client accepts is dropped). */
  writePacket(packet: Buffer): void;
  backlog(): number;
  /**
   * The router ended the WAMP session: the connection closes with this MQTT 5 reason code, or is
   * dropped at once (`dropped`: a slow consumer).
   */
  sessionEnded(reasonCode: number, why: string, dropped: boolean): void;
  /** A new connection with the same client id takes the session: this one closes (0x8E). */
  takeOver(): void;
}

/**
 * The MQTT publisher of the publication being routed. The router dispatches a PUBLISH before it
 * returns, so while an MQTT session publishes, every session receiving the event can read who
 * published it (No Local) and at which QoS (an event goes at the lower of publish and subscription
 * QoS). Shared by every session of a realm; outside a publish: no publisher, QoS 1.
 */
export interface PublishContext {
  publisher: MqttSession | undefined;
  qos: number;
}

/** A last will, mapped: published by the router as the session's testament, or by us (persistent). */
export interface Will {
  uri: string;
  payload: WampPayload;
  retain: boolean;
  qos: number;
}

export interface MqttSessionOptions {
  clientId: string;
  /** Who may resume it: `ticket:<authid>` or `anonymous`. */
  owner: string;
  link: WampLink;
  inflightWindow: number;
  maxQueuedMessages: number;
  context: PublishContext;
  logger: Logger;
  clock: Clock;
  /** Called once when the session is gone (its store entry must go). */
  onEnd: (session: MqttSession) => void;
}

/** Refused publishes logged at warn per session, one per topic (later ones at debug). */
const WARNED_TOPICS = 32;
const PUBLISH_OPTIONS: Dict = Object.freeze({ acknowledge: true, exclude_me: false });
const RETAIN_OPTIONS: Dict = Object.freeze({ acknowledge: true, exclude_me: false, retain: true });

/**
 * An MQTT session (section 4.1): subscriptions, QoS 1 messages in flight and queued, QoS 2
 * identifiers awaiting PUBREL, held by one WAMP session of the realm. It outlives its network
 * connection when persistent (clean session 0 / a session expiry interval): its WAMP session
 * stays subscribed and QoS 1 events are queued, bounded, until the client is back or it expires.
 */
export class MqttSession implements LinkOwner {
  readonly clientId: string;
  readonly owner: string;
  readonly subscriptions = new SubscriptionTable();
  readonly outbound: OutboundQueue;
  /** Inbound QoS 2 packet identifiers between PUBREC and PUBREL. */
  readonly awaitingRelease = new Set<number>();
  #link: WampLink;
  #connection: SessionConnection | undefined;
  #payload: PayloadMapping | undefined;
  #persistent = false;
  #expiryMs: number | undefined;
  #expiryTimer: TimerHandle | undefined;
  #will: Will | undefined;
  #lastPublication = -1;
  #held: Buffer[] | undefined;
  /** Topics whose refused publishes were logged at warn. */
  readonly #warned = new Set<string>();
  #ended = false;
  readonly #options: MqttSessionOptions;

  constructor(options: MqttSessionOptions) {
    this.clientId = options.clientId;
    this.owner = options.owner;
    this.outbound = new OutboundQueue(options.inflightWindow, options.maxQueuedMessages);
    this.#options = options;
    this.#link = options.link;
    this.#link.setOwner(this);
  }

  get connected(): boolean {
    return this.#connection !== undefined;
  }

  get connection(): SessionConnection | undefined {
    return this.#connection;
  }

  /**
   * A connection takes the session, with its own WAMP session `link`: a resumed session moves
   * its subscriptions there (no retained messages resent) and its old WAMP session leaves.
   */
  attach(connection: SessionConnection, link: WampLink, payload: PayloadMapping, persistence: { persistent: boolean; expiryMs?: number }, will?: Will): void {
    this.#clearExpiry();
    if (link !== this.#link) this.#moveTo(link);
    this.#connection = connection;
    this.#payload = payload;
    this.#persistent = persistence.persistent;
    this.#expiryMs = persistence.expiryMs;
    this.#will = will;
    this.#lastPublication = -1;
  }

  /** After CONNACK: messages in flight again (DUP), then what waited. */
  resume(): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    for (const packet of this.outbound.redeliver()) connection.writePacket(packet);
    for (const packet of this.outbound.drain()) connection.writePacket(packet);
  }

  // ---- EVENTs from the router ----

  onEvent(frame: Buffer): void {
    if (frame.length === 0) return;
    if (this.#held !== undefined) {
      this.#held.push(frame);
      return;
    }
    const packet = framePacket(frame);
    const context = this.#options.context;
    let qos = this.subscriptions.deliveryQos(frameSubscriptionId(frame), packet, context.publisher === this);
    if (qos < 0) return;
    if (!frameIsRetained(frame)) {
      // Overlapping filters: one delivery per publication (they arrive one after the other).
      const publication = framePublicationId(frame);
      if (publication === this.#lastPublication) return;
      this.#lastPublication = publication;
    }
    if (context.qos < qos) qos = context.qos;
    const connection = this.#connection;
    if (qos === 0) {
      connection?.writePacket(packet);
      return;
    }
    const now = this.outbound.push(packet, connection !== undefined);
    if (now !== undefined) connection!.writePacket(now);
    const dropped = this.outbound.takeDropped();
    if (dropped > 0) this.#options.logger.warn('MQTT QoS 1 queue full: message dropped', { client: this.clientId, dropped });
  }

  onSessionEnded(reason: string, dropped: boolean): void {
    this.#end();
    this.#connection?.sessionEnded(reasonForSessionEnd(reason), reason, dropped);
    this.#connection = undefined;
  }

  backlog(): number {
    return this.#connection?.backlog() ?? 0;
  }

  // ---- requests of the client ----

  /**
   * PUBLISH: routes it; returns the reason code (≥ 0x80: refused, and logged: at warn the first
   * time per topic). Throws TopicMappingError.
   */
  publish(topic: string, payload: Uint8Array, qos: number, retain: boolean): number {
    const uri = topicToUri(topic);
    const reason = this.#publishMapped(uri, this.#payload!.toWamp(payload), qos, retain);
    if (reason >= 0x80) {
      const fields = { client: this.clientId, topic, reason: hexCode(reason) };
      const first = !this.#warned.has(topic) && this.#warned.size < WARNED_TOPICS;
      if (first) this.#warned.add(topic);
      this.#options.logger[first ? 'warn' : 'debug']('MQTT publish refused', fields);
    }
    return reason;
  }

  /**
   * One filter of a SUBSCRIBE: the granted QoS or a reason code ≥ 0x80. Retained events it brings
   * are held until `releaseHeld` (they follow the SUBACK).
   */
  subscribe(request: SubscribeRequest): number {
    this.#held ??= [];
    return subscribeFilter(this.#link, this.subscriptions, request);
  }

  /** Delivers the retained events held during a SUBSCRIBE (after its SUBACK was written). */
  releaseHeld(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) for (const frame of held) this.onEvent(frame);
  }

  /** One filter of an UNSUBSCRIBE: SUCCESS, or NO_SUBSCRIPTION_EXISTED. */
  unsubscribe(filter: string): number {
    return unsubscribeFilter(this.#link, this.subscriptions, filter);
  }

  // ---- the end of a connection, and of the session ----

  /**
   * The connection closed. `clean`: after a DISCONNECT (no will). A session that is not persistent
   * ends; a persistent one stays, subscribed, until it expires.
   */
  detach(connection: SessionConnection, clean: boolean): void {
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    if (!this.#persistent) {
      if (clean) this.#flushTestaments();
      // Without the flush the router publishes the will (the testament) as the session leaves.
      if (clean) this.#link.leave();
      else this.#link.lose('MQTT connection lost');
      this.#end();
      return;
    }
    // The WAMP session stays, so the router will not publish the testament: publish the will now.
    if (!clean && this.#will !== undefined) this.#publishMapped(this.#will.uri, this.#will.payload, this.#will.qos, this.#will.retain);
    this.#flushTestaments();
    if (this.#expiryMs !== undefined) {
      this.#expiryTimer = this.#options.clock.setTimeout(() => this.discard(), this.#expiryMs);
    }
  }

  /** Ends a session that is not connected (expired, or replaced by a clean start). */
  discard(): void {
    if (this.#ended) return;
    this.#clearExpiry();
    this.#flushTestaments();
    this.#link.leave();
    this.#end();
  }

  #publishMapped(uri: string, payload: WampPayload, qos: number, retain: boolean): number {
    const context = this.#options.context;
    context.publisher = this;
    context.qos = qos >= 1 ? 1 : 0;
    let reply: WampMessage | undefined;
    try {
      reply = this.#link.publish(retain ? RETAIN_OPTIONS : PUBLISH_OPTIONS, uri, payload.args, payload.kwargs);
    } finally {
      context.publisher = undefined;
      context.qos = 1;
    }
    if (reply?.[0] === MessageType.PUBLISHED) return ReasonCode.SUCCESS;
    if (reply?.[0] === MessageType.ERROR) return reasonForWampError(reply[4], 'publish');
    return ReasonCode.UNSPECIFIED_ERROR;
  }

  #moveTo(link: WampLink): void {
    const old = this.#link;
    this.#link = link;
    link.setOwner(this);
    for (const filter of resubscribeAll(link, this.subscriptions)) {
      this.#options.logger.warn('MQTT subscription not restored (refused)', { client: this.clientId, filter });
    }
    old.setOwner(undefined);
    old.call('wamp.session.flush_testaments');
    old.leave();
  }

  #flushTestaments(): void {
    this.#link.call('wamp.session.flush_testaments');
  }

  #clearExpiry(): void {
    if (this.#expiryTimer !== undefined) this.#options.clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#clearExpiry();
    this.#options.onEnd(this);
  }
}

