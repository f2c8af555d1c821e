import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { WampMessage } from '../../../src/protocol/messages.js';
import { ALL_SERIALIZERS, cborSerializer, jsonSerializer } from '../../../src/protocol/serializers/index.js';
import type { Listener } from '../../../src/transport/listener.js';
import { connectRawSocket } from '../../../src/transport/rawsocket/client.js';
import { RawSocketHandshakeError } from '../../../src/transport/rawsocket/errors.js';
import { listenRawSocket } from '../../../src/transport/rawsocket/listener.js';
import type { Transport } from '../../../src/transport/transport.js';
import { eventually, Recorder } from '../recorder.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startRouter(maxMessageSize?: number): Promise<{ port: number; accepted: Transport[] }> {
  const accepted: Transport[] = [];
  const listener: Listener = await listenRawSocket(
    { host: '127.0.0.1', port: 0 },
    { onTransport: (t) => accepted.push(t), ...(maxMessageSize === undefined ? {} : { maxMessageSize }) },
  );
  cleanups.push(() => listener.close());
  const address = listener.address();
  if (!('port' in address)) throw new Error('expected a TCP address');
  return { port: address.port, accepted };
}

/** A TCP server that answers the handshake with fixed octets (or never, with `undefined`). */
async function fakeRouter(reply: string | undefined): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    if (reply !== undefined) socket.once('data', () => socket.write(Buffer.from(reply, 'hex')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

const call: WampMessage = [MessageType.CALL, 7, {}, 'com.example.add', [1, 2], { round: true }];
const result: WampMessage = [MessageType.RESULT, 7, {}, [3]];

describe('connectRawSocket', () => {
  it.each(ALL_SERIALIZERS.map((s) => [s.name, s] as const))(
    'exchanges messages with a RawSocket listener over %s',
    async (_name, serializer) => {
      const { port, accepted } = await startRouter();
      const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer });
      cleanups.push(() => client.close());
      const clientSide = new Recorder(client);
      const routerSide = new Recorder(await eventually(() => accepted[0]));
      expect(client.info).toMatchObject({ kind: 'rawsocket', serializer: serializer.name });
      expect(accepted[0]!.serializer).toBe(serializer);

      client.send(call);
      expect(await routerSide.message(0)).toEqual(call);
      accepted[0]!.send(result);
      expect(await clientSide.message(0)).toEqual(result);
    },
  );

  it('learns the router limit and refuses to send a larger message', async () => {
    const { port } = await startRouter(4096); // L=3: 4096 octets
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    cleanups.push(() => client.close());
    expect(client.maxOutgoingSize).toBe(4096);
    const big: WampMessage = [MessageType.PUBLISH, 1, {}, 'a.b', ['x'.repeat(5000)]];
    expect(() => client.send(big)).toThrow(expect.objectContaining({ uri: 'wamp.error.payload_size_exceeded' }));
    expect(client.isOpen).toBe(true);
  });

  it('measures a round trip with PING/PONG', async () => {
    const { port } = await startRouter();
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: jsonSerializer });
    cleanups.push(() => client.close());
    const rtt = await client.ping(Buffer.from('hello'));
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(3000);
    await expect(Promise.all([client.ping(), client.ping()])).resolves.toHaveLength(2);
  });

  it('rejects a pending ping when the transport closes', async () => {
    const port = await fakeRouter('7ff10000'); // accepts, but never answers PINGs
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: jsonSerializer });
    const ping = client.ping();
    client.close();
    await expect(ping).rejects.toMatchObject({ code: 'RAWSOCKET_CLOSED' });
  });

  it.each([
    ['7f100000', 1, 'serializer unsupported'],
    ['7f200000', 2, 'maximum message length unacceptable'],
    ['7f300000', 3, 'use of reserved bits'],
    ['7f400000', 4, 'maximum connection count reached'],
  ])('rejects with the router error when the reply is %s', async (reply, code, meaning) => {
    const port = await fakeRouter(reply);
    const error = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer }).catch((e) => e);
    expect(error).toBeInstanceOf(RawSocketHandshakeError);
    expect(error).toMatchObject({ code: 'RAWSOCKET_HANDSHAKE_REFUSED', handshakeCode: code });
    expect(error.message).toContain(meaning);
    expect(error.message).toContain(`error ${code}`);
  });

  it('rejects when the router echoes another serializer', async () => {
    const port = await fakeRouter('7ff10000'); // JSON, but CBOR was asked for
    await expect(
      connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer }),
    ).rejects.toMatchObject({ code: 'RAWSOCKET_SERIALIZER_MISMATCH' });
  });

  it('rejects a reply that is not a RawSocket handshake', async () => {
    const port = await fakeRouter(Buffer.from('HTTP/1.1 400').toString('hex'));
    await expect(
      connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer }),
    ).rejects.toMatchObject({ code: 'RAWSOCKET_HANDSHAKE_FAILED' });
  });

  it('rejects when the router does not answer in time', async () => {
    const port = await fakeRouter(undefined);
    await expect(
      connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer, timeoutMs: 50 }),
    ).rejects.toMatchObject({ code: 'RAWSOCKET_TIMEOUT' });
  });

  it('rejects with the socket error when nothing listens', async () => {
    const port = await fakeRouter(undefined);
    cleanups.splice(0).forEach((c) => c());
    await new Promise((r) => setTimeout(r, 20));
    await expect(connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('closes both ends: the client reports a local close, the router a remote one', async () => {
    const { port, accepted } = await startRouter();
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    const clientSide = new Recorder(client);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    client.send(call);
    client.close('wamp.close.normal');
    expect(await routerSide.message(0)).toEqual(call);
    expect(await routerSide.closed()).toMatchObject({ local: false });
    expect(await clientSide.closed()).toMatchObject({ local: true, reason: 'wamp.close.normal' });
    expect(clientSide.closes).toHaveLength(1);
    client.send(call); // ignored once closed
  });

  it('drops the connection at once on destroy, without waiting for the peer', async () => {
    const { port, accepted } = await startRouter();
    const client = await connectRawSocket({ host: '127.0.0.1', port }, { serializer: cborSerializer });
    const clientSide = new Recorder(client);
    const routerSide = new Recorder(await eventually(() => accepted[0]));
    const started = Date.now();
    client.destroy('dead link');
    expect(await clientSide.closed()).toMatchObject({ local: true, reason: 'dead link' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(await routerSide.closed()).toMatchObject({ local: false });
  });
});
