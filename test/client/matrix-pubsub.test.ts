import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionClosedError } from '../../src/client/errors.js';
import type { Event } from '../../src/client/types.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import {
  CLIENT_MATRIX,
  ClientPool,
  ROUTER_SIDE_KIND,
  startMatrixRouter,
  type MatrixClient,
  type MatrixRouter,
} from './matrix-fixture.js';

const POLL = { timeout: 2_000, interval: 5 };

describe.each(CLIENT_MATRIX)('Client PubSub and session over $transport with $serializer', ({ transport, serializer }) => {
  let target: MatrixRouter;
  let pool: ClientPool;
  let publisher: MatrixClient;
  let subscriber: MatrixClient;

  beforeAll(async () => {
    target = await startMatrixRouter(transport);
    pool = new ClientPool(target, serializer);
  });
  beforeEach(async () => {
    [publisher, subscriber] = [await pool.client(), await pool.client()];
  });
  afterEach(() => pool.closeAll());
  afterAll(() => target.close());

  it('delivers an acknowledged publication with binary and unicode payload', async () => {
    const events: Event[] = [];
    await subscriber.api.subscribe('matrix.topic', (e) => void events.push(e));
    const args = [new Uint8Array([0, 255]), 2 ** 53, 'ünïcödé ✓'];
    const kwargs = { nested: { deeper: { n: 2 ** 53 - 1 } } };
    await publisher.api.publish('matrix.topic', args, kwargs, { acknowledge: true });
    await expect.poll(() => events.length, POLL).toBe(1);
    expect(events[0]).toMatchObject({ topic: 'matrix.topic', args, kwargs, retained: false });
    expect(events[0]!.args[0]).toBeInstanceOf(Uint8Array);
  });

  it('matches a wildcard subscription and reports the concrete topic', async () => {
    const events: Event[] = [];
    await subscriber.api.subscribe('matrix..temp', (e) => void events.push(e), { match: 'wildcard' });
    await publisher.api.publish('matrix.kitchen.humidity', [40], {}, { acknowledge: true });
    await publisher.api.publish('matrix.kitchen.temp', [21.5], {}, { acknowledge: true });
    await expect.poll(() => events.length, POLL).toBe(1);
    // The broker sent the events in order: had the humidity one matched, it would have come first.
    expect(events.map((e) => [e.topic, e.args])).toEqual([['matrix.kitchen.temp', [21.5]]]);
  });

  it('hands a retained event to a later subscriber that asks for it', async () => {
    await publisher.api.publish('matrix.retained', [42], { unit: '°C' }, { retain: true, acknowledge: true });
    const events: Event[] = [];
    await subscriber.api.subscribe('matrix.retained', (e) => void events.push(e), { getRetained: true });
    await expect.poll(() => events.length, POLL).toBe(1);
    expect(events[0]).toMatchObject({ topic: 'matrix.retained', args: [42], kwargs: { unit: '°C' }, retained: true });
  });

  it("shows the negotiated transport and serializer in the router's session meta data", async () => {
    for (const client of [publisher, subscriber]) {
      const { args } = await publisher.api.call('wamp.session.get', [client.id]);
      expect(args[0]).toMatchObject({
        session: client.id,
        transport: { type: ROUTER_SIDE_KIND[transport], serializer },
      });
    }
    if (transport === 'websocket') {
      const { args } = await publisher.api.call('wamp.session.get', [subscriber.id]);
      expect(args[0]).toMatchObject({ transport: { protocol: `wamp.2.${serializer}` } });
    }
  });

  it("leaves: the router's session count drops and the session is gone", async () => {
    const count = async () => (await publisher.api.call('wamp.session.count')).args[0];
    expect(await count()).toBe(2);
    await subscriber.api.leave();
    await subscriber.closed;
    expect(await count()).toBe(1);
    const error = await publisher.api.call('wamp.session.get', [subscriber.id]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect(error).toMatchObject({ uri: 'wamp.error.no_such_session' });
    await expect(subscriber.api.call('wamp.session.count')).rejects.toBeInstanceOf(SessionClosedError);
  });
});
