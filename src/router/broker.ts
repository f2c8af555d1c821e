import { type Clock, systemClock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ApplicationError, PayloadSizeExceededError } from '../protocol/errors.js';
import { randomId, type RouterScopeIds } from '../protocol/ids.js';
import { MessageType } from '../protocol/message-type.js';
import {
  type Args,
  type Dict,
  type EventMessage,
  type PublishMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
  withPayload,
} from '../protocol/messages.js';
import { ErrorUri, isValidUri, matchPolicyOf, type MatchPolicy, type UriMode } from '../protocol/uris.js';
import { EncodedMessage } from './encoded-message.js';
import { UriIndex } from './matcher.js';
import { PublishFilter } from './publish-filter.js';
import { type Publication, RetainedEvents } from './retained-events.js';
import type { RouterSession } from './router-session.js';
import { Subscription, type SubscriptionDetails } from './subscription.js';

/** Subscription meta events (meta_api_subscriptions.md). */
export const SubscriptionMetaTopic = {
  ON_CREATE: 'wamp.subscription.on_create',
  ON_SUBSCRIBE: 'wamp.subscription.on_subscribe',
  ON_UNSUBSCRIBE: 'wamp.subscription.on_unsubscribe',
  ON_DELETE: 'wamp.subscription.on_delete',
} as const;

export type MetaListener = (topic: string, args: unknown[]) => void;

export interface BrokerOptions {
  /** Router-scope ids for subscriptions. */
  ids: RouterScopeIds;
  uriMode: UriMode;
  /** Receives the wamp.subscription.* meta events; the realm publishes them. */
  onMeta?: MetaListener;
  logger: Logger;
  /** Time source of `created` in subscription details; the system clock by default. */
  clock?: Clock;
}

/** Options of a publication made by the router itself (meta events, testaments). */
export interface InternalPublishOptions {
  retain?: boolean;
  exclude?: number[];
  eligible?: number[];
}

export interface SubscriptionLists {
  exact: number[];
  prefix: number[];
  wildcard: number[];
}

/**
 * The publish/subscribe engine of one realm. It receives (session, message) pairs from the realm,
 * which has already authorized them, and never touches sockets. A failed request throws a
 * WampError that the realm turns into ERROR. Subscriptions are shared per (topic, match policy);
 * an event goes out once per matching subscription, encoded once per subscription and serializer.
 */
export class Broker {
  readonly #ids: RouterScopeIds;
  readonly #uriMode: UriMode;
  readonly #onMeta: MetaListener | undefined;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #index = new UriIndex<Subscription>();
  readonly #byId = new Map<number, Subscription>();
  readonly #bySession = new Map<RouterSession, Set<Subscription>>();
  readonly #retained = new RetainedEvents();

  constructor(options: BrokerOptions) {
    this.#ids = options.ids;
    this.#uriMode = options.uriMode;
    this.#onMeta = options.onMeta;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
  }

