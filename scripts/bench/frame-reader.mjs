// RawSocket frames (4-octet prefix: type, 24-bit length) read straight from a reused onread
// buffer: a frame inside one read is handed out in place (no copy, no view allocated); one split
// across reads is gathered into its own Buffer first. PING/PONG frames are skipped (a router
// never pings a client that did not ask).
const HEADER = 4;
const EMPTY = Buffer.alloc(0);

export class FrameReader {
  /** `onFrame(bytes, start, end)` for each WAMP frame. */
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.header = Buffer.alloc(HEADER);
    this.headerHave = 0;
    /** The frame being gathered across reads, its type, and how much of it is here. */
    this.partial = EMPTY;
    this.partialType = 0;
    this.partialHave = 0;
    this.gathering = false;
  }

  push(buf, start, end) {
    let i = start;
    while (i < end) {
      if (this.gathering) {
        const take = Math.min(this.partial.length - this.partialHave, end - i);
        buf.copy(this.partial, this.partialHave, i, i + take);
        this.partialHave += take;
        i += take;
        if (this.partialHave < this.partial.length) return;
        this.gathering = false;
        if (this.partialType === 0) this.onFrame(this.partial, 0, this.partial.length);
        continue;
      }
      let type;
      let length;
      if (this.headerHave === 0 && end - i >= HEADER) {
        type = buf[i] & 0x07;
        length = (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3];
        i += HEADER;
      } else {
        while (this.headerHave < HEADER && i < end) this.header[this.headerHave++] = buf[i++];
        if (this.headerHave < HEADER) return;
        this.headerHave = 0;
        type = this.header[0] & 0x07;
        length = (this.header[1] << 16) | (this.header[2] << 8) | this.header[3];
      }
      if (end - i >= length) {
        if (type === 0) this.onFrame(buf, i, i + length);
        i += length;
      } else {
        this.partial = Buffer.allocUnsafe(length);
        this.partialType = type;
        this.partialHave = 0;
        this.gathering = true;
      }
    }
  }
}

const OPCODE_CONTINUATION = 0x0;
const OPCODE_CLOSE = 0x8;

/**
 * WebSocket frames from a server (unmasked), read the same way: a frame inside one read is
 * handed out in place, one split across reads is gathered first. Data frames (text or binary)
 * go to `onFrame(bytes, start, end)`, control frames to `onControl(opcode, bytes, start, end)`.
 * Fragmented messages are refused: no WAMP server we load sends them for small messages.
 */
export class WebSocketFrameReader {
  constructor(onFrame, onControl, onError) {
    this.onFrame = onFrame;
    this.onControl = onControl;
    this.onError = onError;
    /** A header split across reads (at most 2 + 8 octets). */
    this.header = Buffer.alloc(10);
    this.headerHave = 0;
    this.partial = EMPTY;
    this.partialOpcode = 0;
    this.partialHave = 0;
    this.gathering = false;
    this.failed = false;
  }

  push(buf, start, end) {
    let i = start;
    while (i < end && !this.failed) {
      if (this.gathering) {
        const take = Math.min(this.partial.length - this.partialHave, end - i);
        buf.copy(this.partial, this.partialHave, i, i + take);
        this.partialHave += take;
        i += take;
        if (this.partialHave < this.partial.length) return;
        this.gathering = false;
        this.#deliver(this.partialOpcode, this.partial, 0, this.partial.length);
        continue;
      }
      let src = buf;
      let h = i;
      if (this.headerHave > 0 || end - i < 2 || end - i < headerLength(buf[i + 1])) {
        // Gather the header into this.header first.
        while (this.headerHave < 2 && i < end) this.header[this.headerHave++] = buf[i++];
        if (this.headerHave < 2) return;
        const need = headerLength(this.header[1]);
        while (this.headerHave < need && i < end) this.header[this.headerHave++] = buf[i++];
        if (this.headerHave < need) return;
        this.headerHave = 0;
        src = this.header;
        h = 0;
      } else {
        i += headerLength(buf[i + 1]);
      }
      const b0 = src[h];
      const b1 = src[h + 1];
      if ((b1 & 0x80) !== 0) return this.#fail('masked frame from the server');
      const opcode = b0 & 0x0f;
      if ((b0 & 0x80) === 0 || opcode === OPCODE_CONTINUATION) return this.#fail('fragmented message (not supported)');
      let length = b1 & 0x7f;
      if (length === 126) length = (src[h + 2] << 8) | src[h + 3];
      else if (length === 127) length = src.readUInt32BE(h + 2) * 0x100000000 + src.readUInt32BE(h + 6);
      if (end - i >= length) {
        this.#deliver(opcode, buf, i, i + length);
        i += length;
      } else {
        this.partial = Buffer.allocUnsafe(length);
        this.partialOpcode = opcode;
        this.partialHave = 0;
        this.gathering = true;
      }
    }
  }

  #deliver(opcode, bytes, start, end) {
    if (opcode < OPCODE_CLOSE) this.onFrame(bytes, start, end);
    else this.onControl(opcode, bytes, start, end);
  }

  #fail(why) {
    this.failed = true;
    this.onError(new Error(`WebSocket: ${why}`));
  }
}

/** Header octets of a server frame, from its second octet (no mask). */
function headerLength(b1) {
  const l = b1 & 0x7f;
  return l < 126 ? 2 : l === 126 ? 4 : 10;
}
