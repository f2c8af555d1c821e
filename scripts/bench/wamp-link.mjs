// Lean WAMP connections for the load clients: our RawSocket framing/handshake and our
// serializers, or a `ws` WebSocket, with no Transport/parseMessage layer and no per-message
// promise. `onMessage(payload, now)` gets each raw message (decode it only if needed);
// `afterBurst(now)` runs once per event-loop turn in which the link received data (setImmediate).
// The socket stays corked from its first chunk until then, so everything sent from the handlers
// in one turn leaves in one syscall per socket: the load client pipelines.
import net from 'node:net';
import { WebSocket } from 'ws';
import {
  decodeRouterHandshake,
  encodeHandshake,
  HANDSHAKE_LENGTH,
  MAX_LENGTH_EXPONENT,
} from '../../dist/transport/rawsocket/handshake.js';
import { encodeFrame, FrameDecoder, FrameType } from '../../dist/transport/rawsocket/framing.js';
import { MessageType } from '../../dist/protocol/message-type.js';
import { REALM } from './constants.mjs';

function ignore() {}

/** Links that received data in this event-loop turn; flushed once, after the poll phase. */
const dirty = [];
let flushScheduled = false;

function flushDirty() {
  flushScheduled = false;
  const now = performance.now();
  for (let i = 0; i < dirty.length; i++) {
    const link = dirty[i];
    link.dirty = false;
    link.afterBurst(now);
    link.uncork();
  }
  dirty.length = 0;
}

export class Link {
  onMessage = ignore;
  afterBurst = ignore;
  onClose = ignore;
  /** Time (performance.now()) the current chunk arrived. */
  now = 0;
  dirty = false;

  constructor(serializer) {
    this.serializer = serializer;
  }

  decode(payload) {
    return this.serializer.decode(payload);
  }

  sendMessage(message) {
    this.send(this.serializer.encode(message));
  }

  /** Called as a chunk arrives: cork until this turn's flush. */
  received() {
    this.now = performance.now();
    if (this.dirty) return;
    this.dirty = true;
    this.cork();
    dirty.push(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushDirty);
    }
  }
}

export class RawSocketLink extends Link {
  /** Dials host:port, runs the RawSocket handshake (max length 2^24). */
  static open(host, port, serializer) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      let received = Buffer.alloc(0);
      const onData = (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < HANDSHAKE_LENGTH) return;
        socket.off('data', onData);
        socket.off('error', reject);
        const reply = decodeRouterHandshake(received);
        if (reply.kind !== 'accept') {
          socket.destroy();
          reject(new Error(`RawSocket handshake refused: ${JSON.stringify(reply)}`));
          return;
        }
        resolve(new RawSocketLink(socket, serializer, received.subarray(HANDSHAKE_LENGTH)));
      };
      socket.on('data', onData);
      socket.on('error', reject);
      socket.write(encodeHandshake(serializer.rawSocketId, MAX_LENGTH_EXPONENT));
    });
  }

  constructor(socket, serializer, head) {
    super(serializer);
    this.socket = socket;
    this.decoder = new FrameDecoder(
      { onFrame: (type, payload) => this.#onFrame(type, payload), onFrameError: (e) => socket.destroy(e) },
      2 ** 24,
    );
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', ignore);
    if (head.length > 0) this.#onData(head);
  }

  #onData(chunk) {
    this.received();
    this.decoder.push(chunk);
  }

  #onFrame(type, payload) {
    if (type === FrameType.WAMP) this.onMessage(payload, this.now);
  }

  send(bytes) {
    this.socket.write(encodeFrame(FrameType.WAMP, bytes));
  }

  cork() {
    this.socket.cork();
  }

  uncork() {
    this.socket.uncork();
  }

  close() {
    this.socket.destroy();
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
    super(serializer);
    this.ws = ws;
    this.sendOptions = { binary: serializer.binary };
    // ws emits messages synchronously while it parses a chunk: mark the turn before it does.
    const socket = ws._socket;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.prependListener('data', () => this.received());
    ws.on('message', (data) => this.onMessage(data, this.now));
    ws.on('close', () => this.onClose());
    ws.on('error', ignore);
  }

  send(bytes) {
    this.ws.send(bytes, this.sendOptions);
  }

  cork() {
    this.socket.cork();
  }

  uncork() {
    this.socket.uncork();
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
    link.onMessage = (payload) => {
      link.onMessage = ignore;
      const reply = link.decode(payload);
      if (reply[0] === MessageType.ERROR || reply[0] === MessageType.ABORT) {
        reject(new Error(`router refused ${JSON.stringify(message)}: ${JSON.stringify(reply)}`));
      } else {
        resolve(reply);
      }
    };
    link.sendMessage(message);
  });
}

/** HELLO → WELCOME in realm `bench` with the given roles; returns the session id. */
export async function join(link, roles) {
  const welcome = await request(link, [MessageType.HELLO, REALM, { roles }]);
  if (welcome[0] !== MessageType.WELCOME) throw new Error(`expected WELCOME, got ${JSON.stringify(welcome)}`);
  return welcome[1];
}
