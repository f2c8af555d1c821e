import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Session } from '../../src/client/session.js';
import type { Event, Invocation } from '../../src/client/types.js';
import { cborSerializer, jsonSerializer, msgpackSerializer } from '../../src/protocol/serializers/index.js';
import type { Serializer } from '../../src/protocol/serializers/serializer.js';
import { connectRawSocket } from '../../src/transport/rawsocket/client.js';
import { connectWebSocket } from '../../src/transport/websocket/client.js';
import type { Transport } from '../../src/transport/transport.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';

type Connect = (router: TestRouter, serializer: Serializer) => Promise<Transport>;

const rawsocket: Connect = (router, serializer) =>
  connectRawSocket({ host: '127.0.0.1', port: router.rawsocketPort }, { serializer, parse: { lenientIds: true } });
const websocket: Connect = (router, serializer) =>
  connectWebSocket(router.wsUrl, { serializer, WebSocket, parse: { lenientIds: true } });

describe('Session over network transports', () => {
  let router: TestRouter;
  const sessions: Session[] = [];
  beforeAll(async () => {
    router = await startTestRouter();
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.leave()));
  });
  afterAll(() => router.close());

  it.each<[string, Connect, Serializer]>([
    ['RawSocket', rawsocket, cborSerializer],
    ['RawSocket', rawsocket, jsonSerializer],
    ['WebSocket', websocket, jsonSerializer],
    ['WebSocket', websocket, msgpackSerializer],
  ])('calls, publishes and leaves over %s with %s', async (_kind, connect, serializer) => {
    const transport = await connect(router, serializer);
    expect(transport.info.serializer).toBe(serializer.name);
    const session = await Session.join(transport, { realm: 'home' });
    sessions.push(session);
    await session.register('net.echo', (inv: Invocation) => inv.args[0]);
    const bytes = new Uint8Array([0, 1, 255]);
    const echoed = (await session.call('net.echo', [serializer.binary ? bytes : 'text'])).args[0];
    expect(echoed).toEqual(serializer.binary ? bytes : 'text');
    const events: Event[] = [];
    await session.subscribe('net.topic', (e) => void events.push(e));
    await session.publish('net.topic', [1], {}, { acknowledge: true, excludeMe: false });
    for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(events.map((e) => e.args)).toEqual([[1]]);
    await session.leave();
    expect(transport.isOpen).toBe(false);
  });

  it("ends with the router's GOODBYE when the router shuts down", async () => {
    const other = await startTestRouter();
    const transport = await rawsocket(other, cborSerializer);
    const session = await Session.join(transport, { realm: 'home' });
    await other.close();
    const info = await session.closed;
    // The router says GOODBYE (system_shutdown) before it stops.
    expect(info.reason).toBe('wamp.close.system_shutdown');
    expect(info.byPeer).toBe(true);
  });
});

describe('Session tolerance of router deviations (fox-wamp)', () => {
  let server: WebSocketServer;
  let peer: WebSocket | undefined;
  const inbox: unknown[][] = [];
  let onInbound: (() => void) | undefined;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'wamp.2.json' });
    server.on('connection', (ws) => {
      peer = ws;
      ws.on('message', (data) => {
        inbox.push(JSON.parse(String(data)) as unknown[]);
        onInbound?.();
      });
    });
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  async function next(): Promise<unknown[]> {
    for (let i = 0; i < 200 && inbox.length === 0; i++) {
      await new Promise<void>((resolve) => {
        onInbound = resolve;
        setTimeout(resolve, 10);
      });
    }
    const message = inbox.shift();
    if (message === undefined) throw new Error('the client sent nothing');
    return message;
  }

  /** Sends raw JSON text, exactly as a deviating router would. */
  function send(json: string): void {
    peer!.send(json);
  }

  it('accepts numeric-string ids, null payloads and answers GOODBYE', async () => {
    const { port } = server.address() as AddressInfo;
    const transport = await connectWebSocket(`ws://127.0.0.1:${port}`, {
      serializer: jsonSerializer,
      WebSocket,
      parse: { lenientIds: true },
    });
    const joining = Session.join(transport, { realm: 'realm1' });
    expect((await next())[0]).toBe(1);
    send('[2, "9007199254740000", {"authid": "fox", "authrole": "user", "roles": {"broker": {}, "dealer": {}}}]');
    const session = await joining;
    expect(session.id).toBe(9007199254740000);

    const events: Event[] = [];
    const subscribing = session.subscribe('a.topic', (e) => void events.push(e));
    expect(await next()).toEqual([32, 1, {}, 'a.topic']);
    send('[33, "1", "555"]');
    expect((await subscribing).id).toBe(555);
    send('[36, "555", "777", {}, null, null]');

    const calling = session.call('a.procedure');
    expect(await next()).toEqual([48, 2, {}, 'a.procedure']);
    send('[50, "2", {}, null, {"a": 1}]');
    expect(await calling).toEqual({ args: [], kwargs: { a: 1 }, details: {} });
    expect(events).toMatchObject([{ args: [], kwargs: {}, publication: 777, topic: 'a.topic' }]);

    const registering = session.register('my.procedure', (inv) => inv.args.length);
    expect(await next()).toEqual([64, 3, {}, 'my.procedure']);
    send('[65, "3", "9"]');
    await registering;
    send('[68, "1", "9", {}, null]');
    expect(await next()).toEqual([70, 1, {}, [0]]);

    send('[6, {}, "wamp.close.system_shutdown"]');
    expect(await next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect(await session.closed).toEqual({ reason: 'wamp.close.system_shutdown', byPeer: true });
  });
});
