import { MessageType } from '../protocol/message-type.js';
import type { Dict } from '../protocol/messages.js';
import { MqttError } from './errors.js';
import { ReasonCode, reasonForWampError } from './reason-codes.js';
import type { SubscriptionTable } from './subscriptions.js';
import { parseFilter, type WampSubscriptionSpec } from './topics.js';
import type { WampLink } from './wamp-link.js';

/** One subscription request of a SUBSCRIBE packet. */
export interface SubscribeRequest {
  topic: string;
  qos: number;
  /** MQTT 5 No Local. */
  nl?: boolean;
  /** MQTT 5 Retain Handling: 0 send retained messages, 1 only for a new subscription, 2 never. */
  rh?: number;
}

/**
 * Subscribes one MQTT filter through the session's WAMP session: the router subscriptions that
 * serve it (topics.ts), with `get_retained` per Retain Handling, recorded in `table`. Returns the
 * granted QoS (QoS 2 is granted as 1) or the refusal reason (≥ 0x80): the first subscription of a
 * filter decides; `a/b/#`'s parent-level one is best effort.
 */
export function subscribeFilter(link: WampLink, table: SubscriptionTable, request: SubscribeRequest): number {
  let mapping;
  try {
    mapping = parseFilter(request.topic);
  } catch (error) {
    if (error instanceof MqttError) return error.reasonCode;
    throw error;
  }
  const existing = table.get(mapping.filter);
  const getRetained = request.rh === 2 ? false : request.rh === 1 ? existing === undefined : true;
  const ids: number[] = [];
  for (const [index, spec] of mapping.subscriptions.entries()) {
    const reply = link.subscribe(spec.uri, subscribeOptions(spec, getRetained));
    if (reply?.[0] === MessageType.SUBSCRIBED) {
      ids.push(reply[2]);
    } else if (index === 0) {
      return reply?.[0] === MessageType.ERROR ? reasonForWampError(reply[4], 'subscribe') : ReasonCode.UNSPECIFIED_ERROR;
    }
  }
  const qos = request.qos >= 1 ? 1 : 0;
  const released = table.set({ mapping, qos, noLocal: request.nl === true, subscriptionIds: ids });
  for (const id of released) link.unsubscribe(id);
  return qos;
}

/** One filter of an UNSUBSCRIBE: SUCCESS, or NO_SUBSCRIPTION_EXISTED. */
export function unsubscribeFilter(link: WampLink, table: SubscriptionTable, filter: string): number {
  const released = table.remove(filter);
  if (released === undefined) return ReasonCode.NO_SUBSCRIPTION_EXISTED;
  for (const id of released) link.unsubscribe(id);
  return ReasonCode.SUCCESS;
}

/**
 * A resumed session's filters, subscribed again through its new WAMP session (no retained
 * messages: MQTT does not resend them on resumption). Returns the filters the router now refuses;
 * they are dropped from `table`.
 */
export function resubscribeAll(link: WampLink, table: SubscriptionTable): string[] {
  const refused: string[] = [];
  for (const entry of table.entries()) {
    const ids: number[] = [];
    for (const spec of entry.mapping.subscriptions) {
      const reply = link.subscribe(spec.uri, subscribeOptions(spec, false));
      if (reply?.[0] === MessageType.SUBSCRIBED) ids.push(reply[2]);
    }
    if (ids.length === 0) {
      refused.push(entry.mapping.filter);
      table.remove(entry.mapping.filter);
    } else {
      table.set({ ...entry, subscriptionIds: ids });
    }
  }
  return refused;
}

/** SUBSCRIBE options of one router subscription of a filter. */
function subscribeOptions(spec: WampSubscriptionSpec, getRetained: boolean): Dict {
  const options: Dict = spec.match === 'exact' ? {} : { match: spec.match };
  if (getRetained) options['get_retained'] = true;
  return options;
}
