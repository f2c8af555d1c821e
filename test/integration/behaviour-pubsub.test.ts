import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import { MATRIX } from '../helpers/raw-peer.js';
import { routerPerTest } from '../helpers/router-per-test.js';

const { ERROR, EVENT, PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED } = MessageType;

describe.each(MATRIX)('pub/sub over $transport with $serializer', ({ transport, serializer }) => {
  const { join } = routerPerTest(transport, serializer);

  it('delivers an event with args and kwargs and acknowledges the publication', async () => {
    const [subscriber, publisher] = [await join(), await join()];
    const subscription = await subscriber.subscribe('com.example.news');
    const bytes = new Uint8Array([9, 8, 7, 0, 255]);
    const request = publisher.publish('com.example.news', ['hello', bytes, 2 ** 53], { level: 3, raw: bytes }, { acknowledge: true });
    const published = await publisher.expect(PUBLISHED);
    expect(published[1]).toBe(request);
    expect(await subscriber.next()).toEqual([
      EVENT,
      subscription,
      published[2],
      { topic: 'com.example.news' },
      ['hello', bytes, 2 ** 53],
      { level: 3, raw: bytes },
    ]);
  });

  it('sends no PUBLISHED without acknowledge', async () => {
    const [subscriber, publisher] = [await join(), await join()];
    await subscriber.subscribe('com.example.quiet');
    publisher.publish('com.example.quiet', ['x']);
    expect((await subscriber.expect(EVENT))[4]).toEqual(['x']);
    await publisher.expectSilence(50);
  });

  it('answers an acknowledged publication to an invalid topic with wamp.error.invalid_uri', async () => {
    const publisher = await join();
    const request = publisher.publish('com..broken', [], undefined, { acknowledge: true });
    expect((await publisher.expect(ERROR)).slice(0, 5)).toEqual([ERROR, PUBLISH, request, {}, 'wamp.error.invalid_uri']);
  });

  it('leaves the publisher out unless exclude_me is false', async () => {
    const [subscriber, publisher] = [await join(), await join()];
    await subscriber.subscribe('com.example.chat');
    await publisher.subscribe('com.example.chat');
    publisher.publish('com.example.chat', ['excluded'], undefined, { acknowledge: true });
    await publisher.expect(PUBLISHED); // EVENTs precede PUBLISHED: none for the publisher
    expect((await subscriber.expect(EVENT))[4]).toEqual(['excluded']);
    publisher.publish('com.example.chat', ['included'], undefined, { acknowledge: true, exclude_me: false });
    expect((await publisher.expect(EVENT))[4]).toEqual(['included']);
    await publisher.expect(PUBLISHED);
    expect((await subscriber.expect(EVENT))[4]).toEqual(['included']);
  });

  it('delivers to pattern subscriptions with the concrete topic in the details', async () => {
    const [subscriber, publisher] = [await join(), await join()];
    const prefix = await subscriber.subscribe('com.sensor', { match: 'prefix' });
    const wildcard = await subscriber.subscribe('com..temperature', { match: 'wildcard' });
    publisher.publish('com.sensor.kitchen', [1]);
    expect(await subscriber.next()).toMatchObject([EVENT, prefix, expect.any(Number), { topic: 'com.sensor.kitchen' }, [1]]);
    publisher.publish('com.hall.temperature', [2]);
    expect(await subscriber.next()).toMatchObject([EVENT, wildcard, expect.any(Number), { topic: 'com.hall.temperature' }, [2]]);
    publisher.publish('com.sensor.temperature', [3]); // matches both: one EVENT per subscription
    const events = [await subscriber.expect(EVENT), await subscriber.expect(EVENT)];
    expect(events.map((e) => e[1]).sort()).toEqual([prefix, wildcard].sort());
    expect(events.map((e) => e[3])).toEqual([{ topic: 'com.sensor.temperature' }, { topic: 'com.sensor.temperature' }]);
  });

  it('gives a late subscriber the last retained event when it asks', async () => {
    const publisher = await join();
    publisher.publish('com.example.state', ['old'], undefined, { retain: true, acknowledge: true });
    await publisher.expect(PUBLISHED);
    publisher.publish('com.example.state', ['on'], { since: 1 }, { retain: true, acknowledge: true });
    const publication = (await publisher.expect(PUBLISHED))[2];
    const subscriber = await join();
    const subscription = await subscriber.subscribe('com.example.state', { get_retained: true });
    expect(await subscriber.next()).toEqual([
      EVENT,
      subscription,
      publication,
      { topic: 'com.example.state', retained: true },
      ['on'],
      { since: 1 },
    ]);
    const other = await join();
    await other.subscribe('com.example.state'); // without get_retained: nothing
    await other.expectSilence(50);
  });

  it('stops delivering after UNSUBSCRIBE', async () => {
    const [subscriber, publisher] = [await join(), await join()];
    const subscription = await subscriber.subscribe('com.example.once');
    const request = subscriber.nextRequestId();
    subscriber.send([UNSUBSCRIBE, request, subscription]);
    expect(await subscriber.next()).toEqual([UNSUBSCRIBED, request]);
    publisher.publish('com.example.once', ['missed'], undefined, { acknowledge: true });
    await publisher.expect(PUBLISHED);
    await subscriber.expectSilence(50);
  });

  it('refuses a subscription with an unknown match policy', async () => {
    const subscriber = await join();
    const request = subscriber.nextRequestId();
    subscriber.send([SUBSCRIBE, request, { match: 'regex' }, 'com.example']);
    const reply = await subscriber.next();
    expect(reply[0]).not.toBe(SUBSCRIBED);
    expect(reply.slice(0, 5)).toEqual([ERROR, SUBSCRIBE, request, {}, 'wamp.error.invalid_argument']);
  });
});
