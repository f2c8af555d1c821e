import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { RouterScopeIds } from '../../src/protocol/ids.js';
import { MessageType } from '../../src/protocol/message-type.js';
import {
  type Args,
  type Dict,
  type EventMessage,
  type PublishMessage,
  type WampMessage,
  withPayload,
} from '../../src/protocol/messages.js';
import { ErrorUri, type UriMode } from '../../src/protocol/uris.js';
import { Broker } from '../../src/router/broker.js';
import type { RouterSession } from '../../src/router/router-session.js';
import {
  createFakeSerializer,
  createFakeSession,
  type FakeSessionOptions,
  fakeTransportOf,
  sentTo,
} from '../helpers/fake-transport.js';

const CREATED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const fixedClock: Clock = {
  now: () => CREATED_AT,
  setTimeout: () => {
    throw new Error('the broker uses no timers');
  },
  clearTimeout: () => {},
};

type MetaEvent = [topic: string, args: unknown[]];

function setup(uriMode: UriMode = 'loose') {
  const meta: MetaEvent[] = [];
  const broker = new Broker({
    ids: new RouterScopeIds(),
    uriMode,
    logger: silentLogger,
    clock: fixedClock,
    onMeta: (topic, args) => meta.push([topic, args]),
  });
  return { broker, meta };
}

let requestId = 0;

/** Subscribes and returns the subscription id from SUBSCRIBED. */
function subscribe(broker: Broker, session: RouterSession, topic: string, options: Dict = {}): number {
  const request = ++requestId;
  broker.subscribe(session, [MessageType.SUBSCRIBE, request, options, topic]);
  const reply = sentTo(session).find((m) => m[0] === MessageType.SUBSCRIBED && m[1] === request);
  if (reply === undefined) throw new Error('no SUBSCRIBED');
  return reply[2] as number;
}

function publish(
  broker: Broker,
  session: RouterSession,
  topic: string,
  options: Dict = {},
  args?: Args,
  kwargs?: Dict,
): number {
  const request = ++requestId;
  broker.publish(session, withPayload<PublishMessage>([MessageType.PUBLISH, request, options, topic], args, kwargs));
  return request;
}

function unsubscribe(broker: Broker, session: RouterSession, id: number): number {
  const request = ++requestId;
  broker.unsubscribe(session, [MessageType.UNSUBSCRIBE, request, id]);
  return request;
}

function eventsOf(session: RouterSession): EventMessage[] {
  return sentTo(session).filter((m): m is EventMessage => m[0] === MessageType.EVENT);
}

function sessions(count: number, options: FakeSessionOptions = {}): RouterSession[] {
  return Array.from({ length: count }, () => createFakeSession(options));
}

function thrownBy(fn: () => void): ApplicationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApplicationError) return error;
    throw error;
  }
  throw new Error('expected an ApplicationError');
}

