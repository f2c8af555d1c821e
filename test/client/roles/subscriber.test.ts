import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/client/session.js';
import type { Event } from '../../../src/client/types.js';
import { createLogger } from '../../../src/common/logger.js';
import { ApplicationError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { SubscribeMessage, UnsubscribeMessage } from '../../../src/protocol/messages.js';
import { scriptedSession, settle, startRouterFixture, type RouterFixture } from '../fixtures.js';

/** Waits until `events` has `count` entries (bounded). */
async function until(events: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 100 && events.length < count; i++) await new Promise((r) => setTimeout(r, 5));
}

describe('Subscriber', () => {
  let fixture: RouterFixture;
  let publisher: Session;
  let subscriber: Session;
  let n = 0;
  const topic = () => `test.subscriber.t${++n}`;

  beforeAll(async () => {
    fixture = await startRouterFixture();
    publisher = await fixture.join();
    subscriber = await fixture.join();
  });
  afterAll(() => fixture.close());

  it('hands the handler args, kwargs, details, topic and publication', async () => {
    const t = topic();
    const events: Event[] = [];
    const subscription = await subscriber.subscribe(t, (e) => void events.push(e));
    expect(subscription).toMatchObject({ topic: t });
    expect(subscription.id).toBeGreaterThan(0);
    await publisher.publish(t, [1, 2], { k: 'v' }, { acknowledge: true });
    await until(events, 1);
    expect(events[0]).toMatchObject({ args: [1, 2], kwargs: { k: 'v' }, topic: t, retained: false });
    expect(events[0]!.publication).toBeGreaterThan(0);
    expect(events[0]!.details['topic']).toBe(t);
  });

  it('reports the concrete topic for a pattern subscription', async () => {
    const prefix = `${topic()}.`;
    const topics: string[] = [];
    await subscriber.subscribe(prefix, (e) => void topics.push(e.topic), { match: 'prefix' });
    await subscriber.subscribe(`${prefix}.temperature`, (e) => void topics.push(`wild:${e.topic}`), { match: 'wildcard' });
    await publisher.publish(`${prefix}porch.temperature`, [], {}, { acknowledge: true });
    await until(topics, 2);
    expect(topics.sort()).toEqual([`${prefix}porch.temperature`, `wild:${prefix}porch.temperature`]);
  });

  it('falls back to the subscribed topic when EVENT.Details has none', async () => {
    const { session, router } = await scriptedSession();
    const events: Event[] = [];
    const subscribing = session.subscribe('a.topic', (e) => void events.push(e));
    const [, request] = await router.expect<SubscribeMessage>(MessageType.SUBSCRIBE);
    router.send([MessageType.SUBSCRIBED, request, 5]);
    await subscribing;
    router.send([MessageType.EVENT, 5, 99, { retained: true }, ['x']]);
    router.send([MessageType.EVENT, 6, 100, {}, ['for nobody']]);
    await settle();
    expect(events).toEqual([{ args: ['x'], kwargs: {}, details: { retained: true }, topic: 'a.topic', publication: 99, retained: true }]);
    expect(session.isOpen).toBe(true);
  });

  it('logs a handler that throws or rejects and keeps delivering', async () => {
    const lines: string[] = [];
    const logged = await fixture.join({ logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }) });
    const t = topic();
    const events: unknown[] = [];
    await logged.subscribe(t, () => {
      throw new Error('sync failure');
    });
    await logged.subscribe(t, async () => {
      throw new Error('async failure');
    });
    await logged.subscribe(t, (e) => void events.push(e.args[0]));
    await publisher.publish(t, [1], {}, { acknowledge: true });
    await publisher.publish(t, [2], {}, { acknowledge: true });
    await until(events, 2);
    expect(events).toEqual([1, 2]);
    expect(logged.isOpen).toBe(true);
    expect(lines.join('\n')).toContain('sync failure');
    expect(lines.join('\n')).toContain('async failure');
  });

  it('fans one subscription id out to every handler and unsubscribes from the router with the last', async () => {
    const { session, router } = await scriptedSession();
    const got: string[] = [];
    const subscribe = async (name: string) => {
      const subscribing = session.subscribe('a.topic', () => void got.push(name));
      const [, request] = await router.expect<SubscribeMessage>(MessageType.SUBSCRIBE);
      router.send([MessageType.SUBSCRIBED, request, 5]); // the broker reuses the id
      return subscribing;
    };
    const first = await subscribe('first');
    const second = await subscribe('second');
    router.send([MessageType.EVENT, 5, 1, {}]);
    await settle();
    expect(got).toEqual(['first', 'second']);
    await first.unsubscribe();
    router.send([MessageType.EVENT, 5, 2, {}]);
    await settle();
    expect(got).toEqual(['first', 'second', 'second']);
    expect(router.received).toEqual([]); // no UNSUBSCRIBE while a handler remains
    const unsubscribing = second.unsubscribe();
    const [, request, id] = await router.expect<UnsubscribeMessage>(MessageType.UNSUBSCRIBE);
    expect(id).toBe(5);
    router.send([MessageType.UNSUBSCRIBED, request]);
    await unsubscribing;
    await second.unsubscribe();
  });

  it('stops delivering after unsubscribe against the real router', async () => {
    const t = topic();
    const events: unknown[] = [];
    const subscription = await subscriber.subscribe(t, (e) => void events.push(e.args[0]));
    await publisher.publish(t, ['before'], {}, { acknowledge: true });
    await until(events, 1);
    await subscription.unsubscribe();
    await publisher.publish(t, ['after'], {}, { acknowledge: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['before']);
  });

  it('rejects a subscription the router refuses', async () => {
    const error = await subscriber.subscribe('bad..topic', () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).uri).toBe('wamp.error.invalid_uri');
  });

  it('sends match and get_retained only when they differ from the defaults', async () => {
    const { session, router } = await scriptedSession();
    void session.subscribe('a.topic', () => {});
    void session.subscribe('a.', () => {}, { match: 'prefix', getRetained: true });
    expect((await router.expect<SubscribeMessage>(MessageType.SUBSCRIBE))[2]).toEqual({});
    expect((await router.expect<SubscribeMessage>(MessageType.SUBSCRIBE))[2]).toEqual({ match: 'prefix', get_retained: true });
  });

  it('tolerates a subscription revocation it did not announce', async () => {
    const { session, router } = await scriptedSession();
    const events: unknown[] = [];
    const subscribing = session.subscribe('a.topic', (e) => void events.push(e));
    const [, request] = await router.expect<SubscribeMessage>(MessageType.SUBSCRIBE);
    router.send([MessageType.SUBSCRIBED, request, 5]);
    const subscription = await subscribing;
    router.send([MessageType.UNSUBSCRIBED, 0, { subscription: 5, reason: 'wamp.close.killed' }]);
    router.send([MessageType.EVENT, 5, 1, {}]);
    await settle();
    expect(events).toEqual([]);
    await subscription.unsubscribe(); // nothing to undo
    expect(session.isOpen).toBe(true);
  });
});
