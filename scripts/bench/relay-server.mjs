// Baseline: the ceiling for any Node router. A trivial TCP relay that pairs connections in the
// order they arrive (1st with 2nd, 3rd with 4th…) and forwards whole RawSocket-framed messages
// (4-octet prefix, 24-bit length) from each to its partner, unchanged: "caller" → relay → "callee"
// echo → relay → "caller" is two Node hops per direction, like a router, with no WAMP at all.
//
// It answers the 4-octet RawSocket handshake (once paired) so the bench's load client talks to it
// exactly as to the router. argv[2] = 'batch' (default, the baseline): writes are batched per
// event-loop turn by the router's own batcher (src/transport/write-batcher.ts: the first
// write to a socket in a turn corks it, one setImmediate uncorks every socket written to), so
// the relay does what the router does minus WAMP and is a real ceiling; 'frame': one
// socket.write — one syscall — per frame, as a straightforward router would (a second row, for
// what batching buys). Started with fork; reports { type: 'ready', port } over IPC; exits on
// { type: 'stop' }, SIGTERM/SIGINT or disconnect.
import net from 'node:net';
// The router's own write batcher (after npm run build, which the bench runs first).
import { batchWrites } from '../../dist/transport/write-batcher.js';

const HEADER = 4;
/** `batch` (default): one writev per socket and event-loop turn; `frame`: one write, hence one syscall, per frame. */
const MODE = process.argv[2] ?? 'batch';
if (MODE !== 'batch' && MODE !== 'frame') throw new Error(`relay-server: unknown mode ${MODE} (batch or frame)`);
const BATCH = MODE === 'batch';

class RelayEnd {
  /** @type {RelayEnd | undefined} */
  partner;
  /** @type {Buffer | undefined} bytes of an incomplete frame (or handshake) */
  rest;
  handshake;
  paired = false;

  constructor(socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.partner?.socket.destroy());
  }

  onData(chunk) {
    let data = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = undefined;
    if (this.handshake === undefined) {
      if (data.length < HEADER) {
        this.rest = data;
        return;
      }
      this.handshake = data.subarray(0, HEADER);
      data = data.subarray(HEADER);
      tryPair(this);
    }
    if (!this.paired) {
      if (data.length > 0) this.rest = data;
      return;
    }
    this.forward(data);
  }

  forward(data) {
    const out = this.partner.socket;
    let at = 0;
    while (data.length - at >= HEADER) {
      const end = at + HEADER + ((data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]);
      if (end > data.length) break;
      // Frame by frame, as a router sends each message it routes.
      if (BATCH) batchWrites(out);
      out.write(data.subarray(at, end));
      at = end;
    }
    if (at < data.length) this.rest = data.subarray(at);
  }
}

/** @type {RelayEnd | undefined} */
let waiting;

function tryPair(end) {
  if (waiting === undefined) {
    waiting = end;
    return;
  }
  const other = waiting;
  waiting = undefined;
  end.partner = other;
  other.partner = end;
  for (const side of [end, other]) {
    side.paired = true;
    // Accept: 0x7F, max length 2^24 (L=15), the serializer the client asked for.
    side.socket.write(Buffer.from([0x7f, 0xf0 | (side.handshake[1] & 0x0f), 0, 0]));
  }
  for (const side of [end, other]) {
    const pending = side.rest;
    side.rest = undefined;
    if (pending !== undefined) side.forward(pending);
  }
}

const server = net.createServer((socket) => {
  new RelayEnd(socket);
});

function stop() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
process.on('message', (message) => {
  if (message?.type === 'stop') stop();
});

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', port: server.address().port, pid: process.pid });
});
