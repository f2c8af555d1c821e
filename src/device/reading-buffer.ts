import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { BufferFile, doneRecord, readingRecord, seqRecord } from './buffer-file.js';
import type { BufferedReading, Reading } from './reading.js';

export interface ReadingBufferOptions {
  /** Readings kept at most; beyond it the oldest are dropped. */
  max: number;
  /** Keep the buffer in `file`, writing at most once per `flushMs`. */
  persist?: { file: string; flushMs: number };
  clock: Clock;
  logger: Logger;
}

/** Drops are logged at most this often, so a long outage does not flood the journal. */
const DROP_LOG_INTERVAL = 60_000;

interface Node {
  reading: BufferedReading;
  inFlight: boolean;
  prev: Node | undefined;
  next: Node | undefined;
}

/**
 * Store-and-forward for readings bound upstream. A reading stays until the router acked or
 * rejected it; a lost session puts the in-flight ones back (at-least-once delivery).
 *
 * The kept readings are a linked list in id order plus a Map by id, so push, take, ack and drop
 * are O(1) however full the buffer is. In-flight readings are always a prefix of the list (take
 * hands out the oldest waiting ones, requeue clears them all), so `#cursor`, the first waiting
 * node, is the whole queue state.
 *
 * With `persist`, changes are only noted in memory; the first change after a write arms one
 * timer and its firing does one append (or one compaction), so the SD card sees at most one
 * write per `flushMs` and a reading is on disk within 2 × flushMs.
 */
