import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { WampMessage } from '../../../src/protocol/messages.js';
import { cborSerializer, msgpackSerializer } from '../../../src/protocol/serializers/index.js';
import type { Listener } from '../../../src/transport/listener.js';
import { connectRawSocket } from '../../../src/transport/rawsocket/client.js';
import { listenRawSocket } from '../../../src/transport/rawsocket/listener.js';
import type { Transport } from '../../../src/transport/transport.js';
import { eventually, Recorder } from '../recorder.js';
import { selfSignedCert } from '../tls-cert.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track(listener: Listener): Listener {
  cleanups.push(() => listener.close());
  return listener;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-sock-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const publish: WampMessage = [MessageType.PUBLISH, 1, {}, 'home.light', [true]];

describe('listenRawSocket', () => {
  it('binds port 0 to a free port and reports it', async () => {
    const listener = track(await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport: () => {} }));
    const address = listener.address();
    expect(address).toMatchObject({ host: '127.0.0.1' });
    expect('port' in address && address.port > 0).toBe(true);
  });

  it('serves RawSocket over TLS with a self-signed certificate', async (context) => {
    const cert = selfSignedCert();
    if (cert === undefined) {
      context.skip('openssl is not installed; TLS test skipped');
      return;
    }
    const accepted: Transport[] = [];
    const listener = track(
      await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport: (t) => accepted.push(t), tls: cert }),
    );
    const { port } = listener.address() as { port: number };
    const client = await connectRawSocket(
      { host: '127.0.0.1', port },
      { serializer: msgpackSerializer, tls: { ca: cert.cert } },
    );
    const clientSide = new Recorder(client);
    expect(client.info.tls).toBe(true);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    expect(routerSide.transport.info.tls).toBe(true);
    client.send(publish);
    expect(await routerSide.message(0)).toEqual(publish);
    await listener.close();
    expect(await clientSide.closed()).toMatchObject({ local: false });
  });

  it('refuses a TLS client that does not trust the certificate, and keeps serving', async (context) => {
    const cert = selfSignedCert();
    if (cert === undefined) {
      context.skip('openssl is not installed; TLS test skipped');
      return;
    }
    const listener = track(await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport: () => {}, tls: cert }));
    const { port } = listener.address() as { port: number };
    const target = { host: '127.0.0.1', port };
    await expect(connectRawSocket(target, { serializer: cborSerializer, tls: {} })).rejects.toThrow(/self[- ]signed/i);
    const client = await connectRawSocket(target, { serializer: cborSerializer, tls: { ca: cert.cert } });
    client.close();
  });

  it('serves RawSocket on a Unix socket and removes the socket file on close', async () => {
    const path = join(tempDir(), 'router.sock');
    const accepted: Transport[] = [];
    const listener = await listenRawSocket({ path }, { onTransport: (t) => accepted.push(t) });
    expect(listener.address()).toEqual({ path });
    const client = await connectRawSocket({ path }, { serializer: cborSerializer });
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    expect(routerSide.transport.info.peer).toBe(`unix:${path}`);
    client.send(publish);
    expect(await routerSide.message(0)).toEqual(publish);
    await listener.close();
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale socket file but not a live one or a regular file', async () => {
    const dir = tempDir();
    const stale = join(dir, 'stale.sock');
    // A process that crashes while listening leaves its socket file behind.
    const crash =
      `require('net').createServer()` +
      `.listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', crash], { timeout: 5000 });
    expect(existsSync(stale)).toBe(true);
    const first = track(await listenRawSocket({ path: stale }, { onTransport: () => {} }));
    await expect(listenRawSocket({ path: stale }, { onTransport: () => {} })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    await first.close();

    const regular = join(dir, 'file.txt');
    writeFileSync(regular, 'keep me');
    await expect(listenRawSocket({ path: regular }, { onTransport: () => {} })).rejects.toThrow(/not a socket/);
    expect(existsSync(regular)).toBe(true);
  });

  it('destroys open connections on close', async () => {
    const accepted: Transport[] = [];
    const listener = await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport: (t) => accepted.push(t) });
    const { port } = listener.address() as { port: number };
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    const clientSide = new Recorder(client);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    await listener.close();
    expect(await clientSide.closed()).toMatchObject({ local: false });
    expect(await routerSide.closed()).toMatchObject({ local: false });
  });

  it('refuses connections beyond maxConnections with error 4', async () => {
    const listener = track(
      await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport: () => {}, maxConnections: 1 }),
    );
    const { port } = listener.address() as { port: number };
    const first = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    cleanups.push(() => first.close());
    await expect(connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer })).rejects.toMatchObject({
      handshakeCode: 4,
    });
  });

  it('survives garbage and abrupt disconnects', async () => {
    const listener = track(await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport: () => {} }));
    const { port } = listener.address() as { port: number };
    const garbage = [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]),
      Buffer.from([0x7f]),
    ];
    for (const bytes of garbage) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(bytes);
      socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 50));
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    expect(client.isOpen).toBe(true);
    client.close();
  });
});
