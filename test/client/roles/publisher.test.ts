import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/client/session.js';
import type { Event } from '../../../src/client/types.js';
import { ApplicationError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { PublishMessage } from '../../../src/protocol/messages.js';
import { scriptedSession, settle, startRouterFixture, type RouterFixture } from '../fixtures.js';

/** Resolves with the next event `session` receives on `topic`. */
async function nextEvent(session: Session, topic: string): Promise<{ event: Promise<Event> }> {
  let resolve!: (event: Event) => void;
  const event = new Promise<Event>((r) => (resolve = r));
  await session.subscribe(topic, resolve);
  return { event };
}

describe('Publisher', () => {
  let fixture: RouterFixture;
  let publisher: Session;
  let subscriber: Session;
  let n = 0;
  const topic = () => `test.publisher.t${++n}`;

  beforeAll(async () => {
    fixture = await startRouterFixture();
    publisher = await fixture.join();
    subscriber = await fixture.join();
  });
  afterAll(() => fixture.close());

  it('publishes args and kwargs to subscribers', async () => {
    const t = topic();
    const { event } = await nextEvent(subscriber, t);
    await publisher.publish(t, [21.5], { unit: 'C' }, { acknowledge: true });
    expect(await event).toMatchObject({ args: [21.5], kwargs: { unit: 'C' }, topic: t, retained: false });
  });

  it('resolves an unacknowledged publish once it is sent, without waiting for the router', async () => {
    const { session, router } = await scriptedSession();
    await session.publish('a.topic', [1]);
    expect(await router.expect<PublishMessage>(MessageType.PUBLISH)).toEqual([MessageType.PUBLISH, 1, {}, 'a.topic', [1]]);
  });

  it('resolves an acknowledged publish only on PUBLISHED', async () => {
    const { session, router } = await scriptedSession();
    let done = false;
    const publishing = session.publish('a.topic', [], {}, { acknowledge: true }).then(() => (done = true));
    const [, request] = await router.expect<PublishMessage>(MessageType.PUBLISH);
    await settle();
    expect(done).toBe(false);
    router.send([MessageType.PUBLISHED, request, 777]);
    await publishing;
    expect(done).toBe(true);
  });

  it('rejects an acknowledged publish the router refuses', async () => {
    const error = await publisher.publish('bad..topic', [], {}, { acknowledge: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect((error as ApplicationError).uri).toBe('wamp.error.invalid_uri');
  });

  it('maps every option to its snake_case wire name', async () => {
    const { session, router } = await scriptedSession();
    await session.publish('a.topic', undefined, undefined, {
      excludeMe: false,
      exclude: [1],
      eligible: [2],
      excludeAuthid: ['a'],
      eligibleAuthid: ['b'],
      excludeAuthrole: ['c'],
      eligibleAuthrole: ['d'],
      retain: true,
      discloseMe: true,
    });
    expect((await router.expect<PublishMessage>(MessageType.PUBLISH))[2]).toEqual({
      exclude_me: false,
      exclude: [1],
      eligible: [2],
      exclude_authid: ['a'],
      eligible_authid: ['b'],
      exclude_authrole: ['c'],
      eligible_authrole: ['d'],
      retain: true,
      disclose_me: true,
    });
  });

  it('receives its own event with excludeMe false and discloses itself with discloseMe', async () => {
    const t = topic();
    const { event } = await nextEvent(publisher, t);
    await publisher.publish(t, ['self'], {}, { excludeMe: false, discloseMe: true, acknowledge: true });
    const received = await event;
    expect(received.args).toEqual(['self']);
    expect(received.details['publisher']).toBe(publisher.id);
  });

  it('excludes sessions listed in exclude', async () => {
    const t = topic();
    const other = await fixture.join();
    const got: string[] = [];
    await subscriber.subscribe(t, () => void got.push('subscriber'));
    await other.subscribe(t, () => void got.push('other'));
    await publisher.publish(t, [], {}, { exclude: [other.id], acknowledge: true });
    await publisher.publish(t, ['marker'], {}, { eligible: [other.id], acknowledge: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(got.sort()).toEqual(['other', 'subscriber']);
  });

  it('retains an event for later subscribers that ask for it', async () => {
    const t = topic();
    await publisher.publish(t, ['online'], {}, { retain: true, acknowledge: true });
    let resolve!: (event: Event) => void;
    const event = new Promise<Event>((r) => (resolve = r));
    await subscriber.subscribe(t, resolve, { getRetained: true });
    expect(await event).toMatchObject({ args: ['online'], retained: true, topic: t });
  });
});
