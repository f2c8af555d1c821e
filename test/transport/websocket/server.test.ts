import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { WampMessage } from '../../../src/protocol/messages.js';
import { ALL_SERIALIZERS, cborSerializer, jsonSerializer } from '../../../src/protocol/serializers/index.js';
import type { Listener } from '../../../src/transport/listener.js';
import { listenWebSocket, type WebSocketListenOptions } from '../../../src/transport/websocket/listener.js';
import { WebSocketAcceptor } from '../../../src/transport/websocket/server.js';
import type { Transport } from '../../../src/transport/transport.js';
import { countWrites } from '../count-writes.js';
import { eventually, Recorder } from '../recorder.js';
import { selfSignedCert } from '../tls-cert.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(
  options: Partial<WebSocketListenOptions> = {},
): Promise<{ url: string; accepted: Transport[] }> {
  const accepted: Transport[] = [];
  const listener: Listener = await listenWebSocket(
    { host: '127.0.0.1', port: 0 },
    { onTransport: (t) => accepted.push(t), ...options },
  );
  cleanups.push(() => listener.close());
  const { port } = listener.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/ws`, accepted };
}

/** A raw `ws` client; resolves once open, with the messages it receives as [data, isBinary]. */
async function rawClient(
  url: string,
  protocols: string[],
  options: ClientOptions = {},
): Promise<{ ws: WebSocket; received: [Buffer, boolean][] }> {
  const ws = new WebSocket(url, protocols, options);
  const received: [Buffer, boolean][] = [];
  ws.on('message', (data, isBinary) => received.push([data as Buffer, isBinary]));
  cleanups.push(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, received };
}

/** The HTTP status a WebSocket upgrade is answered with. */
function upgradeStatus(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on('unexpected-response', (_req, res: http.IncomingMessage) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
}

/** A WebSocketAcceptor behind our own HTTP server: each transport with its server-side socket. */
async function startAcceptor(): Promise<{ url: string; accepted: [Transport, net.Socket][] }> {
  const accepted: [Transport, net.Socket][] = [];
  const sockets = new Map<IncomingMessage, net.Socket>();
  const acceptor = new WebSocketAcceptor({
    onTransport: (t) => accepted.push([t, [...sockets.values()].at(-1)!]),
  });
  const server = http.createServer();
  server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
    sockets.set(req, socket);
    acceptor.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    acceptor.close();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as net.AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws`, accepted };
}

const event: WampMessage = [MessageType.EVENT, 5, 9, {}, [21.5], { unit: '°C' }];

