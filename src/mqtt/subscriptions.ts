import { packetTopic } from './event-frames.js';
import type { FilterMapping } from './topics.js';

/** One MQTT subscription of a session: its filter, granted QoS, options and WAMP subscriptions. */
export interface FilterEntry {
  mapping: FilterMapping;
  /** Granted QoS: 0 or 1 (QoS 2 is granted as 1). */
  qos: 0 | 1;
  /** MQTT 5 No Local: not the session's own publications. */
  noLocal: boolean;
  /** Router subscription ids serving the filter (usually one, see topics.ts). */
  subscriptionIds: number[];
}

/**
 * A session's MQTT subscriptions by filter, and by router subscription id for routing EVENTs.
 * Several filters may share a router subscription (`a/b` and `a/b/#` both use exact `a.b`), so an
 * id is unsubscribed from the router only when its last filter goes.
 */
export class SubscriptionTable {
  readonly #byFilter = new Map<string, FilterEntry>();
  readonly #byId = new Map<number, FilterEntry[]>();

  get size(): number {
    return this.#byFilter.size;
  }

  get(filter: string): FilterEntry | undefined {
    return this.#byFilter.get(filter);
  }

  entries(): FilterEntry[] {
    return [...this.#byFilter.values()];
  }

  /** Adds or replaces the entry of `entry.mapping.filter`; returns router ids no longer used. */
  set(entry: FilterEntry): number[] {
    const released = this.#unindex(entry.mapping.filter);
    this.#byFilter.set(entry.mapping.filter, entry);
    for (const id of entry.subscriptionIds) {
      const list = this.#byId.get(id);
      if (list === undefined) this.#byId.set(id, [entry]);
      else list.push(entry);
    }
    return released.filter((id) => !this.#byId.has(id));
  }

  /** Removes a filter; returns the router ids no longer used by any filter (undefined: unknown). */
  remove(filter: string): number[] | undefined {
    if (!this.#byFilter.has(filter)) return undefined;
    const released = this.#unindex(filter);
    this.#byFilter.delete(filter);
    return released.filter((id) => !this.#byId.has(id));
  }

  /**
   * The QoS to deliver an event of router subscription `id` with, or -1 when no filter takes it:
   * the highest QoS among the filters that match (the topic of `packet`, a PUBLISH, is read once
   * and only when a filter needs it), skipping No Local filters for the session's own publications.
   */
  deliveryQos(id: number, packet: Buffer, own: boolean): number {
    const list = this.#byId.get(id);
    if (list === undefined) return -1;
    let qos = -1;
    let topic: string | undefined;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (entry.qos <= qos || (own && entry.noLocal)) continue;
      if (entry.mapping.check && !entry.mapping.matches((topic ??= packetTopic(packet)))) continue;
      qos = entry.qos;
    }
    return qos;
  }

  #unindex(filter: string): number[] {
    const old = this.#byFilter.get(filter);
    if (old === undefined) return [];
    for (const id of old.subscriptionIds) {
      const list = this.#byId.get(id);
      if (list === undefined) continue;
      const rest = list.filter((e) => e !== old);
      if (rest.length === 0) this.#byId.delete(id);
      else this.#byId.set(id, rest);
    }
    return old.subscriptionIds;
  }
}