export class ReadingBuffer {
  readonly #max: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #file: BufferFile | undefined;
  readonly #flushMs: number;
  #nodes = new Map<number, Node>();
  #head: Node | undefined;
  #tail: Node | undefined;
  #cursor: Node | undefined;
  #inFlight = 0;
  #nextId = 1;
  #lastSeq = new Map<string, number>();
  #dropped = 0;
  #rejected = 0;
  #dropsUnlogged = 0;
  #dropLoggedAt: number | undefined;
  #dropTimer: TimerHandle | undefined;
  // Persistence state: what the file does not know yet.
  #unwritten = new Set<number>();
  #done: number[] = [];
  #seqTouched = new Set<string>();
  #seqOnDisk = new Map<string, number>();
  #compactNext = false;
  #flushTimer: TimerHandle | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: ReadingBufferOptions) {
    this.#max = options.max;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#file = options.persist && new BufferFile(options.persist.file);
    this.#flushMs = options.persist?.flushMs ?? 0;
  }

  static async open(options: ReadingBufferOptions): Promise<ReadingBuffer> {
    const buffer = new ReadingBuffer(options);
    if (buffer.#file === undefined) return buffer;
    const loaded = await buffer.#file.load();
    if (loaded.damaged > 0) options.logger.warn(`skipped ${loaded.damaged} damaged records`, { file: buffer.#file.path });
    buffer.#nextId = loaded.nextId;
    buffer.#lastSeq = loaded.lastSeq;
    buffer.#seqOnDisk = new Map(loaded.lastSeq);
    for (const reading of loaded.readings) buffer.#insert(reading);
    if (loaded.readings.length > 0) options.logger.info('restored buffered readings', { count: loaded.readings.length });
    // A lowered `max` takes effect at once.
    while (buffer.#nodes.size > buffer.#max) buffer.#dropOldest();
    return buffer;
  }

  get size(): number {
    return this.#nodes.size;
  }
  get inFlight(): number {
    return this.#inFlight;
  }
  get dropped(): number {
    return this.#dropped;
  }
  get rejected(): number {
    return this.#rejected;
  }

  /** The next seq for `sensor` (1 for the first), remembered so it continues after a restart. */
  nextSeq(sensor: string): number {
    const seq = (this.#lastSeq.get(sensor) ?? 0) + 1;
    this.#lastSeq.set(sensor, seq);
    this.#touchSeq(sensor);
    return seq;
  }

  /**
   * Keeps a reading. The device passes its sample and the seq nextSeq gave it, so the buffered
   * copy is the only object made per reading.
   */
  push(reading: Reading): BufferedReading;
  push(sample: Omit<Reading, 'seq'>, seq: number): BufferedReading;
  push(reading: Omit<Reading, 'seq'> & { seq?: number }, seq = reading.seq!): BufferedReading {
    while (this.#nodes.size >= this.#max && this.#nodes.size > 0) this.#dropOldest();
    // Built field by field: no spread on the hot path; `unit` only when there is one.
    const buffered: BufferedReading = { id: this.#nextId++, sensor: reading.sensor, value: reading.value, ts: reading.ts, seq };
    if (reading.unit !== undefined) buffered.unit = reading.unit;
    this.#insert(buffered);
    if (this.#file !== undefined) {
      this.#unwritten.add(buffered.id);
      this.#changed();
    }
    // A seq from nextSeq is already counted (and noted for the file); only a higher one is news.
    if (seq > (this.#lastSeq.get(reading.sensor) ?? 0)) {
      this.#lastSeq.set(reading.sensor, seq);
      this.#touchSeq(reading.sensor);
    }
    return buffered;
  }

  /** Hands out up to `limit` of the oldest readings not yet handed out, marking them in flight. */
  take(limit: number): BufferedReading[] {
    const out: BufferedReading[] = [];
    while (out.length < limit && this.#cursor !== undefined) {
      this.#cursor.inFlight = true;
      this.#inFlight++;
      out.push(this.#cursor.reading);
      this.#cursor = this.#cursor.next;
    }
    return out;
  }

  ack(id: number): void {
    this.#remove(id);
  }

  /** The router refused it: dropped so one bad reading never blocks the queue. */
  reject(id: number): void {
    if (this.#remove(id)) this.#rejected++;
  }

  /** The session is lost: every in-flight reading waits again, ahead of newer ones. */
  requeue(): void {
    for (let node = this.#head; node !== undefined && node.inFlight; node = node.next) node.inFlight = false;
    this.#inFlight = 0;
    this.#cursor = this.#head;
  }

  /** Writes what the file does not know yet, now (chained after a write under way). */
  flush(): Promise<void> {
    if (this.#flushTimer !== undefined) this.#clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const run = this.#writing.then(() => this.#write());
    this.#writing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#dropTimer !== undefined) this.#clock.clearTimeout(this.#dropTimer);
    this.#dropTimer = undefined;
    this.#logDrops();
    await this.flush();
  }

  *#live(): Generator<BufferedReading> {
    for (let node = this.#head; node !== undefined; node = node.next) yield node.reading;
  }

  #insert(reading: BufferedReading): void {
    const node: Node = { reading, inFlight: false, prev: this.#tail, next: undefined };
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.#cursor ??= node;
    this.#nodes.set(reading.id, node);
  }

  /** Unlinks a kept reading and notes it for the file; false for an unknown id. */
  #remove(id: number): boolean {
    const node = this.#nodes.get(id);
    if (node === undefined) return false;
    this.#nodes.delete(id);
    if (node.prev === undefined) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev;
    else node.next.prev = node.prev;
    if (this.#cursor === node) this.#cursor = node.next;
    if (node.inFlight) this.#inFlight--;
    if (this.#file !== undefined) {
      // Never written: forgetting it is enough (its seq is kept through #seqTouched).
      if (!this.#unwritten.delete(id)) this.#done.push(id);
      this.#changed();
    }
    return true;
  }

  /** Drops the oldest waiting reading, or the oldest in flight when all are. */
  #dropOldest(): void {
    const victim = this.#cursor ?? this.#head;
    if (victim === undefined) return;
    this.#remove(victim.reading.id);
    this.#dropped++;
    this.#dropsUnlogged++;
    if (this.#dropTimer !== undefined) return;
    const since = this.#dropLoggedAt === undefined ? Infinity : this.#clock.now() - this.#dropLoggedAt;
    if (since >= DROP_LOG_INTERVAL) this.#logDrops();
    else if (!this.#closed) {
      this.#dropTimer = this.#clock.setTimeout(() => {
        this.#dropTimer = undefined;
        this.#logDrops();
      }, DROP_LOG_INTERVAL - since);
    }
  }

  #logDrops(): void {
    if (this.#dropsUnlogged === 0) return;
    this.#logger.warn('buffer full: dropped oldest readings', { dropped: this.#dropsUnlogged, max: this.#max });
    this.#dropsUnlogged = 0;
    this.#dropLoggedAt = this.#clock.now();
  }

  #touchSeq(sensor: string): void {
    if (this.#file === undefined) return;
    this.#seqTouched.add(sensor);
    this.#changed();
  }

  /** Arms the one flush timer for the changes since the last write. */
  #changed(): void {
    if (this.#flushTimer !== undefined || this.#closed) return;
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushTimer = undefined;
      this.flush().catch((error: unknown) => this.#logger.error('buffer write failed', { error: String(error) }));
    }, this.#flushMs);
  }

  /** One append, or one compaction when the file holds too many dead records. */
  async #write(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    const lines: string[] = [];
    for (const id of this.#unwritten) {
      const reading = this.#nodes.get(id)!.reading;
      lines.push(readingRecord(reading));
      if (reading.seq > (this.#seqOnDisk.get(reading.sensor) ?? 0)) this.#seqOnDisk.set(reading.sensor, reading.seq);
    }
    const seqs: [string, number][] = [];
    for (const sensor of this.#seqTouched) {
      const seq = this.#lastSeq.get(sensor) ?? 0;
      if (seq > (this.#seqOnDisk.get(sensor) ?? 0)) seqs.push([sensor, seq]);
      this.#seqOnDisk.set(sensor, seq);
    }
    if (seqs.length > 0) lines.push(seqRecord(seqs));
    if (this.#done.length > 0) lines.push(doneRecord(this.#done));
    const compact = this.#compactNext || (lines.length > 0 && file.shouldCompact(this.#nodes.size, lines.length));
    this.#unwritten.clear();
    this.#seqTouched.clear();
    this.#done = [];
    this.#compactNext = false;
    try {
      if (compact) {
        // A snapshot: readings pushed or removed while the write runs are the next write's business.
        const live = [...this.#live()];
        // Writes run one at a time, so the file's copy of the seqs can be this very snapshot.
        this.#seqOnDisk = new Map(this.#lastSeq);
        await file.compact(live, this.#seqOnDisk);
      } else if (lines.length > 0) await file.append(lines);
    } catch (error) {
      // What the file holds is unknown now: the next write rewrites it whole from memory.
      this.#compactNext = true;
      this.#changed();
      throw error;
    }
  }
}