describe('Broker', () => {
  describe('subscribe', () => {
    it('answers SUBSCRIBED and shares one subscription per (topic, match policy)', () => {
      const { broker } = setup();
      const [a, b] = sessions(2);
      const idA = subscribe(broker, a!, 'com.app.temp');
      const idB = subscribe(broker, b!, 'com.app.temp');
      const idPrefix = subscribe(broker, b!, 'com.app.temp', { match: 'prefix' });
      expect(sentTo(a!)).toEqual([[MessageType.SUBSCRIBED, requestId - 2, idA]]);
      expect(idB).toBe(idA);
      expect(idPrefix).not.toBe(idA);
    });

    it('returns the same id to a session subscribing twice and delivers once', () => {
      const { broker, meta } = setup();
      const [sub, pub] = sessions(2);
      const first = subscribe(broker, sub!, 'com.app.temp');
      const second = subscribe(broker, sub!, 'com.app.temp', { match: undefined });
      expect(second).toBe(first);
      expect(broker.countSubscribers(first)).toBe(1);
      expect(meta.map(([topic]) => topic)).toEqual(['wamp.subscription.on_create', 'wamp.subscription.on_subscribe']);
      publish(broker, pub!, 'com.app.temp');
      expect(eventsOf(sub!)).toHaveLength(1);
    });

    it('rejects an unknown match policy with invalid_argument', () => {
      const { broker } = setup();
      const [s] = sessions(1);
      const error = thrownBy(() => broker.subscribe(s!, [MessageType.SUBSCRIBE, 1, { match: 'regex' }, 'com.app']));
      expect(error.uri).toBe(ErrorUri.INVALID_ARGUMENT);
      expect(typeof error.args[0]).toBe('string');
      expect(sentTo(s!)).toEqual([]);
    });

    it('validates the topic for its match policy and URI mode', () => {
      const loose = setup('loose').broker;
      const strict = setup('strict').broker;
      const [s] = sessions(1);
      const invalid = (broker: Broker, topic: string, match?: string) =>
        thrownBy(() => broker.subscribe(s!, [MessageType.SUBSCRIBE, 1, match ? { match } : {}, topic])).uri;

      expect(subscribe(loose, s!, 'com.App.Temp-1')).toBeGreaterThan(0);
      expect(invalid(strict, 'com.App.Temp-1')).toBe(ErrorUri.INVALID_URI);
      expect(invalid(loose, 'com..temp')).toBe(ErrorUri.INVALID_URI);
      expect(invalid(loose, 'com.app temp')).toBe(ErrorUri.INVALID_URI);
      expect(invalid(loose, 'com.app.')).toBe(ErrorUri.INVALID_URI);
      expect(subscribe(strict, s!, 'com..temp', { match: 'wildcard' })).toBeGreaterThan(0);
      expect(subscribe(strict, s!, 'com.app.', { match: 'prefix' })).toBeGreaterThan(0);
      expect(invalid(strict, 'com.App.', 'prefix')).toBe(ErrorUri.INVALID_URI);
    });
  });

  describe('publish', () => {
    it('delivers EVENT with the subscription id, Details.topic and the payload untouched', () => {
      const { broker } = setup();
      const [sub, pub] = sessions(2);
      const id = subscribe(broker, sub!, 'com.app.temp');
      const kwargs = { unit: 'C', nested: { deep: [1, { x: null }] } };
      publish(broker, pub!, 'com.app.temp', {}, [21.5, 'a'], kwargs);
      publish(broker, pub!, 'com.app.temp');
      const [withArgs, bare] = eventsOf(sub!);
      expect(withArgs).toEqual([MessageType.EVENT, id, expect.any(Number), { topic: 'com.app.temp' }, [21.5, 'a'], kwargs]);
      expect(bare).toEqual([MessageType.EVENT, id, expect.any(Number), { topic: 'com.app.temp' }]);
      expect(withArgs![2]).not.toBe(bare![2]);
      expect(sentTo(pub!)).toEqual([]);
    });

    it('delivers to prefix and wildcard subscriptions with the concrete topic', () => {
      const { broker } = setup();
      const [prefixSub, wildSub, pub] = sessions(3);
      const prefixId = subscribe(broker, prefixSub!, 'devices.porch.', { match: 'prefix' });
      const wildId = subscribe(broker, wildSub!, 'devices..temp', { match: 'wildcard' });
      publish(broker, pub!, 'devices.porch.temp', {}, [20]);
      publish(broker, pub!, 'devices.porch.humidity', {}, [55]);
      publish(broker, pub!, 'devices.kitchen.temp', {}, [19]);
      publish(broker, pub!, 'devices.kitchen.temp.raw', {}, [1]);

      expect(eventsOf(prefixSub!).map((e) => [e[1], e[3].topic, e[4]])).toEqual([
        [prefixId, 'devices.porch.temp', [20]],
        [prefixId, 'devices.porch.humidity', [55]],
      ]);
      expect(eventsOf(wildSub!).map((e) => [e[1], e[3].topic, e[4]])).toEqual([
        [wildId, 'devices.porch.temp', [20]],
        [wildId, 'devices.kitchen.temp', [19]],
      ]);
    });

    it('delivers once per matching subscription with the same publication id', () => {
      const { broker } = setup();
      const [sub, pub] = sessions(2);
      const exact = subscribe(broker, sub!, 'a.b.c');
      const prefix = subscribe(broker, sub!, 'a.b', { match: 'prefix' });
      const wildcard = subscribe(broker, sub!, 'a..c', { match: 'wildcard' });
      publish(broker, pub!, 'a.b.c', {}, ['x']);
      const events = eventsOf(sub!);
      expect(events.map((e) => e[1]).sort()).toEqual([exact, prefix, wildcard].sort());
      expect(new Set(events.map((e) => e[2])).size).toBe(1);
      expect(events.every((e) => e[3].topic === 'a.b.c')).toBe(true);
    });

    it('keeps events from one publisher in publication order', () => {
      const { broker } = setup();
      const [sub, pub] = sessions(2);
      subscribe(broker, sub!, 'seq');
      for (let i = 0; i < 5; i++) publish(broker, pub!, 'seq', {}, [i]);
      expect(eventsOf(sub!).map((e) => e[4]![0])).toEqual([0, 1, 2, 3, 4]);
    });

    it('excludes the publisher by default and includes it with exclude_me=false', () => {
      const { broker } = setup();
      const [pub, other] = sessions(2);
      subscribe(broker, pub!, 'topic');
      subscribe(broker, other!, 'topic');
      publish(broker, pub!, 'topic', {}, [1]);
      expect(eventsOf(pub!)).toHaveLength(0);
      expect(eventsOf(other!)).toHaveLength(1);
      publish(broker, pub!, 'topic', { exclude_me: false }, [2]);
      expect(eventsOf(pub!).map((e) => e[4])).toEqual([[2]]);
      expect(eventsOf(other!)).toHaveLength(2);
    });

    it('rejects an invalid topic with invalid_uri and delivers nothing', () => {
      const { broker } = setup('strict');
      const [sub, pub] = sessions(2);
      subscribe(broker, sub!, '', { match: 'prefix' });
      for (const topic of ['com..x', 'com.x.', 'Com.X', 'a#b']) {
        expect(thrownBy(() => publish(broker, pub!, topic, { acknowledge: true })).uri, topic).toBe(
          ErrorUri.INVALID_URI,
        );
      }
      expect(eventsOf(sub!)).toEqual([]);
      expect(sentTo(pub!)).toEqual([]);
      expect(() => publish(setup('loose').broker, pub!, 'Com.X')).not.toThrow();
    });

    it('sends PUBLISHED with the publication id after the events, only when asked', () => {
      const { broker } = setup();
      const [pub, sub] = sessions(2);
      subscribe(broker, pub!, 'topic');
      subscribe(broker, sub!, 'topic');
      fakeTransportOf(pub!).clear();
      const request = publish(broker, pub!, 'topic', { acknowledge: true, exclude_me: false });
      const publicationId = eventsOf(sub!)[0]![2];
      expect(sentTo(pub!)).toEqual([
        [MessageType.EVENT, expect.any(Number), publicationId, { topic: 'topic' }],
        [MessageType.PUBLISHED, request, publicationId],
      ]);
      publish(broker, pub!, 'topic');
      expect(sentTo(pub!).filter((m) => m[0] === MessageType.PUBLISHED)).toHaveLength(1);
    });

    it('discloses the publisher only with disclose_me=true', () => {
      const { broker } = setup();
      const pub = createFakeSession({ authid: 'alice', authrole: 'device' });
      const [sub] = sessions(1);
      subscribe(broker, sub!, 'topic');
      publish(broker, pub, 'topic', { disclose_me: true });
      publish(broker, pub, 'topic', { disclose_me: false });
      const [disclosed, hidden] = eventsOf(sub!);
      expect(disclosed![3]).toEqual({
        topic: 'topic',
        publisher: pub.id,
        publisher_authid: 'alice',
        publisher_authrole: 'device',
      });
      expect(hidden![3]).toEqual({ topic: 'topic' });
    });

    it('skips a subscriber whose peer cannot take the event and delivers to the rest', () => {
      const { broker } = setup();
      const small = createFakeSession({ maxOutgoingSize: 40 });
      const [big, pub] = sessions(2);
      subscribe(broker, small, 'topic');
      subscribe(broker, big!, 'topic');
      expect(() => publish(broker, pub!, 'topic', {}, ['x'.repeat(100)])).not.toThrow();
      expect(eventsOf(small)).toEqual([]);
      expect(eventsOf(big!)).toHaveLength(1);
    });
  });

  describe('subscriber black/white-listing', () => {
    function listing() {
      const { broker } = setup();
      const pub = createFakeSession({ authid: 'pub', authrole: 'admin' });
      const a = createFakeSession({ authid: 'alice', authrole: 'staff' });
      const b = createFakeSession({ authid: 'bob', authrole: 'staff' });
      const c = createFakeSession({ authid: 'carol', authrole: 'manager' });
      for (const s of [a, b, c]) subscribe(broker, s, 'customer.42');
      /** Names of the sessions that receive a publication with these options. */
      const receivers = (options: Dict): string[] => {
        for (const s of [a, b, c]) fakeTransportOf(s).clear();
        publish(broker, pub, 'customer.42', options);
        return [a, b, c].filter((s) => eventsOf(s).length > 0).map((s) => s.identity.authid);
      };
      return { broker, pub, a, b, c, receivers };
    }

    it('applies each list on its own', () => {
      const { a, b, receivers } = listing();
      expect(receivers({ eligible: [a.id, b.id] })).toEqual(['alice', 'bob']);
      expect(receivers({ exclude: [a.id] })).toEqual(['bob', 'carol']);
      expect(receivers({ eligible_authid: ['carol', 'nobody'] })).toEqual(['carol']);
      expect(receivers({ exclude_authid: ['bob'] })).toEqual(['alice', 'carol']);
      expect(receivers({ eligible_authrole: ['staff'] })).toEqual(['alice', 'bob']);
      expect(receivers({ exclude_authrole: ['staff'] })).toEqual(['carol']);
      expect(receivers({ eligible: [] })).toEqual([]);
      expect(receivers({ exclude: null, eligible: undefined })).toEqual(['alice', 'bob', 'carol']);
    });

    it('ANDs the lists together', () => {
      const { a, b, c, receivers } = listing();
      // The spec's example: eligible {a, b, c} and exclude {a} reach b and c.
      expect(receivers({ eligible: [a.id, b.id, c.id], exclude: [a.id] })).toEqual(['bob', 'carol']);
      expect(receivers({ eligible_authrole: ['staff'], exclude_authid: ['alice'] })).toEqual(['bob']);
      expect(receivers({ eligible: [a.id, c.id], eligible_authrole: ['staff'] })).toEqual(['alice']);
      expect(receivers({ eligible_authid: ['alice', 'carol'], exclude_authrole: ['manager'], exclude: [a.id] })).toEqual(
        [],
      );
    });

    it('keeps publisher exclusion on top of an eligible list naming the publisher', () => {
      const { broker, pub, receivers } = listing();
      subscribe(broker, pub, 'customer.42');
      receivers({ eligible: [pub.id] });
      expect(eventsOf(pub)).toEqual([]);
      receivers({ eligible: [pub.id], exclude_me: false });
      expect(eventsOf(pub)).toHaveLength(1);
    });

    it('rejects a list of the wrong type with invalid_argument', () => {
      const { broker, pub } = listing();
      for (const options of [{ exclude: 5 }, { eligible: ['1'] }, { eligible_authid: [1] }, { exclude_authrole: 'x' }]) {
        expect(thrownBy(() => publish(broker, pub, 'customer.42', options)).uri).toBe(ErrorUri.INVALID_ARGUMENT);
      }
    });
  });

  describe('unsubscribe', () => {
    it('answers UNSUBSCRIBED and stops delivery', () => {
      const { broker } = setup();
      const [sub, pub] = sessions(2);
      const id = subscribe(broker, sub!, 'topic');
      const request = unsubscribe(broker, sub!, id);
      expect(sentTo(sub!).at(-1)).toEqual([MessageType.UNSUBSCRIBED, request]);
      publish(broker, pub!, 'topic');
      expect(eventsOf(sub!)).toEqual([]);
      expect(broker.get(id)).toBeNull();
    });

    it('rejects an unknown id, a subscription of another session and a repeat', () => {
      const { broker } = setup();
      const [a, b] = sessions(2);
      const id = subscribe(broker, a!, 'topic');
      expect(thrownBy(() => unsubscribe(broker, a!, 987654)).uri).toBe(ErrorUri.NO_SUCH_SUBSCRIPTION);
      expect(thrownBy(() => unsubscribe(broker, b!, id)).uri).toBe(ErrorUri.NO_SUCH_SUBSCRIPTION);
      unsubscribe(broker, a!, id);
      expect(thrownBy(() => unsubscribe(broker, a!, id)).uri).toBe(ErrorUri.NO_SUCH_SUBSCRIPTION);
      expect(sentTo(b!)).toEqual([]);
    });

    it('keeps the subscription while other sessions remain on it', () => {
      const { broker } = setup();
      const [a, b, pub] = sessions(3);
      const id = subscribe(broker, a!, 'topic');
      subscribe(broker, b!, 'topic');
      unsubscribe(broker, a!, id);
      publish(broker, pub!, 'topic');
      expect(eventsOf(a!)).toEqual([]);
      expect(eventsOf(b!)).toHaveLength(1);
      expect(broker.subscribers(id)).toEqual([b!.id]);
    });
  });

  describe('retained events', () => {
    it('delivers the retained event after SUBSCRIBED with Details.retained', () => {
      const { broker } = setup();
      const pub = createFakeSession({ authid: 'porch', authrole: 'device' });
      const [sub] = sessions(1);
      publish(broker, pub, 'devices.porch.status', { retain: true, disclose_me: true }, ['online'], { since: 1 });
      const request = requestId + 1;
      const id = subscribe(broker, sub!, 'devices.porch.status', { get_retained: true });
      expect(sentTo(sub!)).toEqual([
        [MessageType.SUBSCRIBED, request, id],
        [
          MessageType.EVENT,
          id,
          expect.any(Number),
          {
            topic: 'devices.porch.status',
            publisher: pub.id,
            publisher_authid: 'porch',
            publisher_authrole: 'device',
            retained: true,
          },
          ['online'],
          { since: 1 },
        ],
      ]);
    });

    it('keeps the publication id and sends nothing retained without get_retained', () => {
      const { broker } = setup();
      const [pub, early, late, plain] = sessions(4);
      subscribe(broker, early!, 'status');
      publish(broker, pub!, 'status', { retain: true }, ['online']);
      const publicationId = eventsOf(early!)[0]![2];
      expect(eventsOf(early!)[0]![3]).toEqual({ topic: 'status' });
      subscribe(broker, late!, 'status', { get_retained: true });
      subscribe(broker, plain!, 'status');
      expect(eventsOf(late!)[0]![2]).toBe(publicationId);
      expect(eventsOf(plain!)).toEqual([]);
    });

    it('replaces the retained event with the newest retained publication only', () => {
      const { broker } = setup();
      const [pub, sub] = sessions(2);
      publish(broker, pub!, 'status', { retain: true }, ['online']);
      publish(broker, pub!, 'status', { retain: true }, ['offline']);
      publish(broker, pub!, 'status', {}, ['not retained']);
      subscribe(broker, sub!, 'status', { get_retained: true });
      expect(eventsOf(sub!).map((e) => e[4])).toEqual([['offline']]);
    });

    it('delivers every retained topic a pattern subscription matches', () => {
      const { broker } = setup();
      const [pub, prefixSub, wildSub, emptySub] = sessions(4);
      publish(broker, pub!, 'devices.porch.status', { retain: true }, ['online']);
      publish(broker, pub!, 'devices.kitchen.status', { retain: true }, ['offline']);
      publish(broker, pub!, 'devices.porch.temp', { retain: true }, [20]);
      publish(broker, pub!, 'other.porch.status', { retain: true }, ['x']);

      const prefixId = subscribe(broker, prefixSub!, 'devices.porch', { match: 'prefix', get_retained: true });
      const wildId = subscribe(broker, wildSub!, 'devices..status', { match: 'wildcard', get_retained: true });
      subscribe(broker, emptySub!, 'nothing.here', { match: 'prefix', get_retained: true });

      expect(eventsOf(prefixSub!).map((e) => [e[1], e[3].topic, e[3].retained])).toEqual([
        [prefixId, 'devices.porch.status', true],
        [prefixId, 'devices.porch.temp', true],
      ]);
      expect(eventsOf(wildSub!).map((e) => [e[1], e[3].topic, e[4]])).toEqual([
        [wildId, 'devices.porch.status', ['online']],
        [wildId, 'devices.kitchen.status', ['offline']],
      ]);
      expect(eventsOf(emptySub!)).toEqual([]);
    });

    it('withholds a retained event from a subscriber that was not eligible for it', () => {
      const { broker } = setup();
      const pub = createFakeSession();
      const staff = createFakeSession({ authrole: 'staff' });
      const guest = createFakeSession({ authrole: 'guest' });
      publish(broker, pub, 'status', { retain: true, eligible_authrole: ['staff'] }, ['secret']);
      subscribe(broker, staff, 'status', { get_retained: true });
      subscribe(broker, guest, 'status', { get_retained: true });
      subscribe(broker, pub, 'status', { get_retained: true });
      expect(eventsOf(staff)).toHaveLength(1);
      expect(eventsOf(guest)).toEqual([]);
      expect(eventsOf(pub)).toEqual([]);
    });

    it('gives the publisher its own retained event only when it published with exclude_me=false', () => {
      const { broker } = setup();
      const [pub] = sessions(1);
      publish(broker, pub!, 'excluded', { retain: true }, ['hidden']);
      publish(broker, pub!, 'included', { retain: true, exclude_me: false }, ['mine']);
      subscribe(broker, pub!, 'excluded', { get_retained: true });
      subscribe(broker, pub!, 'included', { get_retained: true });
      expect(eventsOf(pub!).map((e) => e[4])).toEqual([['mine']]);
    });
  });

  describe('publishInternal', () => {
    it('publishes without a publisher and returns the publication id', () => {
      const { broker } = setup();
      const [a, b] = sessions(2);
      const id = subscribe(broker, a!, 'wamp.session.on_join');
      subscribe(broker, b!, 'wamp.session.on_join');
      const publicationId = broker.publishInternal('wamp.session.on_join', [{ session: 1 }]);
      expect(eventsOf(a!)).toEqual([
        [MessageType.EVENT, id, publicationId, { topic: 'wamp.session.on_join' }, [{ session: 1 }]],
      ]);
      expect(eventsOf(b!)).toHaveLength(1);
    });

    it('honours exclude, eligible and retain', () => {
      const { broker } = setup();
      const [a, b, late] = sessions(3);
      subscribe(broker, a!, 'devices.x.status');
      subscribe(broker, b!, 'devices.x.status');
      broker.publishInternal('devices.x.status', ['one'], undefined, { exclude: [a!.id] });
      broker.publishInternal('devices.x.status', ['two'], undefined, { eligible: [a!.id] });
      broker.publishInternal('devices.x.status', ['offline'], undefined, { retain: true });
      expect(eventsOf(a!).map((e) => e[4])).toEqual([['two'], ['offline']]);
      expect(eventsOf(b!).map((e) => e[4])).toEqual([['one'], ['offline']]);
      subscribe(broker, late!, 'devices.x.status', { get_retained: true });
      expect(eventsOf(late!).map((e) => [e[4], e[3].retained])).toEqual([[['offline'], true]]);
    });

    it('rejects an invalid topic', () => {
      const { broker } = setup();
      expect(thrownBy(() => broker.publishInternal('a..b')).uri).toBe(ErrorUri.INVALID_URI);
    });
  });

  describe('removeSession', () => {
    it('drops all subscriptions of the session with unsubscribe/delete meta events', () => {
      const { broker, meta } = setup();
      const [leaving, staying, pub] = sessions(3);
      const shared = subscribe(broker, leaving!, 'shared');
      subscribe(broker, staying!, 'shared');
      const own = subscribe(broker, leaving!, 'own.', { match: 'prefix' });
      meta.length = 0;

      broker.removeSession(leaving!);

      expect(meta).toEqual([
        ['wamp.subscription.on_unsubscribe', [leaving!.id, shared]],
        ['wamp.subscription.on_unsubscribe', [leaving!.id, own]],
        ['wamp.subscription.on_delete', [leaving!.id, own]],
      ]);
      expect(broker.list()).toEqual({ exact: [shared], prefix: [], wildcard: [] });
      expect(broker.subscribers(shared)).toEqual([staying!.id]);
      fakeTransportOf(leaving!).clear();
      publish(broker, pub!, 'shared');
      publish(broker, pub!, 'own.x');
      expect(sentTo(leaving!)).toEqual([]);
      expect(eventsOf(staying!)).toHaveLength(1);
      expect(() => broker.removeSession(leaving!)).not.toThrow();
      expect(meta).toHaveLength(3);
    });

    it('finishes its bookkeeping before a meta listener re-enters the broker', () => {
      const observed: Array<number | null> = [];
      const holder: { broker?: Broker } = {};
      const broker = new Broker({
        ids: new RouterScopeIds(),
        uriMode: 'loose',
        logger: silentLogger,
        onMeta: (topic, args) => {
          if (topic === 'wamp.subscription.on_delete') observed.push(holder.broker!.countSubscribers(args[1] as number));
        },
      });
      holder.broker = broker;
      const [s] = sessions(1);
      subscribe(broker, s!, 'a');
      subscribe(broker, s!, 'b');
      broker.removeSession(s!);
      expect(observed).toEqual([null, null]);
    });
  });

  describe('meta events', () => {
    it('emits on_create, on_subscribe, on_unsubscribe and on_delete in order with their payloads', () => {
      const { broker, meta } = setup();
      const [a, b] = sessions(2);
      const id = subscribe(broker, a!, 'com.app..temp', { match: 'wildcard' });
      subscribe(broker, b!, 'com.app..temp', { match: 'wildcard' });
      unsubscribe(broker, a!, id);
      unsubscribe(broker, b!, id);
      expect(meta).toEqual([
        [
          'wamp.subscription.on_create',
          [a!.id, { id, created: '2026-01-02T03:04:05.000Z', uri: 'com.app..temp', match: 'wildcard' }],
        ],
        ['wamp.subscription.on_subscribe', [a!.id, id]],
        ['wamp.subscription.on_subscribe', [b!.id, id]],
        ['wamp.subscription.on_unsubscribe', [a!.id, id]],
        ['wamp.subscription.on_unsubscribe', [b!.id, id]],
        ['wamp.subscription.on_delete', [b!.id, id]],
      ]);
    });

    it('emits after the reply has been sent', () => {
      const seen: WampMessage[][] = [];
      const [s] = sessions(1);
      const broker = new Broker({
        ids: new RouterScopeIds(),
        uriMode: 'loose',
        logger: silentLogger,
        onMeta: () => seen.push([...sentTo(s!)]),
      });
      const id = subscribe(broker, s!, 'topic');
      unsubscribe(broker, s!, id);
      expect(seen.map((messages) => messages.at(-1)![0])).toEqual([
        MessageType.SUBSCRIBED,
        MessageType.SUBSCRIBED,
        MessageType.UNSUBSCRIBED,
        MessageType.UNSUBSCRIBED,
      ]);
    });

    it('still completes a subscription when the meta listener throws', () => {
      const broker = new Broker({
        ids: new RouterScopeIds(),
        uriMode: 'loose',
        logger: silentLogger,
        onMeta: () => {
          throw new Error('listener bug');
        },
      });
      const [s] = sessions(1);
      expect(subscribe(broker, s!, 'topic')).toBeGreaterThan(0);
    });
  });

  describe('meta queries', () => {
    it('lists, looks up, matches and describes subscriptions', () => {
      const { broker } = setup();
      const [a, b] = sessions(2);
      const exact = subscribe(broker, a!, 'a.b.c');
      const prefix = subscribe(broker, a!, 'a.b', { match: 'prefix' });
      const wildcard = subscribe(broker, b!, 'a..c', { match: 'wildcard' });
      subscribe(broker, b!, 'a.b.c');

      expect(broker.list()).toEqual({ exact: [exact], prefix: [prefix], wildcard: [wildcard] });
      expect(broker.lookup('a.b.c')).toBe(exact);
      expect(broker.lookup('a.b', 'prefix')).toBe(prefix);
      expect(broker.lookup('a..c', 'wildcard')).toBe(wildcard);
      expect(broker.lookup('a.b')).toBeNull();
      expect(() => broker.lookup('a.b', 'fuzzy')).toThrow(ApplicationError);
      expect(broker.match('a.b.c').sort()).toEqual([exact, prefix, wildcard].sort());
      expect(broker.match('a.b.x')).toEqual([prefix]);
      expect(broker.match('z')).toEqual([]);
      expect(broker.get(prefix)).toEqual({ id: prefix, created: '2026-01-02T03:04:05.000Z', uri: 'a.b', match: 'prefix' });
      expect(broker.subscribers(exact)).toEqual([a!.id, b!.id]);
      expect(broker.countSubscribers(exact)).toBe(2);
      expect(broker.countSubscribers(wildcard)).toBe(1);
    });

    it('answers null for an unknown subscription id', () => {
      const { broker } = setup();
      expect(broker.get(42)).toBeNull();
      expect(broker.subscribers(42)).toBeNull();
      expect(broker.countSubscribers(42)).toBeNull();
      expect(broker.list()).toEqual({ exact: [], prefix: [], wildcard: [] });
    });
  });

  describe('serialization', () => {
    it('encodes an event once per subscription and writes the same bytes to every subscriber', () => {
      const { broker } = setup();
      const serializer = createFakeSerializer();
      const encode = vi.spyOn(serializer, 'encode');
      const subs = sessions(4, { serializer });
      const pub = createFakeSession({ serializer });
      for (const s of subs) subscribe(broker, s, 'fan.out');
      subscribe(broker, subs[0]!, 'fan.', { match: 'prefix' });
      encode.mockClear();

      publish(broker, pub, 'fan.out', {}, [1, 2, 3]);

      expect(encode).toHaveBeenCalledTimes(2);
      const frames = subs.map((s) => fakeTransportOf(s).encodedFrames.at(-1));
      expect(new Set(frames.slice(1)).size).toBe(1);
      expect(fakeTransportOf(subs[0]!).encodedFrames).toHaveLength(2);
    });

    it('encodes once per serializer in use', () => {
      const { broker } = setup();
      const first = createFakeSerializer();
      const second = createFakeSerializer();
      const spies = [vi.spyOn(first, 'encode'), vi.spyOn(second, 'encode')];
      const subs = [...sessions(3, { serializer: first }), ...sessions(2, { serializer: second })];
      const [pub] = sessions(1);
      for (const s of subs) subscribe(broker, s, 'topic');
      for (const spy of spies) spy.mockClear();
      publish(broker, pub!, 'topic', {}, ['x']);
      expect(spies.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
      expect(subs.every((s) => eventsOf(s).length === 1)).toBe(true);
    });

    it('encodes nothing when no subscriber is eligible', () => {
      const { broker } = setup();
      const serializer = createFakeSerializer();
      const encode = vi.spyOn(serializer, 'encode');
      const pub = createFakeSession({ serializer });
      const other = createFakeSession({ serializer });
      subscribe(broker, pub, 'topic');
      subscribe(broker, other, 'topic');
      encode.mockClear();
      publish(broker, pub, 'topic', { exclude: [other.id] });
      expect(encode).not.toHaveBeenCalled();
    });
  });
});
