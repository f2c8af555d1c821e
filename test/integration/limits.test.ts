import { afterEach, describe, expect, it } from 'vitest';
import { PayloadSizeExceededError } from '../../src/protocol/errors.js';
import { MessageType } from '../../src/protocol/message-type.js';
import { jsonSerializer } from '../../src/protocol/serializers/index.js';
import { connectRawSocket } from '../../src/transport/rawsocket/client.js';
import { encodeFrame, FrameType } from '../../src/transport/rawsocket/framing.js';
import { endpointOf, PeerPool, ROLES, type ByteClient, type RawPeer } from '../helpers/raw-peer.js';
import { refusedUpgradeStatus } from '../helpers/refused-upgrade.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';

const { CALL, ERROR, EVENT, INTERRUPT, INVOCATION, PUBLISHED, RESULT, YIELD } = MessageType;
const PAYLOAD_SIZE_EXCEEDED = 'wamp.error.payload_size_exceeded';
/** A RawSocket receive limit (L=1) that WELCOME fits in but the large payloads below do not. */
const SMALL = 1024;
const LARGE = 2000;

let router: TestRouter | undefined;
const pool = new PeerPool();

afterEach(async () => {
  await pool.closeAll();
  await router?.close();
  router = undefined;
});

async function start(limits: Record<string, number>): Promise<TestRouter> {
  router = await startTestRouter({ limits });
  return router;
}

/** Polls wamp.session.count through `peer` until it is `expected` (sessions leave asynchronously). */
async function expectSessionCount(peer: RawPeer, expected: number): Promise<void> {
  const deadline = Date.now() + 2000;
  let count = await peer.sessionCount();
  while (count !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    count = await peer.sessionCount();
  }
  expect(count).toBe(expected);
}

describe('max_sessions', () => {
  it('aborts a HELLO beyond the limit and admits a session again once one left', async () => {
    const r = await start({ max_sessions: 2 });
    const first = await pool.joined(endpointOf(r, 'websocket'), 'json');
    const second = await pool.joined(endpointOf(r, 'rawsocket'), 'cbor');
    // A third connection on the universal port (one connection there so far) passes the handshake.
    const third = await pool.peer({ transport: 'rawsocket', target: { host: r.host, port: r.port } }, 'msgpack');
    third.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    const abort = await third.expect(MessageType.ABORT);
    expect(abort[2]).toBe('wamp.error.not_authorized');
    expect((abort[1] as { message: string }).message).toMatch(/session limit/);
    await third.expectClosed();
    second.send([MessageType.GOODBYE, {}, 'wamp.close.close_realm']);
    await second.expectClosed();
    await expectSessionCount(first, 1);
    await pool.joined(endpointOf(r, 'local'), 'json');
    expect(await first.sessionCount()).toBe(2);
  });

  it('refuses a RawSocket connection beyond the limit with handshake error 4', async () => {
    const r = await start({ max_sessions: 2 });
    const target = { host: r.host, port: r.rawsocketPort };
    const held: ByteClient[] = [await pool.bytes(target), await pool.bytes(target)];
    for (const client of held) expect((await client.handshake(1)).kind).toBe('accept');
    const refused = await pool.bytes(target);
    expect(await refused.handshake(1)).toEqual({ kind: 'error', code: 4, meaning: 'maximum connection count reached' });
    await refused.expectClosed();
    held[0]!.destroy();
    const deadline = Date.now() + 2000;
    let reply = await (await pool.bytes(target)).handshake(1);
    while (reply.kind !== 'accept' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reply = await (await pool.bytes(target)).handshake(1);
    }
    expect(reply.kind).toBe('accept');
  });

  it('refuses a WebSocket upgrade beyond the limit with HTTP 503', async () => {
    const r = await start({ max_sessions: 2 });
    await pool.peer(endpointOf(r, 'websocket'), 'json');
    await pool.peer(endpointOf(r, 'websocket'), 'cbor');
    const status = await refusedUpgradeStatus(r.wsUrl, ['wamp.2.json']);
    expect(status).toBe(503);
  });
});

