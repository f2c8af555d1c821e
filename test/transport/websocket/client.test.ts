import net from 'node:net';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { PayloadSizeExceededError } from '../../../src/protocol/errors.js';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { WampMessage } from '../../../src/protocol/messages.js';
import {
  ALL_SERIALIZERS,
  cborSerializer,
  jsonSerializer,
  msgpackSerializer,
} from '../../../src/protocol/serializers/index.js';
import type { Listener } from '../../../src/transport/listener.js';
import {
  connectWebSocket,
  type EventLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from '../../../src/transport/websocket/client.js';
import { listenWebSocket } from '../../../src/transport/websocket/listener.js';
import type { Transport } from '../../../src/transport/transport.js';
import { countWrites } from '../count-writes.js';
import { eventually, Recorder } from '../recorder.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startRouter(serializers = ALL_SERIALIZERS): Promise<{ url: string; accepted: Transport[] }> {
  const accepted: Transport[] = [];
  const listener: Listener = await listenWebSocket(
    { host: '127.0.0.1', port: 0 },
    { onTransport: (t) => accepted.push(t), serializers },
  );
  cleanups.push(() => listener.close());
  return { url: `ws://127.0.0.1:${(listener.address() as { port: number }).port}/ws`, accepted };
}

/** A bare `ws` server with custom behaviour, for misbehaving-router cases. */
async function rawServer(options: ServerOptions): Promise<[WebSocketServer, string]> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  return [wss, `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/`];
}

const call: WampMessage = [MessageType.CALL, 1, {}, 'devices.porch.light.set', [true]];
const result: WampMessage = [MessageType.RESULT, 1, {}, [true]];

