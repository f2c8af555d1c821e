import { setDup, withPacketId } from './event-frames.js';

/**
 * The outbound QoS 1 messages of one MQTT session: at most `window` sent and not yet acknowledged
 * (in flight, by packet identifier), then at most `maxQueued` waiting for a slot, including while
 * the client is away (a persistent session). Past that, new messages are dropped and counted, as
 * Mosquitto's max_queued_messages does. After a reconnect the messages in flight are sent again
 * with DUP set, in their order, before any waiting one (section 4.4).
 */
export class OutboundQueue {
  readonly #maxQueued: number;
  #window: number;
  /** Packet id → the QoS 1 packet as sent; Map order is send order. */
  readonly #inflight = new Map<number, Buffer>();
  /** QoS 0 form of the waiting packets; `#head` is the first one not yet taken. */
  #waiting: Buffer[] = [];
  #head = 0;
  #nextId = 1;
  #dropped = 0;

  constructor(window: number, maxQueued: number) {
    this.#window = Math.max(1, window);
    this.#maxQueued = maxQueued;
  }

  /** The client's Receive Maximum (MQTT 5) lowers the window. */
  setWindow(window: number): void {
    this.#window = Math.max(1, window);
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  get waitingCount(): number {
    return this.#waiting.length - this.#head;
  }

  /** Messages dropped because the queue was full, since the last call. */
  takeDropped(): number {
    const n = this.#dropped;
    this.#dropped = 0;
    return n;
  }

  /**
   * Adds a message (a QoS 0 PUBLISH packet). Returns the QoS 1 packet to write now when the
   * client is connected and the window has room; undefined when it waits or was dropped.
   */
  push(packet: Buffer, connected: boolean): Buffer | undefined {
    if (connected && this.waitingCount === 0 && this.#inflight.size < this.#window) return this.#send(packet);
    if (this.waitingCount >= this.#maxQueued) {
      this.#dropped++;
      return undefined;
    }
    this.#waiting.push(packet);
    return undefined;
  }

  /** PUBACK: frees the identifier; false when nothing was in flight under it. */
  ack(packetId: number): boolean {
    return this.#inflight.delete(packetId);
  }

  /** Waiting messages that now fit in the window, as QoS 1 packets to write. */
  drain(): Buffer[] {
    const out: Buffer[] = [];
    while (this.waitingCount > 0 && this.#inflight.size < this.#window) out.push(this.#send(this.#take()));
    return out;
  }

  /** Every message in flight again, DUP set, in send order (after a reconnect). */
  redeliver(): Buffer[] {
    const out: Buffer[] = [];
    for (const packet of this.#inflight.values()) {
      setDup(packet);
      out.push(packet);
    }
    return out;
  }

  #send(packet: Buffer): Buffer {
    const id = this.#allocateId();
    const qos1 = withPacketId(packet, id);
    this.#inflight.set(id, qos1);
    return qos1;
  }

  #take(): Buffer {
    const packet = this.#waiting[this.#head]!;
    this.#waiting[this.#head++] = undefined as unknown as Buffer;
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    return packet;
  }

  /** The next identifier (1 to 65535) not in flight; the window is far below 65535. */
  #allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === 65_535 ? 1 : id + 1;
      if (!this.#inflight.has(id)) return id;
    }
  }
}