describe('max_message_size', () => {
  it('fails a RawSocket connection that sends a frame larger than the limit', async () => {
    const r = await start({ max_message_size: 4096 });
    const good = await pool.joined(endpointOf(r, 'websocket'), 'json');
    const peer = await pool.joined(endpointOf(r, 'rawsocket'), 'json');
    expect(peer.transport.maxOutgoingSize).toBe(4096);
    const big = [MessageType.PUBLISH, 1, {}, 'com.example.big', ['x'.repeat(4096)]];
    expect(() => peer.send(big)).toThrow(PayloadSizeExceededError); // the client checks before sending
    peer.socket.write(encodeFrame(FrameType.WAMP, jsonSerializer.encode(big)));
    await peer.expectClosed();
    await expectSessionCount(good, 1);
  });

  it('aborts the HELLO of a RawSocket client whose limit is smaller than WELCOME', async () => {
    const r = await start({});
    const good = await pool.joined(endpointOf(r, 'websocket'), 'json');
    // L=0: 512 octets, less than this router's JSON WELCOME (its roles list every feature).
    const tiny = pool.adopt(await connectRawSocket({ host: r.host, port: r.rawsocketPort }, { serializer: jsonSerializer, maxMessageSize: 512 }));
    tiny.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    expect((await tiny.expect(MessageType.ABORT))[2]).toBe(PAYLOAD_SIZE_EXCEEDED);
    await tiny.expectClosed();
    expect(await good.sessionCount()).toBe(1);
  });

  it('turns a RESULT too large for the caller into ERROR payload_size_exceeded', async () => {
    const r = await start({});
    const callee = await pool.joined(endpointOf(r, 'rawsocket'), 'cbor');
    const small = await connectRawSocket({ host: r.host, port: r.rawsocketPort }, { serializer: jsonSerializer, maxMessageSize: SMALL });
    const caller = pool.adopt(small);
    await caller.join();
    await callee.register('com.example.report');
    for (const [size, expected] of [[LARGE, ERROR], [100, RESULT]] as const) {
      const request = caller.nextRequestId();
      caller.send([CALL, request, {}, 'com.example.report', [size]]);
      const invocation = await callee.expect(INVOCATION);
      callee.send([YIELD, invocation[1], {}, ['y'.repeat(size)]]);
      const reply = await caller.next();
      expect(reply[0]).toBe(expected);
      if (expected === ERROR) expect(reply.slice(0, 5)).toEqual([ERROR, CALL, request, {}, PAYLOAD_SIZE_EXCEEDED]);
    }
  });

  it('ends a call whose progressive result is too large for the caller and interrupts the callee', async () => {
    const r = await start({});
    const callee = await pool.joined(endpointOf(r, 'rawsocket'), 'msgpack');
    const small = await connectRawSocket({ host: r.host, port: r.rawsocketPort }, { serializer: jsonSerializer, maxMessageSize: SMALL });
    const caller = pool.adopt(small);
    await caller.join();
    await callee.register('com.example.stream');
    caller.send([CALL, caller.nextRequestId(), { receive_progress: true }, 'com.example.stream']);
    const id = (await callee.expect(INVOCATION))[1];
    callee.send([YIELD, id, { progress: true }, ['z'.repeat(LARGE)]]);
    expect((await caller.expect(ERROR))[4]).toBe(PAYLOAD_SIZE_EXCEEDED);
    expect(await callee.next()).toEqual([INTERRUPT, id, { mode: 'killnowait', reason: PAYLOAD_SIZE_EXCEEDED }]);
  });

  it('skips an event too large for one subscriber and still delivers it to the others', async () => {
    const r = await start({});
    const small = pool.adopt(
      await connectRawSocket({ host: r.host, port: r.rawsocketPort }, { serializer: jsonSerializer, maxMessageSize: SMALL }),
    );
    await small.join();
    const [large, publisher] = [await pool.joined(endpointOf(r, 'websocket'), 'cbor'), await pool.joined(endpointOf(r, 'local'), 'json')];
    await small.subscribe('com.example.feed');
    await large.subscribe('com.example.feed');
    publisher.publish('com.example.feed', ['b'.repeat(LARGE)]);
    publisher.publish('com.example.feed', ['small']);
    expect((await large.expect(EVENT))[4]).toEqual(['b'.repeat(LARGE)]);
    expect((await large.expect(EVENT))[4]).toEqual(['small']);
    expect((await small.expect(EVENT))[4]).toEqual(['small']);
  });
});

describe('max_queue_bytes', () => {
  it('disconnects a subscriber that stops reading while the publisher and other subscribers go on', async () => {
    const r = await start({ max_queue_bytes: 65536 });
    // The slow subscriber speaks RawSocket by hand, then never reads its socket.
    const slow = await pool.bytes({ host: r.host, port: r.rawsocketPort });
    await slow.handshake(jsonSerializer.rawSocketId);
    slow.sendMessage(jsonSerializer, [MessageType.HELLO, 'home', { roles: ROLES }]);
    const slowId = (await slow.readMessage(jsonSerializer))[1];
    slow.sendMessage(jsonSerializer, [MessageType.SUBSCRIBE, 1, {}, 'com.example.load']);
    expect((await slow.readMessage(jsonSerializer))[0]).toBe(MessageType.SUBSCRIBED);
    slow.socket.pause();

    const fast = await pool.joined(endpointOf(r, 'rawsocket'), 'json');
    await fast.subscribe('com.example.load');
    const watcher = await pool.joined(endpointOf(r, 'websocket'), 'cbor');
    await watcher.subscribe('wamp.session.on_leave');
    const publisher = await pool.joined(endpointOf(r, 'rawsocket'), 'msgpack');
    const body = 'e'.repeat(8192);
    const TOTAL = 3000; // 24 MB: far beyond what socket buffers hold for a reader that stopped
    const BATCH = 50;
    for (let sent = 0; sent < TOTAL; sent += BATCH) {
      for (let i = 0; i < BATCH; i++) publisher.publish('com.example.load', [sent + i, body], undefined, { acknowledge: true });
      for (let i = 0; i < BATCH; i++) await publisher.expect(PUBLISHED);
      for (let i = 0; i < BATCH; i++) expect(((await fast.expect(EVENT))[4] as unknown[])[0]).toBe(sent + i);
    }
    const leave = await watcher.expect(EVENT, 5000);
    expect((leave[4] as unknown[])[0]).toBe(slowId);
    expect(await publisher.sessionCount()).toBe(3);

    // What the router had queued for the slow subscriber is bounded: it got a prefix, then EOF.
    slow.socket.resume();
    await slow.expectClosed(5000);
    let delivered = 0;
    for (;;) {
      const message = await slow.readMessage(jsonSerializer, 100).catch(() => undefined);
      if (message === undefined) break;
      expect((message[4] as unknown[])[0]).toBe(delivered++);
    }
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(TOTAL / 2);
  });
});