describe('connectWebSocket', () => {
  it('accepts the ws WebSocket and the browser WebSocket as constructor types', () => {
    expectTypeOf(WebSocket).toExtend<WebSocketConstructor>();
    expectTypeOf<typeof globalThis.WebSocket>().toExtend<WebSocketConstructor>();
  });

  it.each(ALL_SERIALIZERS.map((s) => [s.subprotocol, s] as const))(
    'exchanges messages with the WebSocket listener over %s',
    async (_protocol, serializer) => {
      const { url, accepted } = await startRouter();
      const client = await connectWebSocket(url, { serializer, WebSocket });
      cleanups.push(() => client.close());
      expect(client.info).toMatchObject({
        kind: 'websocket',
        serializer: serializer.name,
        protocol: serializer.subprotocol,
      });
      const clientSide = new Recorder(client);
      const routerSide = new Recorder(await eventually(() => accepted[0]));
      client.send(call);
      expect(await routerSide.message(0)).toEqual(call);
      routerSide.transport.send(result);
      expect(await clientSide.message(0)).toEqual(result);
    },
  );

  it('offers several serializers and uses the one the router chose', async () => {
    const { url } = await startRouter([jsonSerializer]);
    const client = await connectWebSocket(url, { serializer: [cborSerializer, jsonSerializer], WebSocket });
    cleanups.push(() => client.close());
    expect(client.serializer).toBe(jsonSerializer);
  });

  it('offers the given subprotocols in order', async () => {
    const { url } = await startRouter();
    const client = await connectWebSocket(url, {
      serializer: [cborSerializer, msgpackSerializer],
      protocols: ['wamp.2.ubjson', 'wamp.2.msgpack', 'wamp.2.cbor'],
      WebSocket,
    });
    cleanups.push(() => client.close());
    expect(client.serializer).toBe(msgpackSerializer);
  });

  it('rejects when the router refuses every offered subprotocol', async () => {
    const { url } = await startRouter([jsonSerializer]);
    await expect(connectWebSocket(url, { serializer: cborSerializer, WebSocket })).rejects.toThrow(
      /WebSocket connection to .* failed/,
    );
  });

  it('rejects when the server picks a subprotocol that matches no serializer', async () => {
    const [, url] = await rawServer({ handleProtocols: () => 'wamp.2.json' });
    await expect(
      connectWebSocket(url, { serializer: cborSerializer, protocols: ['wamp.2.cbor', 'wamp.2.json'], WebSocket }),
    ).rejects.toThrow(/chose subprotocol "wamp\.2\.json"/);
  });

  it('rejects when nothing listens', async () => {
    const [wss, url] = await rawServer({});
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await expect(connectWebSocket(url, { serializer: jsonSerializer, WebSocket })).rejects.toThrow(/failed/);
  });

  it('rejects when the opening handshake does not complete in time', async () => {
    // Reads (and ignores) the upgrade request, never answers it.
    const server = net.createServer((socket) => socket.on('error', () => {}).resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/ws`;
    await expect(connectWebSocket(url, { serializer: jsonSerializer, WebSocket, timeoutMs: 50 })).rejects.toThrow(
      /no answer within 50 ms/,
    );
  });

  it('reports a binary message on wamp.2.json as a protocol error', async () => {
    const [wss, url] = await rawServer({ handleProtocols: (p) => [...p][0] ?? false });
    wss.on('connection', (ws) => ws.send(Buffer.from(JSON.stringify(result))));
    const client = await connectWebSocket(url, { serializer: jsonSerializer, WebSocket });
    cleanups.push(() => client.close());
    const clientSide = new Recorder(client);
    expect((await clientSide.protocolError()).message).toMatch(/binary WebSocket message on wamp\.2\.json/);
  });

  it('reports the close code and reason of a router that closes', async () => {
    const [wss, url] = await rawServer({ handleProtocols: (p) => [...p][0] ?? false });
    wss.on('connection', (ws) => ws.close(1001, 'wamp.close.system_shutdown'));
    const client = await connectWebSocket(url, { serializer: cborSerializer, WebSocket });
    const info = await new Recorder(client).closed();
    expect(info).toMatchObject({ local: false, reason: 'wamp.close.system_shutdown' });
    expect(info.error).toBeUndefined();
  });
});

/** A browser-like WebSocket driven by hand: what a page's native WebSocket does. */
class FakeBrowserWebSocket implements WebSocketLike {
  static last: FakeBrowserWebSocket | undefined;
  binaryType = 'blob';
  protocol = '';
  bufferedAmount = 0;
  sent: unknown[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  readonly #listeners = new Map<string, ((event: EventLike) => void)[]>();

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeBrowserWebSocket.last = this;
  }
  send(data: string | ArrayBufferView<ArrayBuffer>): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
  }
  addEventListener(type: string, listener: (event: EventLike) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: object): void {
    for (const l of this.#listeners.get(type) ?? []) l({ type, ...event });
  }
}

describe('connectWebSocket sending over ws', () => {
  it('sends the messages of one microtask wave in order, 16 to a write to the socket', async () => {
    const { url, accepted } = await startRouter();
    const opened: WebSocket[] = [];
    class RecordingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        opened.push(this);
      }
    }
    const client = await connectWebSocket(url, { serializer: jsonSerializer, WebSocket: RecordingWebSocket });
    cleanups.push(() => client.close());
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    const writes = countWrites((opened[0] as unknown as { _socket: net.Socket })._socket);
    // Like callers reacting to a burst of results: every send happens in its own microtask.
    await Promise.all(Array.from({ length: 40 }, (_, i) => Promise.resolve().then(() => client.send([MessageType.CALL, i + 1, {}, 'p', [i]]))));
    // ws writes each frame as two chunks, a header and a payload.
    expect(writes).toStrictEqual([16 * 2, 16 * 2, 8 * 2]);
    expect(await routerSide.message(39)).toEqual([MessageType.CALL, 40, {}, 'p', [39]]);
    expect(routerSide.messages.map((m) => m[1])).toStrictEqual([...Array(40).keys()].map((i) => i + 1));
  });

  it('still writes a message sent on its own', async () => {
    const { url, accepted } = await startRouter();
    const client = await connectWebSocket(url, { serializer: cborSerializer, WebSocket });
    cleanups.push(() => client.close());
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    client.send(call);
    expect(await routerSide.message(0)).toEqual(call);
    client.send(result);
    expect(await routerSide.message(1)).toEqual(result);
  });

  it('refuses a JSON message above maxMessageSize, counting UTF-8 octets', async () => {
    const { url, accepted } = await startRouter();
    const client = await connectWebSocket(url, { serializer: jsonSerializer, WebSocket, maxMessageSize: 100 });
    cleanups.push(() => client.close());
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    // 2 octets per character: 70 characters fit in UTF-16 terms but not in UTF-8.
    const big: WampMessage = [MessageType.PUBLISH, 1, {}, 't', ['é'.repeat(70)]];
    expect(() => client.send(big)).toThrow(PayloadSizeExceededError);
    const fits: WampMessage = [MessageType.PUBLISH, 2, {}, 't', ['é'.repeat(30)]];
    client.send(fits);
    expect(await routerSide.message(0)).toEqual(fits);
  });
});

describe('connectWebSocket with a browser WebSocket', () => {
  it('asks for ArrayBuffers and decodes ArrayBuffer and typed-array message data', async () => {
    const pending = connectWebSocket('wss://router.example/ws', {
      serializer: cborSerializer,
      WebSocket: FakeBrowserWebSocket,
    });
    const ws = FakeBrowserWebSocket.last!;
    expect(ws.protocols).toEqual(['wamp.2.cbor']);
    expect(ws.binaryType).toBe('arraybuffer');
    ws.protocol = 'wamp.2.cbor';
    ws.emit('open', {});
    const client = await pending;
    expect(client.info).toMatchObject({ tls: true, peer: 'wss://router.example/ws' });
    const recorder = new Recorder(client);
    const bytes = cborSerializer.encode(result);
    const copy = new Uint8Array(bytes);
    ws.emit('message', { data: copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.byteLength) });
    ws.emit('message', { data: copy });
    expect(await recorder.message(0)).toEqual(result);
    expect(await recorder.message(1)).toEqual(result);
    ws.emit('message', { data: 'text' });
    expect((await recorder.protocolError()).message).toMatch(/text WebSocket message on wamp\.2\.cbor/);
  });

  it('sends JSON as strings (text frames) and binary serializers as bytes', async () => {
    const pending = connectWebSocket('ws://router.example/ws', {
      serializer: jsonSerializer,
      WebSocket: FakeBrowserWebSocket,
    });
    const ws = FakeBrowserWebSocket.last!;
    ws.protocol = 'wamp.2.json';
    ws.emit('open', {});
    const client = await pending;
    client.send(call);
    expect(ws.sent).toEqual([JSON.stringify(call)]);
    client.close('wamp.close.goodbye_and_out');
    expect(ws.closedWith).toEqual([1000, 'wamp.close.goodbye_and_out']);
    ws.emit('close', { code: 1000, reason: 'wamp.close.goodbye_and_out' });
    expect(await new Recorder(client).closed()).toMatchObject({ local: true });
  });

  it('rejects and closes when the socket errors before opening', async () => {
    const pending = connectWebSocket('ws://router.example/ws', {
      serializer: jsonSerializer,
      WebSocket: FakeBrowserWebSocket,
    });
    const ws = FakeBrowserWebSocket.last!;
    ws.emit('error', {});
    await expect(pending).rejects.toThrow('WebSocket connection to ws://router.example/ws failed: WebSocket error');
    expect(ws.closedWith).toBeDefined();
  });
});
