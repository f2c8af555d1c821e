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
