/**
 * The output buffer shared by the CBOR and MessagePack encoders. Messages are written one after
 * another into a pooled chunk and handed out as views of it, so encoding allocates nothing but
 * the view (the technique msgpackr uses). A chunk is never written again once a view of it has
 * been handed out; a full chunk is simply replaced.
 */
const CHUNK_SIZE = 64 * 1024;
/** Start a fresh chunk when less than this is left, rather than growing mid-message. */
const MIN_ROOM = 2048;
/** Strings longer than this go through TextEncoder.encodeInto; shorter ones are copied by hand. */
const LONG_STRING = 48;

const textEncoder = new TextEncoder();

export class ByteWriter {
  #buf = new Uint8Array(CHUNK_SIZE);
  #view = new DataView(this.#buf.buffer);
  /** Where the message being written starts. */
  #start = 0;
  #pos = 0;

  /** Starts a message; anything left over from an encode that threw is discarded. */
  begin(): void {
    if (this.#buf.length - this.#start < MIN_ROOM) this.#replace(CHUNK_SIZE, 0);
    this.#pos = this.#start;
  }

  /** Ends the message and returns it. */
  finish(): Uint8Array {
    const out = this.#buf.subarray(this.#start, this.#pos);
    this.#start = this.#pos;
    return out;
  }

  get pos(): number {
    return this.#pos;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.#pos + n > this.#buf.length) this.#grow(n);
  }

  u8(b: number): void {
    if (this.#pos >= this.#buf.length) this.#grow(1);
    this.#buf[this.#pos++] = b;
  }

  /** A type byte followed by a big-endian uint8. */
  u8u8(type: number, v: number): void {
    this.reserve(2);
    this.#buf[this.#pos++] = type;
    this.#buf[this.#pos++] = v;
  }

  /** A type byte followed by a big-endian uint16. */
  u8u16(type: number, v: number): void {
    this.reserve(3);
    this.#buf[this.#pos++] = type;
    this.#view.setUint16(this.#pos, v);
    this.#pos += 2;
  }

  /** A type byte followed by a big-endian uint32. */
  u8u32(type: number, v: number): void {
    this.reserve(5);
    this.#buf[this.#pos++] = type;
    this.#view.setUint32(this.#pos, v);
    this.#pos += 4;
  }

  /** A type byte followed by a big-endian uint64 given as a non-negative integer number <= 2^53. */
  u8u64(type: number, v: number): void {
    this.reserve(9);
    this.#buf[this.#pos++] = type;
    this.#view.setUint32(this.#pos, Math.floor(v / 0x1_0000_0000));
    this.#view.setUint32(this.#pos + 4, v >>> 0);
    this.#pos += 8;
  }

  /** A type byte followed by a big-endian uint64 given as a bigint in [0, 2^64). */
  u8big64(type: number, v: bigint): void {
    this.reserve(9);
    this.#buf[this.#pos++] = type;
    this.#view.setBigUint64(this.#pos, v);
    this.#pos += 8;
  }

  /** A type byte followed by a big-endian IEEE 754 double. */
  u8f64(type: number, v: number): void {
    this.reserve(9);
    this.#buf[this.#pos++] = type;
    this.#view.setFloat64(this.#pos, v);
    this.#pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  /**
   * Writes `s` as UTF-8 `headerSize` bytes past the current position, leaving the header gap for
   * the caller, and returns the byte length. The caller has reserved `headerSize + 3 * s.length`.
   * Lone surrogates become U+FFFD, as with TextEncoder.
   */
  utf8After(headerSize: number, s: string): number {
    const buf = this.#buf;
    const at = this.#pos + headerSize;
    const len = s.length;
    if (len > LONG_STRING) return textEncoder.encodeInto(s, buf.subarray(at)).written;
    let p = at;
    for (let i = 0; i < len; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
        continue;
      }
      if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = i + 1 < len ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            buf[p++] = 0xf0 | (c >> 18);
            buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          } else {
            c = 0xfffd;
            buf[p++] = 0xe0 | (c >> 12);
          }
        } else {
          buf[p++] = 0xe0 | (c >> 12);
        }
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      }
      buf[p++] = 0x80 | (c & 0x3f);
    }
    return p - at;
  }

  /**
   * After utf8After: moves the `length` string bytes left when the header turned out shorter
   * than the gap left for it.
   */
  closeGap(reserved: number, needed: number, length: number): void {
    if (needed === reserved) return;
    const from = this.#pos + reserved;
    this.#buf.copyWithin(this.#pos + needed, from, from + length);
  }

  /** Advances past bytes written directly (a string body). */
  skip(n: number): void {
    this.#pos += n;
  }

  #grow(n: number): void {
    const used = this.#pos - this.#start;
    this.#replace(Math.max(CHUNK_SIZE, (used + n) * 2), used);
  }

  /** Moves to a fresh chunk, carrying over the `used` bytes of the message being written. */
  #replace(size: number, used: number): void {
    const next = new Uint8Array(size);
    if (used > 0) next.set(this.#buf.subarray(this.#start, this.#start + used));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
    this.#start = 0;
    this.#pos = used;
  }
}
