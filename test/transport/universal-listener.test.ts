import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MessageType } from '../../src/protocol/message-type.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import { cborSerializer, jsonSerializer } from '../../src/protocol/serializers/index.js';
import type { Listener } from '../../src/transport/listener.js';
import { connectRawSocket } from '../../src/transport/rawsocket/client.js';
import type { Transport } from '../../src/transport/transport.js';
import { listenUniversal, type UniversalListenOptions } from '../../src/transport/universal-listener.js';
import { connectWebSocket } from '../../src/transport/websocket/client.js';
import { eventually, Recorder } from './recorder.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  port: number;
  accepted: Transport[];
  listener: Listener;
}

async function start(options: Partial<UniversalListenOptions> = {}): Promise<Started> {
  const accepted: Transport[] = [];
  const listener = await listenUniversal(
    { host: '127.0.0.1', port: 0 },
    {
      onTransport: (t) => accepted.push(t),
      http: (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`ui ${req.method} ${req.url}`);
      },
      ...options,
    },
  );
  cleanups.push(() => listener.close());
  return { port: (listener.address() as { port: number }).port, accepted, listener };
}

/** Sends raw bytes in the given pieces and returns everything received until the server closes. */
async function rawExchange(port: number, pieces: (string | Buffer)[], timeoutMs = 3000): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not close')), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((r) => setTimeout(r, 15));
  }
  await closed;
  return Buffer.concat(chunks);
}

const publish: WampMessage = [MessageType.PUBLISH, 3, {}, 'home.door', ['open']];

describe('listenUniversal', () => {
  it('serves HTTP, a WebSocket at /ws and RawSocket on one port', async () => {
    const { port, accepted } = await start();

    const page = await fetch(`http://127.0.0.1:${port}/index.html`);
    expect(await page.text()).toBe('ui GET /index.html');

    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/ws`, { serializer: jsonSerializer, WebSocket });
    cleanups.push(() => ws.close());
    const rs = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    cleanups.push(() => rs.close());

    await eventually(() => accepted[1]);
    const kinds = accepted.map((t) => t.info.kind).sort();
    expect(kinds).toEqual(['rawsocket', 'websocket']);
    const viaWs = new Recorder(accepted.find((t) => t.info.kind === 'websocket')!);
    const viaRs = new Recorder(accepted.find((t) => t.info.kind === 'rawsocket')!);
    ws.send(publish);
    rs.send(publish);
    expect(await viaWs.message(0)).toEqual(publish);
    expect(await viaRs.message(0)).toEqual(publish);
  });

  it('answers plain HTTP with 404 when no handler is given', async () => {
    const { port } = await start({ http: undefined });
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
  });

  it('serves an HTTP request whose first packet is a single byte', async () => {
    const { port } = await start();
    const reply = await rawExchange(port, ['G', 'ET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(reply.toString()).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(reply.toString()).toContain('ui GET /slow');
  });

  it('accepts a RawSocket handshake split after the magic octet', async () => {
    const { port, accepted } = await start();
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    const received: Buffer[] = [];
    socket.on('data', (c) => received.push(c));
    socket.write(Buffer.from([0x7f]));
    await new Promise((r) => setTimeout(r, 20));
    socket.write(Buffer.from([0xf3, 0, 0]));
    await eventually(() => accepted[0]);
    expect(Buffer.concat(received).toString('hex')).toBe('7ff30000');
  });

  it('answers a WebSocket upgrade on another path with 404', async () => {
    const { port } = await start();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/elsewhere`, ['wamp.2.json']);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', () => {});
    });
    expect(status).toBe(404);
  });

  it('survives garbage: bad RawSocket handshakes, binary noise, silent and empty connections', async () => {
    const { port } = await start({ handshakeTimeoutMs: 100 });
    expect((await rawExchange(port, [Buffer.from('7ff90000', 'hex')])).toString('hex')).toBe('7f100000');
    expect((await rawExchange(port, [Buffer.from('7ff30005', 'hex')])).toString('hex')).toBe('7f300000');
    const noise = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]);
    expect((await rawExchange(port, [noise])).toString()).toMatch(/^HTTP\/1\.1 400/);
    expect((await rawExchange(port, [])).length).toBe(0); // silent: dropped after the timeout
    const empty = net.connect(port, '127.0.0.1');
    empty.on('error', () => {});
    empty.end();
    await new Promise((r) => setTimeout(r, 30));
    expect((await fetch(`http://127.0.0.1:${port}/still-up`)).status).toBe(200);
  });

  it('hands a connection starting with 0x10 (MQTT CONNECT) to the mqtt route, with the bytes read', async () => {
    const routed: Buffer[] = [];
    const { port } = await start({
      mqtt: (socket, head) => {
        routed.push(Buffer.from(head));
        socket.end(Buffer.from([0x20, 0x02, 0x00, 0x00]));
      },
    });
    const connect = Buffer.from('101000044d5154540402003c000461626364', 'hex');
    expect((await rawExchange(port, [connect])).toString('hex')).toBe('20020000');
    expect(routed).toEqual([connect]);
    // HTTP and RawSocket are still routed as before.
    expect((await fetch(`http://127.0.0.1:${port}/x`)).status).toBe(200);
  });

  it('sends 0x10 to HTTP (a 400) when no mqtt route is given', async () => {
    const { port } = await start();
    const connect = Buffer.from('101000044d5154540402003c000461626364', 'hex');
    expect((await rawExchange(port, [connect])).toString()).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers an HTTP client that is too slow with its headers with 408 and closes', async () => {
    const { port } = await start({ handshakeTimeoutMs: 200 });
    const started = Date.now();
    const reply = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: x\r\n']);
    expect(reply.toString()).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('shares maxConnections between RawSocket and WebSocket', async () => {
    const { port } = await start({ maxConnections: 1 });
    const rs = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    cleanups.push(() => rs.close());
    await expect(
      connectWebSocket(`ws://127.0.0.1:${port}/ws`, { serializer: jsonSerializer, WebSocket }),
    ).rejects.toThrow(/503/);
  });

  it('destroys RawSocket, WebSocket and keep-alive HTTP connections on close', async () => {
    const { port, listener } = await start();
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/ws`, { serializer: jsonSerializer, WebSocket });
    const rs = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    const keepAlive = net.connect(port, '127.0.0.1');
    keepAlive.on('error', () => {}).resume();
    const keepAliveClosed = new Promise<void>((resolve) => keepAlive.once('close', () => resolve()));
    keepAlive.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 30));
    const wsSide = new Recorder(ws);
    const rsSide = new Recorder(rs);
    await listener.close();
    await keepAliveClosed;
    expect(await wsSide.closed()).toMatchObject({ local: false });
    expect(await rsSide.closed()).toMatchObject({ local: false });
  });
});
