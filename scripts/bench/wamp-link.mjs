// Lean WAMP connections for the load clients, built on our RawSocket handshake/framing and our
// serializers (or a `ws` WebSocket): no Transport/parseMessage layer, no per-message promise,
// RawSocket reads into a reused buffer (net onread) with frames handed out in place.
import net from 'node:net';
import { WebSocket } from 'ws';
import { MessageType } from '../../dist/protocol/message-type.js';
import {
  decodeRouterHandshake,
  encodeHandshake,
  HANDSHAKE_LENGTH,
  MAX_LENGTH_EXPONENT,
} from '../../dist/transport/rawsocket/handshake.js';
import { encodeFrame, FrameType } from '../../dist/transport/rawsocket/framing.js';
import { REALM } from './constants.mjs';
import { FrameReader } from './frame-reader.mjs';
import { Link, readBuffer } from './link.mjs';

export class RawSocketLink extends Link {
  /** Dials host:port and runs the RawSocket handshake (announcing 2^24 octets). */
  static open(host, port, serializer) {
    return new Promise((resolve, reject) => {
      let link;
      const socket = net.connect({
        host,
        port,
        onread: { buffer: readBuffer(), callback: (n, buf) => link.onRead(n, buf) },
      });
      link = new RawSocketLink(socket, serializer, resolve, reject);
      socket.once('error', reject);
      socket.write(encodeHandshake(serializer.rawSocketId, MAX_LENGTH_EXPONENT));
    });
  }

  #handshake = Buffer.alloc(HANDSHAKE_LENGTH);
  #handshakeHave = 0;
  #opened;
  #failed;
  #reader = new FrameReader((bytes, start, end) => this.onFrame(bytes, start, end));

  constructor(socket, serializer, opened, failed) {
    super(socket, serializer);
    this.#opened = opened;
    this.#failed = failed;
    socket.on('close', () => this.onClose());
  }

  onRead(n, buf) {
    let start = 0;
    if (this.#handshakeHave < HANDSHAKE_LENGTH) {
      while (this.#handshakeHave < HANDSHAKE_LENGTH && start < n) this.#handshake[this.#handshakeHave++] = buf[start++];
      if (this.#handshakeHave < HANDSHAKE_LENGTH) return;
      const reply = decodeRouterHandshake(this.#handshake);
      if (reply.kind !== 'accept') {
        this.socket.destroy();
        this.#failed(new Error(`RawSocket handshake refused: ${JSON.stringify(reply)}`));
        return;
      }
      this.socket.removeAllListeners('error');
      this.socket.on('error', () => {});
      this.#opened(this);
    }
    if (start === n) return;
    this.received();
    this.#reader.push(buf, start, n);
  }

  send(bytes) {
    this.socket.write(encodeFrame(FrameType.WAMP, bytes));
  }
}

export class WebSocketLink extends Link {
  /** Opens ws://host:port/ws with the serializer's subprotocol, no compression. */
  static open(host, port, serializer) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${host}:${port}/ws`, [serializer.subprotocol], { perMessageDeflate: false });
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        if (ws.protocol !== serializer.subprotocol) {
          ws.terminate();
          reject(new Error(`server chose subprotocol ${ws.protocol}`));
          return;
        }
        resolve(new WebSocketLink(ws, serializer));
      });
    });
  }

  constructor(ws, serializer) {
    super(ws._socket, serializer);
    this.ws = ws;
    this.sendOptions = { binary: serializer.binary };
    // ws emits messages synchronously while it parses a chunk: mark the turn before it does.
    this.socket.prependListener('data', () => this.received());
    ws.on('message', (data) => this.onFrame(data, 0, data.length));
    ws.on('close', () => this.onClose());
    ws.on('error', () => {});
  }

  send(bytes) {
    this.ws.send(bytes, this.sendOptions);
  }

  close() {
    this.ws.terminate();
  }
}

/** Opens a link of the given kind: 'rawsocket' (also the relay) or 'websocket'. */
export function openLink(kind, host, port, serializer) {
  return kind === 'websocket' ? WebSocketLink.open(host, port, serializer) : RawSocketLink.open(host, port, serializer);
}

// ---- set-up only (promises are fine here, never on the hot path) ----

/** Sends `message` and resolves with the next message received (decoded); rejects on ERROR/ABORT. */
export function request(link, message) {
  return new Promise((resolve, reject) => {
    link.onFrame = (bytes, start, end) => {
      link.onFrame = ignore;
      const reply = link.decode(bytes, start, end);
      if (reply[0] === MessageType.ERROR || reply[0] === MessageType.ABORT) {
        reject(new Error(`router refused ${JSON.stringify(message)}: ${JSON.stringify(reply)}`));
      } else {
        resolve(reply);
      }
    };
    link.sendMessage(message);
  });
}

function ignore() {}

/** HELLO → WELCOME in realm `bench` with the given roles; returns the session id. */
export async function join(link, roles) {
  const welcome = await request(link, [MessageType.HELLO, REALM, { roles }]);
  if (welcome[0] !== MessageType.WELCOME) throw new Error(`expected WELCOME, got ${JSON.stringify(welcome)}`);
  return welcome[1];
}
