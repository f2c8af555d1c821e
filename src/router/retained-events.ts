import type { Args, Dict } from '../protocol/messages.js';
import type { MatchPolicy } from '../protocol/uris.js';
import type { PublishFilter } from './publish-filter.js';
import { wildcardMatches } from './matcher.js';
import type { RouterSession } from './router-session.js';

/**
 * One publication as the broker routes it, built once per PUBLISH; the retained store keeps the
 * last one published with `retain: true` on each topic (pubsub_event_retention.md).
 */
export interface Publication {
  topic: string;
  publicationId: number;
  /** EVENT.Details as first delivered: `topic` plus the publisher fields when disclosed. */
  details: Dict;
  args?: Args | undefined;
  kwargs?: Dict | undefined;
  /** The publisher when it excluded itself (the default); null for exclude_me=false or the router. */
  excludedSessionId: number | null;
  /** The black/white lists of the publication, applied again to a late subscriber. */
  filter: PublishFilter | null;
}

/**
 * One retained event per topic, replaced by each newer one. Best effort and in memory only: the
 * spec lets a broker drop them. A late subscriber receives only what it would have received had
 * it been subscribed at publication time (same exclusion and black/white lists).
 */
export class RetainedEvents {
  readonly #byTopic = new Map<string, Publication>();

  get size(): number {
    return this.#byTopic.size;
  }

  retain(event: Publication): void {
    this.#byTopic.set(event.topic, event);
  }

  get(topic: string): Publication | undefined {
    return this.#byTopic.get(topic);
  }

  /** Retained events of every topic that a subscription (`uri`, `match`) covers, visible to `session`. */
  forSubscriber(uri: string, match: MatchPolicy, session: RouterSession): Publication[] {
    const out: Publication[] = [];
    if (match === 'exact') {
      const event = this.#byTopic.get(uri);
      if (event !== undefined && isVisibleTo(event, session)) out.push(event);
      return out;
    }
    const pattern = match === 'wildcard' ? uri.split('.') : undefined;
    for (const event of this.#byTopic.values()) {
      const covered = pattern === undefined ? event.topic.startsWith(uri) : wildcardMatches(pattern, event.topic.split('.'));
      if (covered && isVisibleTo(event, session)) out.push(event);
    }
    return out;
  }
}

function isVisibleTo(event: Publication, session: RouterSession): boolean {
  if (event.excludedSessionId === session.id) return false;
  return event.filter === null || event.filter.accepts(session);
}
