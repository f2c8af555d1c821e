// What every load-client connection shares: handlers, and writes batched per event-loop turn.
// A link that receives data corks its socket and joins this turn's list; after the poll phase
// (setImmediate) each listed link runs `afterBurst(now)` and uncorks, so everything its
// handlers sent in the turn leaves in one writev: the load client pipelines.

function ignore() {}

/** Links that received data in this turn. */
const dirty = [];
let flushScheduled = false;

function flushDirty() {
  flushScheduled = false;
  const now = performance.now();
  for (let i = 0; i < dirty.length; i++) {
    const link = dirty[i];
    link.dirty = false;
    link.afterBurst(now);
    link.socket.uncork();
  }
  dirty.length = 0;
}

export class Link {
  /** `onFrame(bytes, start, end)`: one message in bytes[start, end), valid only during the call. */
  onFrame = ignore;
  /** Once per turn in which this link received data, after every onFrame of the turn. */
  afterBurst = ignore;
  onClose = ignore;
  /** performance.now() when the data being handled arrived. */
  now = 0;
  dirty = false;

  /** `socket`: the net.Socket under this link (corked while the turn's frames are handled). */
  constructor(socket, serializer) {
    this.socket = socket;
    this.serializer = serializer;
    socket.setNoDelay(true);
  }

  /** Decodes a message handed to onFrame (the serializer copies what it keeps). */
  decode(bytes, start = 0, end = bytes.length) {
    return this.serializer.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }

  sendMessage(message) {
    this.send(this.serializer.encode(message));
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

  /** Subclasses call this as data arrives, before handing out frames. */
  received() {
    this.now = performance.now();
    if (this.dirty) return;
    this.dirty = true;
    this.socket.cork();
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
