// What every load-client connection shares: handlers, and one write per connection per event-loop
// turn. Outbound frames are written straight into an append-only chunk (header, then payload from
// a template or serializer bytes); a chunk region, once handed to socket.write, is never written
// again, so nothing is copied twice and nothing is allocated per message. A link that received
// data or wrote a frame joins this turn's list; after the poll phase (setImmediate) each listed
// link runs `afterBurst(now)` and writes what it gathered in one socket.write: the load client
// pipelines, with one syscall per connection per turn.

function ignore() {}

const CHUNK_SIZE = 256 * 1024;

/** Links that received data or wrote in this turn. */
const dirty = [];
let flushScheduled = false;

function flushDirty() {
  flushScheduled = false;
  const now = performance.now();
  // afterBurst may write (and so list) more links: the loop picks them up.
  for (let i = 0; i < dirty.length; i++) {
    const link = dirty[i];
    link.afterBurst(now);
    link.dirty = false;
    link.flush();
  }
  dirty.length = 0;
}

export class Link {
  /** `onFrame(bytes, start, end)`: one message in bytes[start, end), valid only during the call. */
  onFrame = ignore;
  /** Once per turn in which this link received data or wrote, before its writes go out. */
  afterBurst = ignore;
  onClose = ignore;
  /** performance.now() when the data being handled arrived. */
  now = 0;
  dirty = false;
  #chunk = Buffer.allocUnsafe(CHUNK_SIZE);
  /** Written but not yet handed to the socket: #chunk[#start, #pos). */
  #start = 0;
  #pos = 0;

  /** `socket`: the net.Socket under this link; `serializer` for set-up messages and checks. */
  constructor(socket, serializer) {
    this.socket = socket;
    this.serializer = serializer;
    socket.setNoDelay(true);
  }

  /** Decodes a message handed to onFrame (the serializer copies what it keeps). */
  decode(bytes, start = 0, end = bytes.length) {
    return this.serializer.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }

  /** Set-up and samples: a message through the serializer. */
  sendMessage(message) {
    this.sendBytes(this.serializer.encode(message));
  }

  /** One frame holding `bytes`. */
  sendBytes(bytes) {
    const p = this.#reserveFrame(bytes.length);
    this.#chunk.set(bytes, p);
    this.#endFrame(p, p + bytes.length);
  }

  /** One frame holding `template` completed with `id` (see wire.mjs): no allocation. */
  sendTemplate(template, id) {
    const p = this.#reserveFrame(template.length(id));
    this.#endFrame(p, template.writeAt(this.#chunk, p, id));
  }

  /** Hands what this turn wrote to the socket (one write). */
  flush() {
    if (this.#pos === this.#start) return;
    this.socket.write(this.#chunk.subarray(this.#start, this.#pos));
    this.#start = this.#pos;
  }

  close() {
    this.socket.destroy();
  }

  /** Subclasses call this as data arrives, before handing out frames. */
  received() {
    this.now = performance.now();
    this.#list();
  }

  // ---- framing hooks (subclasses) ----

  /** Largest frame header for a payload of `length` octets. */
  headerLength(_length) {
    return 0;
  }

  /** Writes the header at buf[pos]; returns where the payload starts. */
  writeHeader(_buf, pos, _length) {
    return pos;
  }

  /** Finishes the payload in buf[start, end) in place (WebSocket client masking). */
  sealPayload(_buf, _start, _end) {}

  // ---- internals ----

  #reserveFrame(length) {
    const need = this.headerLength(length) + length;
    if (this.#pos + need > this.#chunk.length) {
      this.flush();
      this.#chunk = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, need));
      this.#start = 0;
      this.#pos = 0;
    }
    return this.writeHeader(this.#chunk, this.#pos, length);
  }

  #endFrame(payloadStart, end) {
    this.sealPayload(this.#chunk, payloadStart, end);
    this.#pos = end;
    this.#list();
  }

  #list() {
    if (this.dirty) return;
    this.dirty = true;
    dirty.push(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushDirty);
    }
  }
}

/** A reusable read buffer for net.connect({ onread }): no per-read allocation or stream events. */
export function readBuffer() {
  return Buffer.allocUnsafe(256 * 1024);
}
