import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import { serializerByName, type SerializerName } from '../../src/protocol/serializers/index.js';
import type { RawSocketTarget } from '../../src/transport/rawsocket/client.js';
import { encodeFrame, FrameType } from '../../src/transport/rawsocket/framing.js';
import { PeerPool, ROLES, SERIALIZER_NAMES, type Endpoint, type RawPeer } from '../helpers/raw-peer.js';
import { refusedUpgradeStatus } from '../helpers/refused-upgrade.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';

/** The router's receive limit: RawSocket announces it as L=3 (2^12), WebSocket enforces maxPayload. */
const MAX_MESSAGE_SIZE = 4096;
const PROTOCOL_VIOLATION = 'wamp.error.protocol_violation';
const hex = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');
const json = serializerByName('json')!;

let router: TestRouter;
let tcp: RawSocketTarget;
let universal: RawSocketTarget;
let unix: RawSocketTarget;
let wsUrl: string;
let good: RawPeer;
const pool = new PeerPool();
let socketCounter = 0;

/** A router with a universal port, a RawSocket-only TCP port and a RawSocket Unix socket. */
beforeEach(async () => {
  const path = join(tmpdir(), `switchyard-bad-input-${process.pid}-${++socketCounter}.sock`);
  router = await startTestRouter({ limits: { max_message_size: MAX_MESSAGE_SIZE }, rawsocketPath: path });
  universal = { host: router.host, port: router.port };
  tcp = { host: router.host, port: router.rawsocketPort };
  unix = { path };
  wsUrl = router.wsUrl;
  good = await pool.joined({ transport: 'websocket', url: wsUrl }, 'json');
});

afterEach(async () => {
  await pool.closeAll();
  await router.close();
});

/** The well-behaved session still gets answers, and the bad one is gone (only it is left). */
async function expectRouterServing(): Promise<void> {
  const deadline = Date.now() + 2000;
  let count = await good.sessionCount();
  while (count !== 1 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    count = await good.sessionCount();
  }
  expect(count).toBe(1);
}

const RAWSOCKET_LISTENERS = [
  { name: 'the RawSocket port', target: () => tcp, http: false },
  { name: 'the universal port', target: () => universal, http: true },
  { name: 'the Unix socket', target: () => unix, http: false },
];

