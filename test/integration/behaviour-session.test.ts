import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import { MATRIX, ROLES } from '../helpers/raw-peer.js';
import { routerPerTest } from '../helpers/router-per-test.js';

const { EVENT, GOODBYE, RESULT, WELCOME } = MessageType;

describe.each(MATRIX)('sessions over $transport with $serializer', ({ transport, serializer }) => {
  const { open, join } = routerPerTest(transport, serializer);

  it('welcomes a session with its id, identity and the router roles', async () => {
    const peer = await open();
    peer.send([MessageType.HELLO, 'home', { roles: ROLES, authid: 'ignored-without-auth' }]);
    const welcome = await peer.expect(WELCOME);
    const id = welcome[1] as number;
    expect(Number.isInteger(id) && id >= 1 && id <= 2 ** 53).toBe(true);
    expect(welcome[2]).toMatchObject({
      realm: 'home',
      authrole: 'anonymous',
      authmethod: 'anonymous',
      roles: {
        broker: { features: { pattern_based_subscription: true, event_retention: true, session_meta_api: true } },
        dealer: { features: { progressive_call_results: true, call_canceling: true, shared_registration: true } },
      },
    });
  });

  it('counts sessions and announces each join with its transport', async () => {
    const watcher = await join();
    expect(await watcher.sessionCount()).toBe(1);
    await watcher.subscribe('wamp.session.on_join');
    const newcomer = await join();
    const event = await watcher.expect(EVENT);
    expect(event[4]).toEqual([
      expect.objectContaining({
        session: newcomer.sessionId,
        authrole: 'anonymous',
        transport: expect.objectContaining({ type: transport, serializer }),
      }),
    ]);
    expect(await watcher.sessionCount()).toBe(2);
    expect(await watcher.call('wamp.session.count', [['nobody']])).toEqual([RESULT, 4, {}, [0]]);
  });

  it("publishes a session's testament when its connection dies without GOODBYE", async () => {
    const [dying, watcher] = [await join(), await join()];
    await watcher.subscribe('com.example.will');
    await watcher.subscribe('wamp.session.on_leave');
    const added = await dying.call('wamp.session.add_testament', ['com.example.will', ['gone', dying.sessionId], { cause: 'lost' }]);
    expect(added[0]).toBe(RESULT);
    dying.drop();
    const first = await watcher.expect(EVENT);
    expect(first.slice(3)).toEqual([{ topic: 'com.example.will' }, ['gone', dying.sessionId], { cause: 'lost' }]);
    expect((await watcher.expect(EVENT))[4]).toEqual([dying.sessionId, expect.any(String), 'anonymous']);
    expect(await watcher.sessionCount()).toBe(1);
  });

  it('answers GOODBYE with goodbye_and_out and closes the connection', async () => {
    const [leaving, watcher] = [await join(), await join()];
    await watcher.subscribe('wamp.session.on_leave');
    leaving.send([GOODBYE, {}, 'wamp.close.close_realm']);
    expect(await leaving.next()).toEqual([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await leaving.expectClosed();
    expect((await watcher.expect(EVENT))[4]).toEqual([leaving.sessionId, expect.any(String), 'anonymous']);
  });

  it('says GOODBYE to a killed session and closes once it answers', async () => {
    const [victim, admin] = [await join(), await join()];
    const reply = await admin.call('wamp.session.kill', [victim.sessionId], { reason: 'com.example.kicked', message: 'bye' });
    expect(reply).toEqual([RESULT, 1, {}]);
    expect(await victim.next()).toEqual([GOODBYE, { message: 'bye' }, 'com.example.kicked']);
    victim.send([GOODBYE, {}, 'wamp.close.goodbye_and_out']);
    await victim.expectClosed();
    expect(await admin.sessionCount()).toBe(1);
  });
});
