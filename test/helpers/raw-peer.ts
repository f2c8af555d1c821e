import net from 'node:net';
import WebSocket from 'ws';
import type { ProtocolError } from '../../src/protocol/errors.js';
import { SequentialIds } from '../../src/protocol/ids.js';
import { MessageType, messageTypeName } from '../../src/protocol/message-type.js';
import type { Dict, WampMessage } from '../../src/protocol/messages.js';
import { serializerByName, type Serializer, type SerializerName } from '../../src/protocol/serializers/index.js';
import type { Router } from '../../src/router/router.js';
import { linkedPair } from '../../src/transport/local.js';
import type { RawSocketTarget } from '../../src/transport/rawsocket/client.js';
import { encodeFrame, FrameType } from '../../src/transport/rawsocket/framing.js';
import {
  decodeRouterHandshake,
  encodeHandshake,
  lengthExponentFor,
  maxLengthOf,
  type RouterHandshake,
} from '../../src/transport/rawsocket/handshake.js';
import { RawSocketTransport } from '../../src/transport/rawsocket/rawsocket-transport.js';
import type { CloseInfo, Transport } from '../../src/transport/transport.js';
import { connectWebSocket } from '../../src/transport/websocket/client.js';
import type { TestRouter } from './start-router.js';

/**
 * A raw WAMP test peer: no client library, just a Transport, a queue of what the router sent and
 * helpers to send anything (valid or not). Over RawSocket it dials and handshakes itself (not with
 * connectRawSocket) so a test can reach the net.Socket: destroy it, pause it, write raw frames.
 */

export type TransportName = 'local' | 'rawsocket' | 'websocket';
export const TRANSPORT_NAMES: readonly TransportName[] = ['local', 'rawsocket', 'websocket'];
export const SERIALIZER_NAMES: readonly SerializerName[] = ['json', 'msgpack', 'cbor'];
/** Every transport × serializer pair, for `describe.each(MATRIX)('$transport/$serializer', …)`. */
export const MATRIX: readonly { transport: TransportName; serializer: SerializerName }[] = TRANSPORT_NAMES.flatMap(
  (transport) => SERIALIZER_NAMES.map((serializer) => ({ transport, serializer })),
);

/** How to reach a router. */
export type Endpoint =
  | { transport: 'local'; router: Router }
  | { transport: 'rawsocket'; target: RawSocketTarget }
  | { transport: 'websocket'; url: string };

/** The endpoint of a test router for a transport: the RawSocket-only port, the universal port's /ws. */
export function endpointOf(router: TestRouter, transport: TransportName): Endpoint {
  switch (transport) {
    case 'local':
      return { transport, router: router.running.router };
    case 'rawsocket':
      return { transport, target: { host: router.host, port: router.rawsocketPort } };
    case 'websocket':
      return { transport, url: router.wsUrl };
  }
}

/** Every role, with the features the scenarios rely on (progress, cancel). */
export const ROLES: Dict = {
  caller: { features: { progressive_call_results: true, call_canceling: true, call_timeout: true } },
  callee: { features: { progressive_call_results: true, call_canceling: true, pattern_based_registration: true } },
  publisher: { features: { publisher_exclusion: true } },
  subscriber: { features: { pattern_based_subscription: true } },
};

const STEP_MS = 2000;

function serializerOf(name: SerializerName | Serializer): Serializer {
  if (typeof name !== 'string') return name;
  const serializer = serializerByName(name);
  if (serializer === undefined) throw new Error(`no serializer ${name}`);
  return serializer;
}

/** Calls `check` whenever `notify` runs, until it returns a value or `timeoutMs` passes. */
class Waiters {
  #waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  until<T>(get: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true; // a later notify must not consume anything for this waiter
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (done) return;
        let value: T | undefined;
        try {
          value = get();
        } catch (error) {
          done = true;
          clearTimeout(timer);
          reject(error as Error);
          return;
        }
        if (value === undefined) this.#waiters.push(check);
        else {
          done = true;
          clearTimeout(timer);
          resolve(value);
        }
      };
      check();
    });
  }
}

