import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUrl } from '../../src/client/url.js';
import { MessageType } from '../../src/protocol/message-type.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import { serializerByName } from '../../src/protocol/serializers/index.js';
import type { SerializerName } from '../../src/protocol/serializers/serializer.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';
import { nodeConnector, type NodeTransportOptions } from '../../src/transport/node-connector.js';
import type { Transport } from '../../src/transport/transport.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { selfSignedCert, type TestCert } from './tls-cert.js';

const STEP_MS = 3000;

/** Sends HELLO and resolves with the router's answer (WELCOME expected). */
function hello(transport: Transport): Promise<WampMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to HELLO')), STEP_MS);
    transport.attach({
      onMessage: (message) => {
        clearTimeout(timer);
        resolve(message);
      },
      onProtocolError: (error) => reject(error),
      onClose: (info) => reject(new Error(`closed: ${info.reason}`)),
    });
    transport.send([MessageType.HELLO, 'home', { roles: { caller: {}, subscriber: {} } }]);
  });
}

async function joinsThrough(url: string, serializer: SerializerName, options: NodeTransportOptions = {}): Promise<Transport> {
  const transport = await nodeConnector(parseUrl(url), serializerByName(serializer)!, { timeoutMs: STEP_MS, ...options });
  try {
    const welcome = await hello(transport);
    expect(welcome[0]).toBe(MessageType.WELCOME);
  } finally {
    transport.close();
  }
  return transport;
}

async function startConfigured(listen: unknown[]): Promise<RunningRouter> {
  const yaml = stringify({ listen, realms: [{ name: 'home', anonymous: { role: 'anonymous' } }] });
  const { config, problems } = parseRouterConfig(yaml, join(tmpdir(), 'node-connector-router.yaml'), {});
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  return startRouter(config);
}

function tcpPortOf(running: RunningRouter, index: number): number {
  const address = running.listeners[index]!.address;
  if ('path' in address) throw new Error('not a TCP listener');
  return address.port;
}

describe('nodeConnector', () => {
  let router: TestRouter;
  let unixRouter: RunningRouter;
  let dir: string;

  beforeAll(async () => {
    router = await startTestRouter();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-connector-'));
    unixRouter = await startConfigured([{ type: 'rawsocket', path: join(dir, 'router.sock') }]);
  });

  afterAll(async () => {
    await router?.close();
    await unixRouter?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['cbor', 'msgpack', 'json'] as const)('joins over rs:// (RawSocket TCP) with %s', async (serializer) => {
    const transport = await joinsThrough(`rs://127.0.0.1:${router.rawsocketPort}`, serializer);
    expect(transport.info).toMatchObject({ kind: 'rawsocket', serializer, tls: false });
  });

  it('joins over rs:// on the universal port', async () => {
    await joinsThrough(`rs://127.0.0.1:${router.port}`, 'cbor');
  });

  it('joins over unix:// (RawSocket on a Unix socket)', async () => {
    const transport = await joinsThrough(`unix://${join(dir, 'router.sock')}`, 'cbor');
    expect(transport.info.peer).toBe(`unix:${join(dir, 'router.sock')}`);
  });

  it.each(['cbor', 'msgpack', 'json'] as const)('joins over ws:// with %s', async (serializer) => {
    const transport = await joinsThrough(router.wsUrl, serializer);
    expect(transport.info).toMatchObject({ kind: 'websocket', serializer, protocol: `wamp.2.${serializer}` });
  });

  it('announces maxMessageSize in the RawSocket handshake', async () => {
    const received: Buffer[] = [];
    const server = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        received.push(chunk);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      await expect(
        nodeConnector(parseUrl(`rs://127.0.0.1:${port}`), serializerByName('cbor')!, { maxMessageSize: 1024, timeoutMs: STEP_MS }),
      ).rejects.toThrow();
      // 0x7F, then LLLL = 1 (2^(9+1) = 1024 octets) and SSSS = 3 (CBOR).
      expect([...received[0]!.subarray(0, 4)]).toEqual([0x7f, 0x13, 0, 0]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('rejects when nothing listens on the port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(joinsThrough(`rs://127.0.0.1:${port}`, 'cbor')).rejects.toThrow(/ECONNREFUSED/);
    await expect(joinsThrough(`ws://127.0.0.1:${port}/ws`, 'cbor')).rejects.toThrow(/ECONNREFUSED|failed/);
  });

  it('rejects when the Unix socket does not exist', async () => {
    await expect(joinsThrough(`unix://${join(dir, 'missing.sock')}`, 'cbor')).rejects.toThrow(/ENOENT/);
  });
});

const cert: TestCert | undefined = selfSignedCert();
if (cert === undefined) console.warn('skipped: rss:// and wss:// tests need openssl');

describe.skipIf(cert === undefined)('nodeConnector over TLS', () => {
  let tlsRouter: RunningRouter;
  let dir: string;
  let rssPort: number;
  let wssPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-connector-tls-'));
    writeFileSync(join(dir, 'cert.pem'), cert!.cert);
    writeFileSync(join(dir, 'key.pem'), cert!.key);
    const tls = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    tlsRouter = await startConfigured([
      { type: 'rawsocket', host: '127.0.0.1', port: 0, tls },
      { type: 'websocket', host: '127.0.0.1', port: 0, tls },
    ]);
    rssPort = tcpPortOf(tlsRouter, 0);
    wssPort = tcpPortOf(tlsRouter, 1);
  });

  afterAll(async () => {
    await tlsRouter?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('joins over rss:// trusting the self-signed certificate', async () => {
    const transport = await joinsThrough(`rss://127.0.0.1:${rssPort}`, 'cbor', { tls: { ca: cert!.cert } });
    expect(transport.info).toMatchObject({ kind: 'rawsocket', tls: true });
  });

  it('joins over wss:// trusting the self-signed certificate', async () => {
    const transport = await joinsThrough(`wss://localhost:${wssPort}/ws`, 'json', { tls: { ca: cert!.cert } });
    expect(transport.info).toMatchObject({ kind: 'websocket', tls: true });
  });

  it('refuses an untrusted certificate', async () => {
    await expect(joinsThrough(`rss://127.0.0.1:${rssPort}`, 'cbor')).rejects.toThrow(/self[- ]signed|certificate/i);
    await expect(joinsThrough(`wss://127.0.0.1:${wssPort}/ws`, 'cbor')).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
