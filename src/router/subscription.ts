import type { MatchPolicy } from '../protocol/uris.js';
import type { RouterSession } from './router-session.js';

/** What the subscription meta API reports about a subscription (meta_api_subscriptions.md). */
export interface SubscriptionDetails {
  id: number;
  /** ISO 8601 time of creation. */
  created: string;
  uri: string;
  match: MatchPolicy;
}

/**
 * One subscription of the broker: a (topic pattern, match policy) pair shared by every session
 * that subscribed to it, all of which receive the same subscription id.
 */
export class Subscription {
  readonly id: number;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly created: string;
  /** Insertion-ordered; iterated for every event on the hot path. */
  readonly subscribers = new Set<RouterSession>();

  constructor(id: number, uri: string, match: MatchPolicy, created: string) {
    this.id = id;
    this.uri = uri;
    this.match = match;
    this.created = created;
  }

  details(): SubscriptionDetails {
    return { id: this.id, created: this.created, uri: this.uri, match: this.match };
  }

  subscriberIds(): number[] {
    const ids: number[] = [];
    for (const session of this.subscribers) ids.push(session.id);
    return ids;
  }
}