/** A TCP or Unix-socket client speaking bytes: for handshake- and frame-level tests. */
export class ByteClient {
  readonly socket: net.Socket;
  readonly #changes = new Waiters();
  #chunks: Buffer[] = [];
  #length = 0;
  /** Where readMessage continues (bytes before it were consumed as frames or the handshake). */
  #cursor = 0;
  #closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', this.#onData);
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#closed = true;
      this.#changes.notify();
    });
  }

  static connect(target: RawSocketTarget, timeoutMs = STEP_MS): Promise<ByteClient> {
    const socket = 'path' in target ? net.connect({ path: target.path }) : net.connect(target);
    const client = new ByteClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('connect timed out')), timeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(client);
      });
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Everything received so far. */
  get received(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  get receivedLength(): number {
    return this.#length;
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  /** Waits until at least `n` octets arrived in total; resolves with all of them. */
  readAtLeast(n: number, timeoutMs = STEP_MS): Promise<Buffer> {
    return this.#changes.until(() => (this.#length >= n ? this.received : undefined), `${n} octets (have ${this.#length})`, timeoutMs);
  }

  /** Sends `7F LS 00 00` and decodes the router's 4-octet reply. */
  async handshake(serializerId: number, lengthExponent = 15): Promise<RouterHandshake> {
    this.write(encodeHandshake(serializerId, lengthExponent));
    const reply = await this.readAtLeast(4);
    this.#cursor = 4;
    return decodeRouterHandshake(reply.subarray(0, 4));
  }

  sendMessage(serializer: Serializer, message: unknown[]): void {
    this.write(encodeFrame(FrameType.WAMP, serializer.encode(message)));
  }

  /** Reads the next RawSocket frame after the handshake; returns its type and payload. */
  async readFrame(timeoutMs = STEP_MS): Promise<{ type: number; payload: Buffer }> {
    const header = await this.readAtLeast(this.#cursor + 4, timeoutMs);
    const length = header.readUIntBE(this.#cursor + 1, 3);
    const all = await this.readAtLeast(this.#cursor + 4 + length, timeoutMs);
    const frame = { type: all[this.#cursor]! & 0x07, payload: all.subarray(this.#cursor + 4, this.#cursor + 4 + length) };
    this.#cursor += 4 + length;
    return frame;
  }

  async readMessage(serializer: Serializer, timeoutMs = STEP_MS): Promise<unknown[]> {
    const frame = await this.readFrame(timeoutMs);
    if (frame.type !== FrameType.WAMP) throw new Error(`expected a WAMP frame, got type ${frame.type}`);
    return serializer.decode(frame.payload) as unknown[];
  }

  expectClosed(timeoutMs = STEP_MS): Promise<true> {
    return this.#changes.until(() => (this.#closed ? true : undefined), 'the connection to close', timeoutMs);
  }

  /** Hands the socket (after a successful handshake) to a RawSocketTransport. */
  intoTransport(serializer: Serializer, maxOutgoingSize: number, maxIncomingSize: number): RawSocketTransport {
    this.socket.off('data', this.#onData);
    const head = this.received.subarray(this.#cursor);
    return new RawSocketTransport(this.socket, {
      serializer,
      info: { kind: 'rawsocket', peer: 'test', serializer: serializer.name },
      maxOutgoingSize,
      maxIncomingSize,
      head,
      closeTimeoutMs: 500,
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    this.#changes.notify();
  };
}

export interface PeerOptions {
  /** RawSocket: the receive limit this peer announces in its handshake (default 2^24). */
  maxMessageSize?: number;
}

/** A WAMP peer over a real Transport that sends whatever it is told and queues what arrives. */
export class RawPeer {
  readonly kind: TransportName;
  readonly transport: Transport;
  readonly serializer: Serializer;
  sessionId = 0;
  readonly #socket: net.Socket | undefined;
  readonly #ws: WebSocket | undefined;
  readonly #changes = new Waiters();
  readonly #queue: WampMessage[] = [];
  readonly #requestIds = new SequentialIds();
  #closeInfo: CloseInfo | undefined;
  /** Something the router sent that did not decode or validate. */
  #protocolError: ProtocolError | undefined;

  private constructor(kind: TransportName, transport: Transport, raw: { socket?: net.Socket; ws?: WebSocket } = {}) {
    this.kind = kind;
    this.transport = transport;
    this.serializer = transport.serializer;
    this.#socket = raw.socket;
    this.#ws = raw.ws;
    transport.attach({
      onMessage: (m) => {
        this.#queue.push(m);
        this.#changes.notify();
      },
      onProtocolError: (e) => {
        this.#protocolError ??= e;
        this.#changes.notify();
      },
      onClose: (info) => {
        this.#closeInfo = info;
        this.#changes.notify();
      },
    });
  }

  static async connect(endpoint: Endpoint, serializerName: SerializerName | Serializer, options: PeerOptions = {}): Promise<RawPeer> {
    const serializer = serializerOf(serializerName);
    switch (endpoint.transport) {
      case 'local': {
        const [client, server] = linkedPair(serializer);
        endpoint.router.attach(server);
        return new RawPeer('local', client);
      }
      case 'rawsocket': {
        const bytes = await ByteClient.connect(endpoint.target);
        try {
          const exponent = lengthExponentFor(options.maxMessageSize ?? 2 ** 24);
          const reply = await bytes.handshake(serializer.rawSocketId, exponent);
          if (reply.kind !== 'accept') throw new Error(`RawSocket handshake refused: ${JSON.stringify(reply)}`);
          const transport = bytes.intoTransport(serializer, reply.maxLength, maxLengthOf(exponent));
          return new RawPeer('rawsocket', transport, { socket: bytes.socket });
        } catch (error) {
          bytes.destroy();
          throw error;
        }
      }
      case 'websocket': {
        let ws: WebSocket | undefined;
        const Recording = class extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols);
            ws = this;
          }
        };
        const transport = await connectWebSocket(endpoint.url, { serializer, WebSocket: Recording, timeoutMs: STEP_MS });
        return new RawPeer('websocket', transport, { ws: ws! });
      }
    }
  }

  /** Wraps a transport made elsewhere (e.g. by connectRawSocket); no raw socket access then. */
  static wrap(transport: Transport): RawPeer {
    return new RawPeer(transport.info.kind, transport);
  }

  /** The net.Socket of a RawSocket peer. */
  get socket(): net.Socket {
    if (this.#socket === undefined) throw new Error(`a ${this.kind} peer has no net.Socket`);
    return this.#socket;
  }

  /** The `ws` WebSocket of a WebSocket peer (raw frames of either kind). */
  get ws(): WebSocket {
    if (this.#ws === undefined) throw new Error(`a ${this.kind} peer has no WebSocket`);
    return this.#ws;
  }

  get isClosed(): boolean {
    return this.#closeInfo !== undefined;
  }

  /** The next request id in this session's sequence. */
  nextRequestId(): number {
    return this.#requestIds.next();
  }

  /** Sends any list, valid WAMP or not, through the serializer. */
  send(message: readonly unknown[]): void {
    this.transport.send(message as WampMessage);
  }

  /** Sends bytes as one message (a RawSocket frame, a WebSocket message of the serializer's kind). */
  sendBytes(bytes: Uint8Array): void {
    this.transport.sendEncoded(bytes);
  }

  next(timeoutMs = STEP_MS): Promise<WampMessage> {
    return this.#changes.until(
      () => {
        if (this.#protocolError !== undefined) throw new Error(`router sent garbage: ${this.#protocolError.message}`);
        if (this.#queue.length > 0) return this.#queue.shift();
        if (this.#closeInfo !== undefined) throw new Error(`transport closed (${this.#closeInfo.reason}) while waiting for a message`);
        return undefined;
      },
      'a message',
      timeoutMs,
    );
  }

  /** The next message, which must be of `type`. */
  async expect<T extends WampMessage = WampMessage>(type: MessageType, timeoutMs = STEP_MS): Promise<T> {
    const message = await this.next(timeoutMs);
    if (message[0] !== type) {
      throw new Error(`expected ${messageTypeName(type)}, got ${messageTypeName(message[0])}: ${show(message)}`);
    }
    return message as T;
  }

  /** Fails if any message arrives within `ms`. */
  async expectSilence(ms = 100): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.#queue.length > 0) throw new Error(`unexpected message: ${show(this.#queue[0]!)}`);
  }

  expectClosed(timeoutMs = STEP_MS): Promise<CloseInfo> {
    return this.#changes.until(() => this.#closeInfo, 'the transport to close', timeoutMs);
  }

  /** HELLO → WELCOME; remembers the session id. */
  async join(realm = 'home', details: Dict = { roles: ROLES }): Promise<WampMessage> {
    this.send([MessageType.HELLO, realm, details]);
    const welcome = await this.expect(MessageType.WELCOME);
    this.sessionId = welcome[1] as number;
    return welcome;
  }

  /** CALL; resolves with the RESULT or ERROR that answers it. */
  async call(procedure: string, args?: unknown[], kwargs?: Dict, options: Dict = {}): Promise<WampMessage> {
    const request = this.nextRequestId();
    this.send(payload([MessageType.CALL, request, options, procedure], args, kwargs));
    const reply = await this.next();
    const answers = reply[0] === MessageType.RESULT ? reply[1] === request : reply[0] === MessageType.ERROR && reply[2] === request;
    if (!answers) throw new Error(`expected the answer to CALL ${request}, got ${show(reply)}`);
    return reply;
  }

  /** wamp.session.count: proves the router still serves this session. */
  async sessionCount(): Promise<number> {
    const reply = await this.call('wamp.session.count');
    if (reply[0] !== MessageType.RESULT) throw new Error(`wamp.session.count failed: ${show(reply)}`);
    return (reply[3] as number[])[0]!;
  }

  async register(procedure: string, options: Dict = {}): Promise<number> {
    const request = this.nextRequestId();
    this.send([MessageType.REGISTER, request, options, procedure]);
    return (await this.expect(MessageType.REGISTERED))[2] as number;
  }

  async subscribe(topic: string, options: Dict = {}): Promise<number> {
    const request = this.nextRequestId();
    this.send([MessageType.SUBSCRIBE, request, options, topic]);
    return (await this.expect(MessageType.SUBSCRIBED))[2] as number;
  }

  /** PUBLISH; returns its request id (the PUBLISHED, if acknowledged, is left in the queue). */
  publish(topic: string, args?: unknown[], kwargs?: Dict, options: Dict = {}): number {
    const request = this.nextRequestId();
    this.send(payload([MessageType.PUBLISH, request, options, topic], args, kwargs));
    return request;
  }

  /** The connection dies without GOODBYE: socket destroyed, WebSocket terminated. */
  drop(): void {
    if (this.#socket !== undefined) this.#socket.destroy();
    else if (this.#ws !== undefined) this.#ws.terminate();
    else this.transport.close('dropped');
  }

  /** Closes the transport and waits (bounded) for it; destroys it if that takes too long. */
  async dispose(): Promise<void> {
    this.transport.close();
    await this.expectClosed(1000).catch(() => this.drop());
  }
}

/** Appends Arguments / ArgumentsKw the way a peer would (omitted when absent). */
export function payload(head: unknown[], args?: unknown[], kwargs?: Dict): unknown[] {
  if (kwargs !== undefined) return [...head, args ?? [], kwargs];
  return args !== undefined ? [...head, args] : head;
}

function show(message: readonly unknown[]): string {
  const text = JSON.stringify(message, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Every peer and byte client a test opens; `closeAll()` in afterEach. */
export class PeerPool {
  readonly #peers: RawPeer[] = [];
  readonly #clients: ByteClient[] = [];

  async peer(endpoint: Endpoint, serializer: SerializerName | Serializer, options?: PeerOptions): Promise<RawPeer> {
    const peer = await RawPeer.connect(endpoint, serializer, options);
    this.#peers.push(peer);
    return peer;
  }

  /** A peer that has joined `realm`. */
  async joined(endpoint: Endpoint, serializer: SerializerName | Serializer, realm = 'home'): Promise<RawPeer> {
    const peer = await this.peer(endpoint, serializer);
    await peer.join(realm);
    return peer;
  }

  /** Takes over a transport made elsewhere (closed by closeAll). */
  adopt(transport: Transport): RawPeer {
    const peer = RawPeer.wrap(transport);
    this.#peers.push(peer);
    return peer;
  }

  async bytes(target: RawSocketTarget): Promise<ByteClient> {
    const client = await ByteClient.connect(target);
    this.#clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.destroy();
    await Promise.all(this.#peers.splice(0).map((peer) => peer.dispose()));
  }
}