  subscribe(session: RouterSession, message: SubscribeMessage): void {
    const [, request, options, uri] = message;
    const match = parseMatchPolicy(options.match);
    if (!isValidUri(uri, this.#uriMode, match)) throw invalidUri(uri);
    let subscription = this.#index.get(uri, match);
    const created = subscription === undefined;
    if (subscription === undefined) {
      const createdAt = new Date(this.#clock.now()).toISOString();
      subscription = new Subscription(this.#ids.next(), uri, match, createdAt);
      this.#index.set(uri, match, subscription);
      this.#byId.set(subscription.id, subscription);
    }
    const added = !subscription.subscribers.has(session);
    if (added) {
      subscription.subscribers.add(session);
      let mine = this.#bySession.get(session);
      if (mine === undefined) this.#bySession.set(session, (mine = new Set()));
      mine.add(subscription);
    }
    // SUBSCRIBED precedes any EVENT of the subscription, retained ones included (spec ordering).
    session.send([MessageType.SUBSCRIBED, request, subscription.id]);
    if (options.get_retained === true) this.#sendRetained(session, subscription);
    if (created) this.#emit(SubscriptionMetaTopic.ON_CREATE, [session.id, subscription.details()]);
    if (added) this.#emit(SubscriptionMetaTopic.ON_SUBSCRIBE, [session.id, subscription.id]);
  }

  unsubscribe(session: RouterSession, message: UnsubscribeMessage): void {
    const [, request, id] = message;
    const subscription = this.#byId.get(id);
    if (subscription === undefined || !subscription.subscribers.has(session)) {
      throw new ApplicationError(ErrorUri.NO_SUCH_SUBSCRIPTION, [`session is not subscribed to subscription ${id}`]);
    }
    const deleted = this.#detach(session, subscription);
    session.send([MessageType.UNSUBSCRIBED, request]);
    this.#emitRemoval(session.id, subscription.id, deleted);
  }

  publish(session: RouterSession, message: PublishMessage): void {
    const [, request, options, topic, args, kwargs] = message;
    if (!isValidUri(topic, this.#uriMode, 'exact')) throw invalidUri(topic);
    const filter = PublishFilter.from(options);
    const details: Dict =
      options.disclose_me === true
        ? {
            topic,
            publisher: session.id,
            publisher_authid: session.identity.authid,
            publisher_authrole: session.identity.authrole,
          }
        : { topic };
    const publication: Publication = {
      topic,
      publicationId: randomId(),
      details,
      args,
      kwargs,
      excludedSessionId: options.exclude_me === false ? null : session.id,
      filter,
    };
    this.#dispatch(publication);
    if (options.retain === true) this.#retained.retain(publication);
    if (options.acknowledge === true) session.send([MessageType.PUBLISHED, request, publication.publicationId]);
  }

  /** Publishes from the router itself (no publisher session); returns the publication id. */
  publishInternal(topic: string, args?: Args, kwargs?: Dict, options: InternalPublishOptions = {}): number {
    if (!isValidUri(topic, this.#uriMode, 'exact')) throw invalidUri(topic);
    const publication: Publication = {
      topic,
      publicationId: randomId(),
      details: { topic },
      args,
      kwargs,
      excludedSessionId: null,
      filter: PublishFilter.from(options),
    };
    this.#dispatch(publication);
    if (options.retain === true) this.#retained.retain(publication);
    return publication.publicationId;
  }

  /** Drops every subscription of a session that left, with the same meta events as unsubscribing. */
  removeSession(session: RouterSession): void {
    const mine = this.#bySession.get(session);
    if (mine === undefined) return;
    this.#bySession.delete(session);
    const removed: Subscription[] = [...mine];
    const deleted: boolean[] = removed.map((subscription) => this.#detach(session, subscription));
    // State is final before any listener runs: a meta event may re-enter the broker.
    for (let i = 0; i < removed.length; i++) this.#emitRemoval(session.id, removed[i]!.id, deleted[i]!);
  }

  // ---- meta API queries (the realm registers wamp.subscription.* on top of these) ----

  list(): SubscriptionLists {
    const groups = this.#index.byPolicy();
    return { exact: groups.exact.map(idOf), prefix: groups.prefix.map(idOf), wildcard: groups.wildcard.map(idOf) };
  }

  /** The subscription for exactly this (topic, match policy), or null. Throws on an unknown policy. */
  lookup(topic: string, match: unknown = 'exact'): number | null {
    return this.#index.get(topic, parseMatchPolicy(match))?.id ?? null;
  }

  /** Every subscription an event on `topic` would be delivered to. */
  match(topic: string): number[] {
    return this.#index.matchAll(topic).map(idOf);
  }

  get(id: number): SubscriptionDetails | null {
    return this.#byId.get(id)?.details() ?? null;
  }

  subscribers(id: number): number[] | null {
    return this.#byId.get(id)?.subscriberIds() ?? null;
  }

  countSubscribers(id: number): number | null {
    return this.#byId.get(id)?.subscribers.size ?? null;
  }

  // ---- internals ----

  #dispatch(publication: Publication): void {
    // Without prefix/wildcard subscriptions a publish needs a single Map lookup and no array.
    if (!this.#index.hasPatterns) {
      const subscription = this.#index.get(publication.topic, 'exact');
      if (subscription !== undefined) this.#deliver(subscription, publication);
      return;
    }
    for (const subscription of this.#index.matchAll(publication.topic)) this.#deliver(subscription, publication);
  }

  /** Hot path: one EVENT and one EncodedMessage per subscription, built on the first receiver. */
  #deliver(subscription: Subscription, publication: Publication): void {
    const { excludedSessionId, filter } = publication;
    let encoded: EncodedMessage | undefined;
    for (const receiver of subscription.subscribers) {
      if (receiver.id === excludedSessionId) continue;
      if (filter !== null && !filter.accepts(receiver)) continue;
      encoded ??= new EncodedMessage(
        withPayload<EventMessage>(
          [MessageType.EVENT, subscription.id, publication.publicationId, publication.details],
          publication.args,
          publication.kwargs,
        ),
      );
      this.#sendEvent(receiver, encoded, subscription.id);
    }
  }

  #sendRetained(session: RouterSession, subscription: Subscription): void {
    for (const event of this.#retained.forSubscriber(subscription.uri, subscription.match, session)) {
      const details: Dict = { ...event.details, retained: true };
      const head: EventMessage = [MessageType.EVENT, subscription.id, event.publicationId, details];
      this.#sendEvent(session, new EncodedMessage(withPayload(head, event.args, event.kwargs)), subscription.id);
    }
  }

  /** One receiver failing (an event too large for it) must not stop delivery to the others. */
  #sendEvent(receiver: RouterSession, encoded: EncodedMessage, subscriptionId: number): void {
    try {
      receiver.sendEncoded(encoded);
    } catch (error) {
      if (error instanceof PayloadSizeExceededError) {
        this.#logger.debug('event not delivered: too large for subscriber', {
          session: receiver.id,
          subscription: subscriptionId,
        });
      } else {
        this.#logger.error('event not delivered', { session: receiver.id, error: String(error) });
      }
    }
  }

  /** Removes a session from a subscription; returns true when that deleted the subscription. */
  #detach(session: RouterSession, subscription: Subscription): boolean {
    subscription.subscribers.delete(session);
    const mine = this.#bySession.get(session);
    if (mine !== undefined) {
      mine.delete(subscription);
      if (mine.size === 0) this.#bySession.delete(session);
    }
    if (subscription.subscribers.size > 0) return false;
    this.#index.delete(subscription.uri, subscription.match);
    this.#byId.delete(subscription.id);
    return true;
  }

  #emitRemoval(sessionId: number, subscriptionId: number, deleted: boolean): void {
    this.#emit(SubscriptionMetaTopic.ON_UNSUBSCRIBE, [sessionId, subscriptionId]);
    if (deleted) this.#emit(SubscriptionMetaTopic.ON_DELETE, [sessionId, subscriptionId]);
  }

  #emit(topic: string, args: unknown[]): void {
    if (this.#onMeta === undefined) return;
    try {
      this.#onMeta(topic, args);
    } catch (error) {
      // The request itself succeeded; a failing listener must not turn it into an ERROR.
      this.#logger.error('subscription meta listener failed', { topic, error: String(error) });
    }
  }
}

function parseMatchPolicy(value: unknown): MatchPolicy {
  const match = matchPolicyOf(value);
  if (match === undefined) throw new ApplicationError(ErrorUri.INVALID_ARGUMENT, [`unknown match policy: ${String(value)}`]);
  return match;
}

function invalidUri(uri: string): ApplicationError {
  return new ApplicationError(ErrorUri.INVALID_URI, [`invalid topic URI: ${uri}`]);
}

function idOf(subscription: Subscription): number {
  return subscription.id;
}
