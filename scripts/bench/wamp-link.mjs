// Lean WAMP connections for the load clients, over RawSocket or WebSocket, built on our RawSocket
// handshake and our serializers but on no Transport, no `ws` and no parseMessage: reads go into a
// reused buffer (net onread) and frames are handed out in place; writes go through link.mjs (one
// socket.write per turn). The WebSocket side is a minimal RFC 6455 client: HTTP/1.1 upgrade,
// masked frames out (one random mask per process, XORed in place), unmasked frames in.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { MessageType } from '../../dist/protocol/message-type.js';
import {
  decodeRouterHandshake,
  encodeHandshake,
  HANDSHAKE_LENGTH,
  MAX_LENGTH_EXPONENT,
} from '../../dist/transport/rawsocket/handshake.js';
import { REALM } from './constants.mjs';
import { FrameReader, WebSocketFrameReader } from './frame-reader.mjs';
import { Link, readBuffer } from './link.mjs';
import { CODECS } from './wire.mjs';

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
    this.codec = CODECS[serializer.name];
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

  headerLength() {
    return 4;
  }

  writeHeader(buf, pos, length) {
    buf[pos] = 0; // WAMP message frame
    buf[pos + 1] = length >>> 16;
    buf[pos + 2] = (length >>> 8) & 0xff;
    buf[pos + 3] = length & 0xff;
    return pos + 4;
  }
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The masking key of every frame this process sends (RFC 6455 wants one per frame; servers cannot tell). */
const MASK = randomBytes(4);
const HTTP_END = Buffer.from('\r\n\r\n');

export class WebSocketLink extends Link {
  /** Opens ws://host:port/ws offering the serializer's subprotocol (no extensions). */
  static open(host, port, serializer, path = '/ws') {
    return new Promise((resolve, reject) => {
      let link;
      const socket = net.connect({
        host,
        port,
        onread: { buffer: readBuffer(), callback: (n, buf) => link.onRead(n, buf) },
      });
      const key = randomBytes(16).toString('base64');
      link = new WebSocketLink(socket, serializer, key, resolve, reject);
      socket.once('error', reject);
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${serializer.subprotocol}\r\n\r\n`,
      );
    });
  }

  /** The HTTP response while the upgrade is under way; null once open. */
  #response = Buffer.alloc(0);
  #key;
  #opened;
  #failed;
  #opcode;
  #reader;

  constructor(socket, serializer, key, opened, failed) {
    super(socket, serializer);
    this.codec = CODECS[serializer.name];
    this.#key = key;
    this.#opened = opened;
    this.#failed = failed;
    this.#opcode = serializer.binary ? 0x2 : 0x1;
    this.#reader = new WebSocketFrameReader(
      (bytes, start, end) => this.onFrame(bytes, start, end),
      (opcode, bytes, start, end) => this.#onControl(opcode, bytes, start, end),
      (error) => {
        // A framing error: the link closes, and says why.
        this.closeError = error;
        this.socket.destroy();
      },
    );
    socket.on('close', () => this.onClose(this.closeError));
  }

  /** Why the link closed, when it was a WebSocket framing error. */
  closeError = undefined;

  onRead(n, buf) {
    if (this.#response !== null) {
      this.#response = Buffer.concat([this.#response, buf.subarray(0, n)]);
      const at = this.#response.indexOf(HTTP_END);
      if (at < 0) return;
      const rest = this.#response.subarray(at + HTTP_END.length);
      const error = this.#checkResponse(this.#response.subarray(0, at).toString('latin1'));
      this.#response = null;
      if (error !== undefined) {
        this.socket.destroy();
        this.#failed(new Error(`WebSocket upgrade refused: ${error}`));
        return;
      }
      this.socket.removeAllListeners('error');
      this.socket.on('error', () => {});
      this.#opened(this);
      if (rest.length === 0) return;
      this.received();
      this.#reader.push(rest, 0, rest.length);
      return;
    }
    this.received();
    this.#reader.push(buf, 0, n);
  }

  headerLength(length) {
    return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + 4;
  }

  writeHeader(buf, pos, length) {
    buf[pos++] = 0x80 | this.#opcode; // FIN
    if (length < 126) {
      buf[pos++] = 0x80 | length;
    } else if (length < 0x10000) {
      buf[pos++] = 0x80 | 126;
      buf[pos++] = length >>> 8;
      buf[pos++] = length & 0xff;
    } else {
      buf[pos++] = 0x80 | 127;
      buf.writeUInt32BE(Math.floor(length / 0x100000000), pos);
      buf.writeUInt32BE(length >>> 0, pos + 4);
      pos += 8;
    }
    buf[pos++] = MASK[0];
    buf[pos++] = MASK[1];
    buf[pos++] = MASK[2];
    buf[pos++] = MASK[3];
    return pos;
  }

  sealPayload(buf, start, end) {
    const m0 = MASK[0];
    const m1 = MASK[1];
    const m2 = MASK[2];
    const m3 = MASK[3];
    let i = start;
    for (; i + 4 <= end; i += 4) {
      buf[i] ^= m0;
      buf[i + 1] ^= m1;
      buf[i + 2] ^= m2;
      buf[i + 3] ^= m3;
    }
    for (let k = 0; i < end; i++, k++) buf[i] ^= MASK[k];
  }

  #checkResponse(text) {
    const [status, ...lines] = text.split('\r\n');
    if (!/^HTTP\/1\.1 101 /.test(status)) return status;
    const headers = new Map(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    const accept = createHash('sha1').update(this.#key + WS_GUID).digest('base64');
    if (headers.get('sec-websocket-accept') !== accept) return 'wrong Sec-WebSocket-Accept';
    if (headers.get('sec-websocket-protocol') !== this.serializer.subprotocol) {
      return `server chose subprotocol ${headers.get('sec-websocket-protocol')}`;
    }
    if (headers.has('sec-websocket-extensions')) return 'server asked for extensions';
    return undefined;
  }

  #onControl(opcode, bytes, start, end) {
    if (opcode === 0x9) {
      // PING → PONG with the same payload.
      const saved = this.#opcode;
      this.#opcode = 0xa;
      this.sendBytes(bytes.subarray(start, end));
      this.#opcode = saved;
    } else if (opcode === 0x8) {
      this.socket.end();
    }
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

/** A frame for an error message: decoded if it decodes, else its length. */
export function describeFrame(link, bytes, start, end) {
  try {
    return JSON.stringify(link.decode(bytes, start, end));
  } catch {
    return `${end - start} undecodable octets`;
  }
}

/** HELLO → WELCOME in realm `bench` with the given roles; returns the session id. */
export async function join(link, roles) {
  const welcome = await request(link, [MessageType.HELLO, REALM, { roles }]);
  if (welcome[0] !== MessageType.WELCOME) throw new Error(`expected WELCOME, got ${JSON.stringify(welcome)}`);
  return welcome[1];
}