describe.each(RAWSOCKET_LISTENERS)('RawSocket on $name', ({ target, http }) => {
  it.each([
    ['garbage', Buffer.from('GARBAGE \x00\xff\r\n\r\n', 'latin1')],
    ['a wrong magic octet', hex('7E F1 00 00')],
  ])('refuses %s before the handshake', async (_what, bytes) => {
    const client = await pool.bytes(target());
    client.write(bytes);
    await client.expectClosed();
    // The universal port hands anything not starting with 0x7F to its HTTP server.
    if (http) expect(client.received.toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
    else expect(client.receivedLength).toBe(0);
    await expectRouterServing();
  });

  it.each([
    ['non-zero reserved octets', '7F F1 01 00', '7F 30 00 00'],
    ['a non-zero last octet', '7F F1 00 01', '7F 30 00 00'],
    ['an unsupported serializer (5)', '7F F5 00 00', '7F 10 00 00'],
    ['the illegal serializer 0', '7F F0 00 00', '7F 10 00 00'],
  ])('answers a handshake with %s with an error code and closes', async (_what, request, reply) => {
    const client = await pool.bytes(target());
    client.write(hex(request));
    await client.expectClosed();
    expect(client.received).toEqual(hex(reply));
    await expectRouterServing();
  });

  it('announces its limit, takes a frame of exactly that size and fails the connection on a larger one', async () => {
    const client = await pool.bytes(target());
    expect(await client.handshake(1)).toMatchObject({ kind: 'accept', serializerId: 1, maxLength: MAX_MESSAGE_SIZE });
    const hello = Buffer.from(JSON.stringify([MessageType.HELLO, 'home', { roles: ROLES }]));
    const padded = Buffer.concat([hello, Buffer.alloc(MAX_MESSAGE_SIZE - hello.length, 0x20)]);
    client.write(encodeFrame(FrameType.WAMP, padded));
    expect((await client.readMessage(json))[0]).toBe(MessageType.WELCOME);
    expect(await good.sessionCount()).toBe(2);
    client.write(hex('00 00 10 01')); // a WAMP frame of 4097 octets (only the header: it is refused at once)
    await client.expectClosed();
    await expectRouterServing();
  });

  it.each([
    ['reserved bits', '10 00 00 02 5B 5D'],
    ['a reserved frame type', '03 00 00 02 5B 5D'],
  ])('fails the connection on a frame header with %s', async (_what, frame) => {
    const client = await pool.bytes(target());
    await client.handshake(1);
    client.write(hex(frame));
    await client.expectClosed();
    expect(client.receivedLength).toBe(4); // the handshake reply only: no ABORT on a broken frame
    await expectRouterServing();
  });

  it('answers a PING with a PONG echoing the payload and keeps the connection', async () => {
    const client = await pool.bytes(target());
    await client.handshake(3);
    client.write(encodeFrame(FrameType.PING, Buffer.from('ping-payload')));
    expect(await client.readFrame()).toEqual({ type: FrameType.PONG, payload: Buffer.from('ping-payload') });
    client.write(encodeFrame(FrameType.PING, Buffer.alloc(0)));
    expect(await client.readFrame()).toEqual({ type: FrameType.PONG, payload: Buffer.alloc(0) });
    client.sendMessage(serializerByName('cbor')!, [MessageType.HELLO, 'home', { roles: ROLES }]);
    expect((await client.readMessage(serializerByName('cbor')!))[0]).toBe(MessageType.WELCOME);
    expect(await good.sessionCount()).toBe(2);
  });
});

/** Bytes that do not decode for each serializer: truncated binary messages, broken JSON. */
function undecodable(name: SerializerName): Uint8Array {
  const serializer = serializerByName(name)!;
  if (name === 'json') return Buffer.from('[1, "home", {"roles": ');
  const hello = serializer.encode([MessageType.HELLO, 'home', { roles: ROLES }]);
  return hello.subarray(0, hello.length - 5);
}

describe('WebSocket on the universal port', () => {
  it.each([
    ['no subprotocol', undefined],
    ['only non-WAMP subprotocols', ['mqtt', 'wamp.2.xml']],
  ])('answers an upgrade with %s with HTTP 400', async (_what, protocols) => {
    const status = await refusedUpgradeStatus(wsUrl, protocols);
    expect(status).toBe(400);
    await expectRouterServing();
  });

  it.each([
    ['a binary message on wamp.2.json', 'json', true],
    ['a text message on wamp.2.cbor', 'cbor', false],
    ['a text message on wamp.2.msgpack', 'msgpack', false],
  ] as const)('aborts the session on %s', async (_what, serializer, binary) => {
    const peer = await pool.peer({ transport: 'websocket', url: wsUrl }, serializer);
    peer.ws.send(Buffer.from(JSON.stringify([MessageType.HELLO, 'home', { roles: ROLES }])), { binary });
    expect(await peer.expect(MessageType.ABORT)).toMatchObject([MessageType.ABORT, {}, PROTOCOL_VIOLATION]);
    await peer.expectClosed();
    await expectRouterServing();
  });

  it('closes a connection whose message exceeds max_message_size with 1009', async () => {
    const peer = await pool.peer({ transport: 'websocket', url: wsUrl }, 'json');
    await peer.join();
    const code = new Promise<number>((resolve) => peer.ws.once('close', resolve));
    peer.send([MessageType.PUBLISH, 1, {}, 'com.big', ['x'.repeat(MAX_MESSAGE_SIZE)]]);
    await peer.expectClosed();
    expect(await code).toBe(1009);
    await expectRouterServing();
  });
});

const MESSAGE_LISTENERS: { name: string; endpoint: () => Endpoint }[] = [
  { name: 'the RawSocket port', endpoint: () => ({ transport: 'rawsocket', target: tcp }) },
  { name: 'the universal port as RawSocket', endpoint: () => ({ transport: 'rawsocket', target: universal }) },
  { name: 'the universal port as WebSocket', endpoint: () => ({ transport: 'websocket', url: wsUrl }) },
  { name: 'the Unix socket', endpoint: () => ({ transport: 'rawsocket', target: unix }) },
];

const CASES = MESSAGE_LISTENERS.flatMap((l) => SERIALIZER_NAMES.map((serializer) => ({ ...l, serializer })));

describe.each(CASES)('WAMP on $name with $serializer', ({ endpoint, serializer }) => {
  async function expectAborted(peer: RawPeer, reason = PROTOCOL_VIOLATION): Promise<void> {
    const abort = await peer.expect(MessageType.ABORT);
    expect(abort[2]).toBe(reason);
    expect(typeof (abort[1] as { message?: unknown }).message).toBe('string');
    await peer.expectClosed();
    await expectRouterServing();
  }

  it('aborts on a message that does not decode', async () => {
    const peer = await pool.peer(endpoint(), serializer);
    peer.sendBytes(undecodable(serializer));
    await expectAborted(peer);
  });

  it('aborts on a message that does not decode after WELCOME', async () => {
    const peer = await pool.peer(endpoint(), serializer);
    await peer.join();
    peer.sendBytes(undecodable(serializer));
    await expectAborted(peer);
  });

  it('aborts on a CALL before HELLO', async () => {
    const peer = await pool.peer(endpoint(), serializer);
    peer.send([MessageType.CALL, 1, {}, 'wamp.session.count']);
    await expectAborted(peer);
  });

  it('aborts on a second HELLO', async () => {
    const peer = await pool.peer(endpoint(), serializer);
    await peer.join();
    peer.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    await expectAborted(peer);
  });

  it('aborts on a HELLO for a realm that does not exist', async () => {
    const peer = await pool.peer(endpoint(), serializer);
    peer.send([MessageType.HELLO, 'nowhere', { roles: ROLES }]);
    await expectAborted(peer, 'wamp.error.no_such_realm');
  });

  it.each([
    ['skips an id', 3],
    ['repeats an id', 1],
  ])('aborts on a request id that %s', async (_what, id) => {
    const peer = await pool.peer(endpoint(), serializer);
    await peer.join();
    expect(await peer.sessionCount()).toBe(2); // request 1
    peer.send([MessageType.SUBSCRIBE, id, {}, 'com.example.topic']);
    await expectAborted(peer);
  });

  it.each([99, 300, 0])('aborts on the unknown message code %i', async (code) => {
    const peer = await pool.peer(endpoint(), serializer);
    await peer.join();
    peer.send([code, 1, {}]);
    await expectAborted(peer);
  });

  it.each([
    ['an ERROR for a CALL', [MessageType.ERROR, MessageType.CALL, 1, {}, 'com.example.error']],
    ['an ERROR for a SUBSCRIBE', [MessageType.ERROR, MessageType.SUBSCRIBE, 1, {}, 'com.example.error']],
    ['a WELCOME', [MessageType.WELCOME, 1, {}]],
    ['an EVENT', [MessageType.EVENT, 1, 1, {}]],
  ])('aborts on %s sent by a client', async (_what, message) => {
    const peer = await pool.peer(endpoint(), serializer);
    await peer.join();
    peer.send(message);
    await expectAborted(peer);
  });
});
