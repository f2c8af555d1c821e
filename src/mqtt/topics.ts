import type { MatchPolicy } from '../protocol/uris.js';
import { MqttError, TopicMappingError } from './errors.js';
import { ReasonCode } from './reason-codes.js';

/**
 * Topic mapping between MQTT and WAMP: MQTT `a/b/c` is WAMP `a.b.c`. A name or filter that has no
 * faithful image (an empty level, a `.` inside a level) is refused, never rewritten, so two
 * distinct MQTT topics never land on one WAMP topic.
 */

/** One WAMP subscription that an MQTT filter needs. */
export interface WampSubscriptionSpec {
  uri: string;
  match: MatchPolicy;
}

/** How one MQTT topic filter is served by the router's own matching. */
export interface FilterMapping {
  filter: string;
  /**
   * Usually one subscription; `a/b/#` takes two, prefix `a.b.` and exact `a.b` (MQTT's `#` also
   * matches the parent level). The first one decides what the SUBACK says.
   */
  subscriptions: WampSubscriptionSpec[];
  /**
   * True when the router's match is wider than the filter (a filter starting with a wildcard must
   * not match `$` topics; `+` and `#` together are served by a prefix subscription): each event is
   * then checked with `matches`.
   */
  check: boolean;
  /** MQTT semantics: whether the MQTT topic `topic` matches this filter. */
  matches(topic: string): boolean;
}

const SHARED_PREFIX = '$share/';

/** The WAMP URI of an MQTT topic name; throws TopicMappingError (0x90) when it has none. */
export function topicToUri(topic: string): string {
  if (topic.length === 0) throw new TopicMappingError(topic, 'name', 'empty');
  let levelStart = 0;
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2f /* / */) {
      if (i === levelStart) throw new TopicMappingError(topic, 'name', 'empty level');
      levelStart = i + 1;
    } else if (c === 0x2e /* . */) {
      throw new TopicMappingError(topic, 'name', "'.' inside a level");
    } else if (c === 0x2b /* + */ || c === 0x23 /* # */) {
      throw new TopicMappingError(topic, 'name', 'wildcards are not allowed in a topic name');
    } else if (c === 0) {
      throw new TopicMappingError(topic, 'name', 'U+0000 is not allowed');
    }
  }
  if (levelStart === topic.length) throw new TopicMappingError(topic, 'name', 'empty level');
  return topic.replaceAll('/', '.');
}

/** The MQTT topic of a WAMP topic, or undefined when a component holds `/`, `+` or `#`. */
export function uriToTopic(uri: string): string | undefined {
  if (uri.includes('/') || uri.includes('+') || uri.includes('#')) return undefined;
  return uri.replaceAll('.', '/');
}

/**
 * The WAMP subscriptions serving an MQTT topic filter. Throws TopicMappingError (0x8F) for a
 * filter that is invalid or has no image, and MqttError 0x9E for a shared subscription.
 */
export function parseFilter(filter: string): FilterMapping {
  if (filter.length === 0) throw new TopicMappingError(filter, 'filter', 'empty');
  if (filter.startsWith(SHARED_PREFIX)) {
    throw new MqttError(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, `shared subscriptions are not supported ('${filter}')`);
  }
  if (filter.includes('\u0000')) throw new TopicMappingError(filter, 'filter', 'U+0000 is not allowed');
  const levels = filter.split('/');
  levels.forEach((level, index) => {
    if (level === '') throw new TopicMappingError(filter, 'filter', 'empty level');
    if (level.includes('.')) throw new TopicMappingError(filter, 'filter', "'.' inside a level");
    if (level.includes('#') && (level !== '#' || index !== levels.length - 1)) {
      throw new TopicMappingError(filter, 'filter', "'#' must be the whole last level");
    }
    if (level.includes('+') && level !== '+') throw new TopicMappingError(filter, 'filter', "'+' must be a whole level");
  });
  const multi = levels[levels.length - 1] === '#';
  const body = multi ? levels.slice(0, -1) : levels;
  const firstPlus = body.indexOf('+');
  const startsWild = levels[0] === '+' || levels[0] === '#';
  const matches = (topic: string) => filterMatches(levels, topic);
  if (!multi) {
    if (firstPlus < 0) return { filter, subscriptions: [{ uri: body.join('.'), match: 'exact' }], check: false, matches };
    const uri = body.map((level) => (level === '+' ? '' : level)).join('.');
    return { filter, subscriptions: [{ uri, match: 'wildcard' }], check: startsWild, matches };
  }
  if (body.length === 0) return { filter, subscriptions: [{ uri: '', match: 'prefix' }], check: true, matches };
  if (firstPlus < 0) {
    const parent = body.join('.');
    return {
      filter,
      subscriptions: [
        { uri: `${parent}.`, match: 'prefix' },
        { uri: parent, match: 'exact' },
      ],
      check: false,
      matches,
    };
  }
  const literal = body.slice(0, firstPlus);
  const prefix = literal.length === 0 ? '' : `${literal.join('.')}.`;
  return { filter, subscriptions: [{ uri: prefix, match: 'prefix' }], check: true, matches };
}

/**
 * MQTT 3.1.1 section 4.7: level by level; `#` also matches the parent. A filter starting with a
 * wildcard matches no `$…` topic, nor the router's meta events (`wamp/…`, WAMP's `$SYS`).
 */
export function filterMatches(levels: readonly string[], topic: string): boolean {
  if ((levels[0] === '+' || levels[0] === '#') && (topic.startsWith('$') || topic === 'wamp' || topic.startsWith('wamp/'))) return false;
  // Level by level without splitting `topic` (this runs per event): [start, end) is its level i.
  let start = 0;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === '#') return true;
    if (start > topic.length) return false;
    let end = topic.indexOf('/', start);
    if (end < 0) end = topic.length;
    if (level !== '+' && (end - start !== level.length || !topic.startsWith(level, start))) return false;
    start = end + 1;
  }
  return start > topic.length;
}
