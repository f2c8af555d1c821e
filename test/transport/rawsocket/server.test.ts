import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/protocol/message-type.js';
import { cborSerializer, jsonSerializer } from '../../../src/protocol/serializers/index.js';
import { ConnectionLimiter } from '../../../src/transport/connection-limiter.js';
import { encodeFrame, FrameType } from '../../../src/transport/rawsocket/framing.js';
import type { RawSocketTransport } from '../../../src/transport/rawsocket/rawsocket-transport.js';
import { acceptRawSocket, type RawSocketAcceptOptions } from '../../../src/transport/rawsocket/server.js';
import { Recorder } from '../recorder.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');

let server: net.Server | undefined;
const sockets: net.Socket[] = [];
const transports: RawSocketTransport[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const t of transports.splice(0)) t.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A net server running acceptRawSocket on every connection; returns its port. */
async function serve(options: Partial<RawSocketAcceptOptions> = {}): Promise<number> {
  server = net.createServer((socket) => {
    sockets.push(socket);
    acceptRawSocket(socket, {
      onTransport: (t) => transports.push(t),
      ...options,
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A raw TCP client: sends `bytes` and collects what comes back until the server closes. */
class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  readonly ended: Promise<void>;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    sockets.push(this.socket);
    this.socket.on('data', (chunk) => (this.received = Buffer.concat([this.received, chunk])));
    this.socket.on('error', () => {});
    this.ended = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }
  async receivedAtLeast(n: number, timeoutMs = 3000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.received.length} of ${n} octets arrived`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.received;
  }
}

async function transportNo(index: number): Promise<RawSocketTransport> {
  const deadline = Date.now() + 3000;
  while (transports[index] === undefined) {
    if (Date.now() > deadline) throw new Error('no transport');
    await new Promise((r) => setTimeout(r, 5));
  }
  return transports[index]!;
}

describe('acceptRawSocket', () => {
  it('answers a CBOR handshake with its own limit and yields a transport with the client limit', async () => {
    const port = await serve({ maxMessageSize: 2 ** 20 });
    const client = new RawClient(port);
    client.socket.write(hex('7f 53 00 00')); // CBOR, client accepts 2^14
    expect((await client.receivedAtLeast(4)).toString('hex')).toBe('7fb30000'); // L=11: 2^20
    const transport = await transportNo(0);
    expect(transport.serializer).toBe(cborSerializer);
    expect(transport.maxOutgoingSize).toBe(2 ** 14);
    expect(transport.info).toMatchObject({ kind: 'rawsocket', serializer: 'cbor', tls: false });
    expect(transport.info.peer).toMatch(/^tcp4:127\.0\.0\.1:\d+$/);
  });

  it('delivers a WAMP message that arrived in the same chunk as the handshake', async () => {
    const port = await serve();
    const client = new RawClient(port);
    const hello = jsonSerializer.encode([MessageType.HELLO, 'home', {}]);
    client.socket.write(Buffer.concat([hex('7f f1 00 00'), encodeFrame(FrameType.WAMP, hello)]));
    const recorder = new Recorder(await transportNo(0));
    expect(await recorder.message(0)).toEqual([MessageType.HELLO, 'home', {}]);
  });

  it('accepts a handshake split over several chunks', async () => {
    const port = await serve();
    const client = new RawClient(port);
    client.socket.write(hex('7f'));
    await new Promise((r) => setTimeout(r, 20));
    client.socket.write(hex('f2 00'));
    await new Promise((r) => setTimeout(r, 20));
    client.socket.write(hex('00'));
    expect((await client.receivedAtLeast(4)).toString('hex')).toBe('7ff20000');
  });

  it.each([
    ['an unknown serializer id', '7f f9 00 00', '7f100000'],
    ['the illegal serializer id 0', '7f f0 00 00', '7f100000'],
    ['non-zero reserved octets', '7f f3 00 01', '7f300000'],
  ])('refuses %s with the matching error reply and closes', async (_what, request, reply) => {
    const port = await serve();
    const client = new RawClient(port);
    client.socket.write(hex(request));
    await client.ended;
    expect(client.received.toString('hex')).toBe(reply);
    expect(transports).toHaveLength(0);
  });

  it('refuses a serializer the server does not offer with error 1', async () => {
    const port = await serve({ serializers: [cborSerializer] });
    const client = new RawClient(port);
    client.socket.write(hex('7f f1 00 00'));
    await client.ended;
    expect(client.received.toString('hex')).toBe('7f100000');
  });

  it('refuses a connection beyond the limit with error 4 and admits one after a slot frees', async () => {
    const limiter = new ConnectionLimiter(1);
    const port = await serve({ limiter });
    const first = new RawClient(port);
    first.socket.write(hex('7f f3 00 00'));
    await first.receivedAtLeast(4);
    const second = new RawClient(port);
    second.socket.write(hex('7f f3 00 00'));
    await second.ended;
    expect(second.received.toString('hex')).toBe('7f400000');
    first.socket.destroy();
    await first.ended;
    await new Promise((r) => setTimeout(r, 20));
    expect(limiter.count).toBe(0);
    const third = new RawClient(port);
    third.socket.write(hex('7f f3 00 00'));
    expect((await third.receivedAtLeast(4)).toString('hex')).toBe('7ff30000');
  });

  it('closes without a reply when the first octet is not 0x7F', async () => {
    const port = await serve();
    const client = new RawClient(port);
    client.socket.write('GET / HTTP/1.1\r\n\r\n');
    await client.ended;
    expect(client.received.length).toBe(0);
  });

  it('drops a client that does not complete the handshake in time', async () => {
    const port = await serve({ handshakeTimeoutMs: 50 });
    const client = new RawClient(port);
    client.socket.write(hex('7f f3'));
    await client.ended;
    expect(client.received.length).toBe(0);
  });

  it('answers a PING with a PONG echoing the payload', async () => {
    const port = await serve();
    const client = new RawClient(port);
    client.socket.write(Buffer.concat([hex('7f f3 00 00'), encodeFrame(FrameType.PING, hex('c0ffee'))]));
    expect((await client.receivedAtLeast(11)).toString('hex')).toBe('7ff30000' + '02000003c0ffee');
  });

  it('fails the connection on a frame above its announced limit', async () => {
    const port = await serve({ maxMessageSize: 1024 });
    const client = new RawClient(port);
    client.socket.write(hex('7f f3 00 00'));
    await client.receivedAtLeast(4);
    const recorder = new Recorder(await transportNo(0));
    client.socket.write(hex('00 000401')); // 1025 octets announced
    const info = await recorder.closed();
    expect(info.error).toMatchObject({ code: 'RAWSOCKET_FRAME_TOO_LARGE' });
    await client.ended;
  });

  it('reports garbage inside a WAMP frame as a protocol error and stays open', async () => {
    const port = await serve();
    const client = new RawClient(port);
    client.socket.write(Buffer.concat([hex('7f f1 00 00'), encodeFrame(FrameType.WAMP, Buffer.from('{not json'))]));
    const transport = await transportNo(0);
    const recorder = new Recorder(transport);
    const error = await recorder.protocolError();
    expect(error.uri).toBe('wamp.error.protocol_violation');
    expect(transport.isOpen).toBe(true);
  });
});
