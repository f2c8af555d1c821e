import { MessageType } from '../../protocol/message-type.js';
import type {
  Dict,
  ErrorMessage,
  EventMessage,
  SubscribedMessage,
  UnsubscribedMessage,
} from '../../protocol/messages.js';
import type { MatchPolicy } from '../../protocol/uris.js';
import type { SessionClosedError } from '../errors.js';
import type { Event, EventHandler, SubscribeOptions, Subscription } from '../types.js';
import { rejectAllPending, rejectWithError, takePending, type Pending, type Role, type RoleContext } from './role.js';

interface PendingSubscribe extends Pending<Subscription> {
  topic: string;
  key: string;
  handler: EventHandler;
}

/** One router subscription (the broker keeps one per topic and match policy and session). */
interface Entry {
  readonly id: number;
  readonly topic: string;
  readonly key: string;
  /** Replaced, never mutated, so an EVENT being dispatched is unaffected by unsubscribe. */
  handlers: readonly ClientSubscription[];
}

/**
 * The subscriber role (basic/publish_and_subscribe.md, pattern_based_subscription,
 * event_retention). Every `subscribe()` sends its own SUBSCRIBE, so each call's options reach the
 * broker (get_retained, for instance). The broker answers a repeated subscription of the same
 * topic and match policy with the same subscription id, so EVENTs fan out locally to every handler
 * of that id, and UNSUBSCRIBE goes out only when its last local handler unsubscribes (a retained
 * event asked for by a later subscribe also reaches earlier handlers of the same id).
 * A handler that throws or rejects is logged; it never ends the session.
 */
export class Subscriber implements Role {
  readonly #ctx: RoleContext;
  readonly #subscribing = new Map<number, PendingSubscribe>();
  readonly #unsubscribing = new Map<number, Pending<void>>();
  readonly #entries = new Map<number, Entry>();

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
  }

  subscribe(topic: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    const ctx = this.#ctx;
    const closed = ctx.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const id = ctx.nextRequestId();
    const match: MatchPolicy = options.match ?? 'exact';
    const wireOptions: Dict = {};
    if (match !== 'exact') wireOptions['match'] = match;
    if (options.getRetained === true) wireOptions['get_retained'] = true;
    try {
      ctx.sendRequest([MessageType.SUBSCRIBE, id, wireOptions, topic]);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = `${match}\u0000${topic}`;
    return new Promise((resolve, reject) => this.#subscribing.set(id, { topic, key, handler, resolve, reject }));
  }

  /** @internal ClientSubscription.unsubscribe(). */
  unsubscribe(subscription: ClientSubscription): Promise<void> {
    const entry = this.#entries.get(subscription.id);
    if (entry === undefined || !entry.handlers.includes(subscription)) return Promise.resolve();
    entry.handlers = entry.handlers.filter((s) => s !== subscription);
    if (entry.handlers.length > 0 || this.#subscribingTo(entry.key)) return Promise.resolve();
    this.#entries.delete(entry.id);
    const ctx = this.#ctx;
    if (ctx.closedError() !== undefined) return Promise.resolve();
    const id = ctx.nextRequestId();
    ctx.sendRequest([MessageType.UNSUBSCRIBE, id, entry.id]);
    return new Promise((resolve, reject) => this.#unsubscribing.set(id, { resolve, reject }));
  }

  onSubscribed(message: SubscribedMessage): void {
    const [, request, subscriptionId] = message;
    const pending = takePending(this.#subscribing, request, 'SUBSCRIBED');
    let entry = this.#entries.get(subscriptionId);
    if (entry === undefined) {
      entry = { id: subscriptionId, topic: pending.topic, key: pending.key, handlers: [] };
      this.#entries.set(subscriptionId, entry);
    }
    const subscription = new ClientSubscription(this, subscriptionId, pending.topic, pending.handler);
    entry.handlers = [...entry.handlers, subscription];
    pending.resolve(subscription);
  }

  onUnsubscribed(message: UnsubscribedMessage): void {
    const [, request, details] = message;
    if (request === 0 && details !== undefined) {
      // Revocation (subscription_revocation); not announced by us, tolerated anyway.
      const id = details['subscription'];
      if (typeof id === 'number') this.#entries.delete(id);
      this.#ctx.logger.warn('subscription revoked by the router', { subscription: id, reason: details['reason'] });
      return;
    }
    takePending(this.#unsubscribing, request, 'UNSUBSCRIBED').resolve();
  }

  onEvent(message: EventMessage): void {
    const [, subscriptionId, publication, details, args, kwargs] = message;
    const entry = this.#entries.get(subscriptionId);
    if (entry === undefined) return; // unsubscribed while the EVENT was on its way
    const topic = details['topic'];
    const event: Event = {
      args: args ?? [],
      kwargs: kwargs ?? {},
      details,
      topic: typeof topic === 'string' ? topic : entry.topic,
      publication,
      retained: details['retained'] === true,
    };
    for (const subscription of entry.handlers) {
      try {
        const outcome = subscription.handler(event);
        if (outcome !== undefined && typeof outcome.then === 'function') outcome.then(undefined, this.#onRejected);
      } catch (error) {
        this.#onRejected(error);
      }
    }
  }

  onError(message: ErrorMessage): void {
    rejectWithError(message[1] === MessageType.SUBSCRIBE ? this.#subscribing : this.#unsubscribing, message);
  }

  close(error: SessionClosedError): void {
    rejectAllPending(this.#subscribing, error);
    rejectAllPending(this.#unsubscribing, error);
    this.#entries.clear();
  }

  #subscribingTo(key: string): boolean {
    for (const pending of this.#subscribing.values()) if (pending.key === key) return true;
    return false;
  }

  readonly #onRejected = (error: unknown): void => {
    this.#ctx.logger.warn('event handler failed', { error: error instanceof Error ? error.message : String(error) });
  };
}

/** The Subscription a `subscribe` call resolves with. */
class ClientSubscription implements Subscription {
  readonly id: number;
  readonly topic: string;
  readonly handler: EventHandler;
  readonly #subscriber: Subscriber;

  constructor(subscriber: Subscriber, id: number, topic: string, handler: EventHandler) {
    this.#subscriber = subscriber;
    this.id = id;
    this.topic = topic;
    this.handler = handler;
  }

  unsubscribe(): Promise<void> {
    return this.#subscriber.unsubscribe(this);
  }
}
