// Byte-level WAMP for the load clients' hot path, so that a load client costs far less than the
// server it loads: outbound messages are templates (the bytes of a message with its request id
// cut out) completed with the id, and inbound ones are read only as far as [type, id, ...] plus a
// comparison of their last bytes (the payload) with the expected ones. Set-up messages and a
// sample of the hot-path ones go through the real serializers. Serializers: cbor, json, msgpack.

/** A message [type, id, ...rest] as bytes: prefix, the id, suffix. */
export class MessageTemplate {
  /** `serializer` encodes `[type, 0, ...rest]`; the 0 is cut out. */
  constructor(serializer, type, rest) {
    this.serializer = serializer;
    this.codec = CODECS[serializer.name];
    const bytes = Buffer.from(serializer.encode([type, 0, ...rest]));
    const at = this.codec.prefixLength(type);
    if (bytes[at] !== this.codec.zero) throw new Error(`unexpected ${serializer.name} encoding of [${type}, 0, …]`);
    this.prefix = bytes.subarray(0, at);
    this.suffix = bytes.subarray(at + 1);
    this.fixedLength = this.prefix.length + this.suffix.length;
    for (const id of [1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      const out = Buffer.alloc(this.length(id));
      this.writeAt(out, 0, id);
      const back = serializer.decode(out);
      if (back[0] !== type || back[1] !== id || back.length !== rest.length + 2) {
        throw new Error(`${serializer.name} template of [${type}, …] broken for id ${id}`);
      }
    }
  }

  /** Payload length with this id. */
  length(id) {
    return this.fixedLength + this.codec.idLength(id);
  }

  /** Writes the message with `id` at `pos` (room for length(id) bytes); returns the end. */
  writeAt(buf, pos, id) {
    buf.set(this.prefix, pos);
    pos = this.codec.writeId(buf, pos + this.prefix.length, id);
    buf.set(this.suffix, pos);
    return pos + this.suffix.length;
  }
}

/**
 * What `readHead` found: the message type and its second element (a request id) when it is an
 * unsigned integer (-1 otherwise). One shared object: read it before the next call.
 */
export const head = { type: -1, id: -1 };

/** Reads [type, id, ...] of the message in bytes[start, end); returns head.type (-1: not one). */
export function readHead(codec, bytes, start, end) {
  head.type = -1;
  head.id = -1;
  return codec.readHead(bytes, start, end);
}

/** Whether bytes[start, end) ends with `tail`. */
export function endsWith(bytes, start, end, tail) {
  return end - start >= tail.length && bytes.compare(tail, 0, tail.length, end - tail.length, end) === 0;
}

/** The last bytes of any message whose last element is `args` (an array), as `serializer` writes it. */
export function argsTail(serializer, args) {
  if (serializer.name === 'json') return Buffer.from(`${JSON.stringify(args)}]`);
  // CBOR and MessagePack arrays have definite lengths: the message ends with the element itself.
  return Buffer.from(serializer.encode(args));
}

// ---- per-format integer codecs ----

/**
 * CBOR and MessagePack encode an unsigned integer alike: values below `inlineEnd` are one byte,
 * larger ones a marker byte (`u8`, u8+1, u8+2, u8+3 for 1, 2, 4, 8 bytes) and the big-endian
 * value; a short definite array is one byte in [arrayFirst, arrayLast] (2..15 or 2..23 elements).
 */
function binaryCodec({ inlineEnd, u8, arrayFirst, arrayLast }) {
  const u16 = u8 + 1;
  const u32 = u8 + 2;
  const u64 = u8 + 3;
  /** Position after the integer readUint last read. */
  let next = 0;

  function uintLength(v) {
    return v < inlineEnd ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000 ? 5 : 9;
  }

  /** An unsigned integer at b[i]; -1 when it is not one. Sets `next` past it. */
  function readUint(b, i, end) {
    if (i >= end) return -1;
    const ib = b[i];
    if (ib < inlineEnd) {
      next = i + 1;
      return ib;
    }
    switch (ib) {
      case u8:
        next = i + 2;
        return next <= end ? b[i + 1] : -1;
      case u16:
        next = i + 3;
        return next <= end ? (b[i + 1] << 8) | b[i + 2] : -1;
      case u32:
        next = i + 5;
        return next <= end ? b.readUInt32BE(i + 1) : -1;
      case u64:
        next = i + 9;
        return next <= end ? b.readUInt32BE(i + 1) * 0x100000000 + b.readUInt32BE(i + 5) : -1;
      default:
        return -1;
    }
  }

  return {
    zero: 0x00,
    prefixLength: (type) => 1 + uintLength(type),
    idLength: uintLength,
    writeId(buf, pos, v) {
      if (v < inlineEnd) buf[pos++] = v;
      else if (v < 0x100) {
        buf[pos++] = u8;
        buf[pos++] = v;
      } else if (v < 0x10000) {
        buf[pos++] = u16;
        buf[pos++] = v >>> 8;
        buf[pos++] = v & 0xff;
      } else if (v < 0x100000000) {
        buf[pos++] = u32;
        buf.writeUInt32BE(v, pos);
        pos += 4;
      } else {
        buf[pos++] = u64;
        buf.writeUInt32BE(Math.floor(v / 0x100000000), pos);
        buf.writeUInt32BE(v >>> 0, pos + 4);
        pos += 8;
      }
      return pos;
    },
    readHead(b, i, end) {
      if (end - i < 3) return -1;
      const a = b[i++];
      if (a < arrayFirst || a > arrayLast) return -1;
      const type = readUint(b, i, end);
      if (type < 0) return -1;
      head.type = type;
      head.id = readUint(b, next, end);
      return type;
    },
  };
}

const cbor = binaryCodec({ inlineEnd: 24, u8: 0x18, arrayFirst: 0x82, arrayLast: 0x97 });
const msgpack = binaryCodec({ inlineEnd: 0x80, u8: 0xcc, arrayFirst: 0x92, arrayLast: 0x9f });

const COMMA = 0x2c;
const ZERO = 0x30;

const json = {
  zero: ZERO,
  prefixLength: (type) => `[${type},`.length,
  idLength(v) {
    let n = 1;
    while (v >= 10) {
      v = Math.floor(v / 10);
      n++;
    }
    return n;
  },
  writeId(buf, pos, v) {
    const n = json.idLength(v);
    for (let p = pos + n - 1; p >= pos; p--) {
      const q = Math.floor(v / 10);
      buf[p] = ZERO + (v - q * 10);
      v = q;
    }
    return pos + n;
  },
  readHead(b, i, end) {
    // Our router writes JSON without whitespace: `[type,id,`.
    if (end - i < 4 || b[i++] !== 0x5b) return -1;
    const type = readJsonUint(b, i, end);
    if (type < 0 || b[jsonNext] !== COMMA) return -1;
    head.type = type;
    const id = readJsonUint(b, jsonNext + 1, end);
    head.id = id >= 0 && (b[jsonNext] === COMMA || b[jsonNext] === 0x5d) ? id : -1;
    return type;
  },
};

let jsonNext = 0;

function readJsonUint(b, i, end) {
  let v = 0;
  const start = i;
  while (i < end) {
    const d = b[i] - ZERO;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  jsonNext = i;
  return i === start ? -1 : v;
}

export const CODECS = { cbor, msgpack, json };
