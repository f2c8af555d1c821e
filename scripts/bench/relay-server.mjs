// Baseline: the ceiling for any Node router. A trivial TCP relay that pairs connections in the
// order they arrive (1st with 2nd, 3rd with 4th…) and forwards whole RawSocket-framed messages
// (4-octet prefix, 24-bit length) from each to its partner, unchanged: "caller" → relay → "callee"
// echo → relay → "caller" is two Node hops per direction, like a router, with no WAMP at all.
//
// It answers the 4-octet RawSocket handshake (once paired) so the bench's load client talks to it
// exactly as to the router. argv[2] = 'frame' (default, the baseline): one socket.write — one
// syscall — per frame, as a straightforward router does; 'cork': the frames of each inbound
// chunk are written under cork/uncork, one syscall per burst (informational: what batching buys).
// Started with fork; reports { type: 'ready', port } over IPC; exits on { type: 'stop' },
// SIGTERM/SIGINT or disconnect.
import net from 'node:net';

const HEADER = 4;
/** `cork`: one syscall per inbound burst; `frame` (default): one write, hence one syscall, per frame. */
const CORK = process.argv[2] === 'cork';

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
    if (CORK) out.cork();
    while (data.length - at >= HEADER) {
      const end = at + HEADER + ((data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]);
      if (end > data.length) break;
      out.write(data.subarray(at, end));
      at = end;
    }
    if (CORK) out.uncork();
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