describe('WebSocket server', () => {
  it.each(ALL_SERIALIZERS.map((s) => [s.subprotocol, s] as const))(
    'exchanges %s messages in the frame kind of the subprotocol',
    async (subprotocol, serializer) => {
      const { url, accepted } = await startServer();
      const { ws, received } = await rawClient(url, [subprotocol]);
      expect(ws.protocol).toBe(subprotocol);
      const routerSide = new Recorder(await eventually(() => accepted[0]));
      expect(routerSide.transport.info).toMatchObject({
        kind: 'websocket',
        protocol: subprotocol,
        serializer: serializer.name,
      });

      routerSide.transport.send(event);
      const [data, isBinary] = await eventually(() => received[0]);
      expect(isBinary).toBe(serializer.binary);
      expect(serializer.decode(data)).toEqual(event);

      const hello = serializer.encode([MessageType.HELLO, 'home', {}]);
      ws.send(serializer.binary ? hello : Buffer.from(hello).toString('utf8'));
      expect(await routerSide.message(0)).toEqual([MessageType.HELLO, 'home', {}]);
    },
  );

  it('picks the first subprotocol the client listed that it supports', async () => {
    const { url } = await startServer();
    expect((await rawClient(url, ['wamp.2.ubjson', 'wamp.2.json', 'wamp.2.cbor'])).ws.protocol).toBe('wamp.2.json');
    expect((await rawClient(url, ['wamp.2.msgpack', 'wamp.2.json'])).ws.protocol).toBe('wamp.2.msgpack');
  });

  it('answers an upgrade without a supported subprotocol with 400', async () => {
    const { url, accepted } = await startServer({ serializers: [cborSerializer] });
    expect(await upgradeStatus(url, ['wamp.2.json'])).toBe(400);
    expect(await upgradeStatus(url, [])).toBe(400);
    expect(accepted).toHaveLength(0);
  });

  it('answers an upgrade on another path with 404 and plain requests through the http hook', async () => {
    const { url } = await startServer({
      http: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ui');
      },
    });
    expect(await upgradeStatus(url.replace('/ws', '/other'), ['wamp.2.json'])).toBe(404);
    const response = await fetch(url.replace('ws:', 'http:').replace('/ws', '/'));
    expect(await response.text()).toBe('ui');
  });

  it('answers plain HTTP with 404 by default', async () => {
    const { url } = await startServer();
    const response = await fetch(url.replace('ws:', 'http:'));
    expect(response.status).toBe(404);
  });

  it('reports a text message on a binary subprotocol as a protocol error and stays open', async () => {
    const { url, accepted } = await startServer();
    const { ws } = await rawClient(url, ['wamp.2.cbor']);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    ws.send('[1,"home",{}]');
    expect((await routerSide.protocolError()).message).toMatch(/text WebSocket message on wamp\.2\.cbor/);
    expect(routerSide.transport.isOpen).toBe(true);
  });

  it('reports a binary message on wamp.2.json as a protocol error', async () => {
    const { url, accepted } = await startServer();
    const { ws } = await rawClient(url, ['wamp.2.json']);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    ws.send(Buffer.from('[1,"home",{}]'));
    expect((await routerSide.protocolError()).message).toMatch(/binary WebSocket message on wamp\.2\.json/);
  });

  it('carries the upgrade request headers in the transport info', async () => {
    const { url, accepted } = await startServer();
    const ws = new WebSocket(url, ['wamp.2.json'], { headers: { 'x-device': 'porch' } });
    ws.on('error', () => {});
    cleanups.push(() => ws.terminate());
    const transport = await eventually(() => accepted[0]);
    expect(transport.info.httpHeaders?.['x-device']).toBe('porch');
    expect(transport.info.peer).toMatch(/^tcp4:127\.0\.0\.1:\d+$/);
  });

  it('closes the connection on a message above maxMessageSize', async () => {
    const { url, accepted } = await startServer({ maxMessageSize: 1024 });
    const { ws } = await rawClient(url, ['wamp.2.json']);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    expect(routerSide.transport.maxOutgoingSize).toBe(1024);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(2000));
    expect(await closed).toBe(1009);
    expect((await routerSide.closed()).local).toBe(false);
  });

  it('closes with code 1000 and the reason, reporting a local close once', async () => {
    const { url, accepted } = await startServer();
    const { ws } = await rawClient(url, ['wamp.2.json']);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    routerSide.transport.close('wamp.close.system_shutdown');
    expect(await closed).toEqual([1000, 'wamp.close.system_shutdown']);
    expect(await routerSide.closed()).toMatchObject({ local: true, reason: 'wamp.close.system_shutdown' });
    routerSide.transport.send(event);
    expect(routerSide.closes).toHaveLength(1);
  });

  it('refuses upgrades beyond maxConnections with 503', async () => {
    const { url } = await startServer({ maxConnections: 1 });
    await rawClient(url, ['wamp.2.json']);
    expect(await upgradeStatus(url, ['wamp.2.json'])).toBe(503);
  });

  it('serves wss:// with TLS credentials', async (context) => {
    const cert = selfSignedCert();
    if (cert === undefined) {
      context.skip('openssl is not installed; TLS test skipped');
      return;
    }
    const { url, accepted } = await startServer({ tls: cert });
    const { ws } = await rawClient(url.replace('ws:', 'wss:'), ['wamp.2.cbor'], { ca: cert.cert });
    expect(ws.protocol).toBe('wamp.2.cbor');
    expect((await eventually(() => accepted[0])).info.tls).toBe(true);
  });

  it('frees the connection slot of an upgrade that ws itself refuses', async () => {
    const { url } = await startServer({ maxConnections: 1 });
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    const reply = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    // No Sec-WebSocket-Key: ws answers 400 after our subprotocol check passed.
    socket.write(
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n',
    );
    expect(await reply).toMatch(/^HTTP\/1\.1 400/);
    await new Promise((r) => setTimeout(r, 20));
    expect((await rawClient(url, ['wamp.2.json'])).ws.protocol).toBe('wamp.2.json');
  });

  it('sends JSON as a text frame without going through a string', async () => {
    const { url, accepted } = await startServer();
    const { received } = await rawClient(url, ['wamp.2.json']);
    const transport = await eventually(() => accepted[0]);
    transport.sendEncoded(jsonSerializer.encode(event));
    const [data, isBinary] = await eventually(() => received[0]);
    expect(isBinary).toBe(false);
    expect(JSON.parse(data.toString())).toEqual(event);
  });

  it.each([0, 1, 125, 126, 65_535, 65_536, 70_000, 200_000])(
    'frames a %i-octet message so that a WebSocket client reads it whole',
    async (size) => {
      const { url, accepted } = await startServer();
      const { received } = await rawClient(url, ['wamp.2.cbor']);
      const transport = await eventually(() => accepted[0]);
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i++) payload[i] = (i * 31) & 0xff;
      transport.sendEncoded(payload);
      transport.sendEncoded(Uint8Array.of(7));
      const [data, isBinary] = await eventually(() => received[1]);
      expect(isBinary).toBe(true);
      expect(data).toStrictEqual(Buffer.of(7));
      expect(received[0]![1]).toBe(true);
      expect(received[0]![0].equals(payload)).toBe(true);
    },
  );

  it('sends the messages of one turn in order, in one write to the socket', async () => {
    const { url, accepted } = await startAcceptor();
    const client = await rawClient(url, ['wamp.2.json']);
    const [transport, socket] = await eventually(() => accepted[0]);
    const writes = countWrites(socket);
    for (let i = 0; i < 50; i++) transport.send([MessageType.EVENT, 5, i, {}, [i]]);
    await eventually(() => client.received[49]);
    expect(client.received.map(([data]) => JSON.parse(data.toString())[2])).toStrictEqual([...Array(50).keys()]);
    expect(writes).toStrictEqual([50]);
  });

  it('sends nothing once the peer started the closing handshake', async () => {
    const { url, accepted } = await startAcceptor();
    const { ws } = await rawClient(url, ['wamp.2.json']);
    const [transport, socket] = await eventually(() => accepted[0]);
    const afterClose: [boolean, number][] = [];
    // Runs after ws has read the close frame (and answered it), before the connection is gone.
    socket.on('data', () => {
      const writes = countWrites(socket);
      const open = transport.isOpen;
      transport.send(event);
      setImmediate(() => afterClose.push([open, writes.length]));
    });
    ws.close(1000);
    expect(await eventually(() => afterClose[0])).toStrictEqual([true, 0]);
  });

  it('reports a text message that is not UTF-8 as a protocol error of wamp.2.json', async () => {
    const { url, accepted } = await startServer();
    const { ws } = await rawClient(url, ['wamp.2.json']);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    // A text frame whose payload is malformed UTF-8 (ws sends a Buffer as is with binary: false).
    ws.send(Buffer.from([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]), { binary: false });
    expect((await routerSide.protocolError()).message).toMatch(/undecodable json message/);
  });
});
