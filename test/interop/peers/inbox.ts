import type { AbEventDetails, AutobahnPeer } from './autobahn-js.js';
import { withTimeout } from './timeouts.js';
import type { WampyPeer } from './wampy-js.js';

/** What a subscriber saw of one event, whatever the library. */
export interface Received {
  args: unknown[];
  kwargs: Record<string, unknown>;
  topic: string | undefined;
  retained?: boolean;
}

/** Events of one subscription; `next(marker)` waits for the event whose args[0] is marker. */
export class Inbox {
  readonly events: Received[] = [];
  readonly #waiters = new Map<unknown, () => void>();

  push(event: Received): void {
    this.events.push(event);
    this.#waiters.get(event.args[0])?.();
  }

  markers(): unknown[] {
    return this.events.map((e) => e.args[0]);
  }

  next(marker: unknown, what: string): Promise<Received> {
    const find = () => this.events.find((e) => e.args[0] === marker);
    const seen = find();
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise<Received>((resolve) => this.#waiters.set(marker, () => resolve(find()!))), what);
  }
}

/** Subscribes the Autobahn|JS session to `topic`; its events go to the returned inbox. */
export async function abSubscribe(ab: AutobahnPeer, topic: string, options?: Record<string, unknown>): Promise<Inbox> {
  const inbox = new Inbox();
  const handler = (args: unknown[], kwargs: Record<string, unknown>, details: AbEventDetails) =>
    inbox.push({ args: args ?? [], kwargs: kwargs ?? {}, topic: details.topic });
  await withTimeout(ab.session.subscribe(topic, handler, options), `Autobahn|JS subscribe ${topic}`);
  return inbox;
}

/** Subscribes the Wampy session to `topic`; its events go to the returned inbox. */
export async function wampySubscribe(wampy: WampyPeer, topic: string, options?: { match: 'prefix' | 'wildcard' }): Promise<Inbox> {
  const inbox = new Inbox();
  const handler = (e: { argsList?: unknown[]; argsDict?: Record<string, unknown>; details: Record<string, unknown> }) =>
    inbox.push({ args: e.argsList ?? [], kwargs: e.argsDict ?? {}, topic: e.details.topic as string | undefined });
  await withTimeout(wampy.wampy.subscribe(topic, handler, options), `Wampy subscribe ${topic}`);
  return inbox;
}
