import { createReadStream } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { BufferedReading } from './reading.js';

/**
 * The offline buffer's disk store: one append-only file of records, one per line,
 * `<crc32 of the JSON as 8 lowercase hex> <JSON>\n`. Appending (instead of rewriting) keeps the
 * SD card's write volume proportional to the traffic; the checksum lets a torn write at power loss
 * be told apart from a good record. Record kinds:
 *   {"r":[id,sensor,value,ts,seq,unit?]}  a reading
 *   {"d":[id,...]}                        readings gone (acked, rejected or dropped)
 *   {"s":{"sensor":seq,...}}              the last seq per sensor, so seq survives a buffer
 *                                         whose every reading was acked and compacted away
 *
 * Compaction rule: the file is rewritten (live readings + one `s` record) when the records that
 * no longer describe a live reading (done readings, `d`/`s` records, damaged lines) would exceed
 * max(1000, 2 × live). The floor keeps small buffers from rewriting on every flush; the factor
 * bounds the file to about 3 × the live data and makes the rewrite amortised O(1) per record.
 */

/** What `load()` found. */
export interface LoadedBuffer {
  /** The readings not yet done, in id order. */
  readings: BufferedReading[];
  /** The highest seq seen per sensor (`s` records and every reading record). */
  lastSeq: Map<string, number>;
  /** The id the next reading gets: one above every id in the file. */
  nextId: number;
  /** Lines skipped for a bad checksum or bad content: the caller logs them. */
  damaged: number;
}

const COMPACT_FLOOR = 1000;
/** Records per write call while compacting, so a big buffer is never one huge string. */
const CHUNK = 4096;

export function readingRecord(r: BufferedReading): string {
  const fields: unknown[] = [r.id, r.sensor, r.value, r.ts, r.seq];
  if (r.unit !== undefined) fields.push(r.unit);
  return line({ r: fields });
}

export function doneRecord(ids: readonly number[]): string {
  return line({ d: ids });
}

export function seqRecord(lastSeq: Iterable<readonly [string, number]>): string {
  return line({ s: Object.fromEntries(lastSeq) });
}

function line(record: unknown): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

/** The crc32 of a record's JSON as 8 lowercase hex digits. */
function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

export class BufferFile {
  readonly path: string;
  /** Non-empty lines in the file as far as this instance knows (good or damaged). */
  #records = 0;
  /**
   * The file may end inside a line (torn write): the next append starts with a newline so its
   * first record is not glued onto the damaged one. An extra empty line is harmless.
   */
  #torn = false;

  constructor(path: string) {
    this.path = path;
  }

  get records(): number {
    return this.#records;
  }

  /** Whether the next write should be a compaction (see the rule at the top of this file). */
  shouldCompact(live: number, pendingRecords: number): boolean {
    return this.#records + pendingRecords - live > Math.max(COMPACT_FLOOR, 2 * live);
  }

  /** Replays the file. Creates the directory (0700); a missing file is an empty buffer. */
  async load(): Promise<LoadedBuffer> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const live = new Map<number, BufferedReading>();
    const lastSeq = new Map<string, number>();
    const result: LoadedBuffer = { readings: [], lastSeq, nextId: 1, damaged: 0 };
    const seen = (sensor: string, seq: number) => {
      if (seq > (lastSeq.get(sensor) ?? 0)) lastSeq.set(sensor, seq);
    };
    const replay = (text: string) => {
      if (text.length === 0) return;
      this.#records++;
      const record = parseLine(text);
      if (record === undefined) result.damaged++;
      else if ('r' in record) {
        live.set(record.r.id, record.r);
        seen(record.r.sensor, record.r.seq);
        if (record.r.id >= result.nextId) result.nextId = record.r.id + 1;
      } else if ('d' in record) for (const id of record.d) live.delete(id);
      else for (const [sensor, seq] of record.s) seen(sensor, seq);
    };
    this.#records = 0;
    let carry = Buffer.alloc(0);
    try {
      for await (const chunk of createReadStream(this.path)) {
        let data = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
          replay(data.subarray(0, nl).toString('utf8'));
          data = data.subarray(nl + 1);
        }
        carry = Buffer.from(data);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // A last line without its newline is still accepted when its checksum holds.
    this.#torn = carry.length > 0;
    replay(carry.toString('utf8'));
    result.readings = [...live.values()].sort((a, b) => a.id - b.id);
    return result;
  }

  /** One write of all the records, then fsync: after this they survive a power loss. */
  async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const text = (this.#torn ? '\n' : '') + lines.join('');
    const handle = await open(this.path, 'a', 0o600);
    try {
      // Until the write is known complete, assume it may have stopped mid-line.
      this.#torn = true;
      await handle.writeFile(text);
      await handle.sync();
      this.#torn = false;
      this.#records += lines.length;
    } finally {
      await handle.close();
    }
  }

  /**
   * Replaces the file by one holding only `lastSeq` and the live readings: written under a
   * temporary name, fsynced, renamed over and the directory fsynced, so a crash at any point
   * leaves either the old file or the new one, never a mix.
   */
  async compact(live: Iterable<BufferedReading>, lastSeq: ReadonlyMap<string, number>): Promise<void> {
    const dir = dirname(this.path);
    const tmp = join(dir, `.${basename(this.path)}.tmp`);
    const handle = await open(tmp, 'w', 0o600);
    let records = 1;
    try {
      let batch = [seqRecord(lastSeq)];
      for (const reading of live) {
        batch.push(readingRecord(reading));
        records++;
        if (batch.length >= CHUNK) {
          await handle.write(batch.join(''));
          batch = [];
        }
      }
      await handle.write(batch.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
    this.#records = records;
    this.#torn = false;
  }
}

type ParsedRecord = { r: BufferedReading } | { d: number[] } | { s: [string, number][] };

/** One line's record, or undefined when the checksum or the content is wrong. */
function parseLine(text: string): ParsedRecord | undefined {
  if (text.length < 10 || text[8] !== ' ') return undefined;
  const json = text.slice(9);
  if (text.slice(0, 8) !== checksum(json)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if ('r' in value) return parseReading(value.r);
  if ('d' in value) {
    const ids = value.d;
    return Array.isArray(ids) && ids.every(isId) ? { d: ids } : undefined;
  }
  if ('s' in value && typeof value.s === 'object' && value.s !== null && !Array.isArray(value.s)) {
    const entries = Object.entries(value.s);
    return entries.every(([, seq]) => isSeq(seq)) ? { s: entries as [string, number][] } : undefined;
  }
  return undefined;
}

function parseReading(fields: unknown): { r: BufferedReading } | undefined {
  if (!Array.isArray(fields) || fields.length < 5 || fields.length > 6) return undefined;
  const [id, sensor, value, ts, seq, unit] = fields as unknown[];
  if (!isId(id) || typeof sensor !== 'string' || !isSeq(seq) || typeof ts !== 'number') return undefined;
  if (typeof value !== 'boolean' && typeof value !== 'number') return undefined;
  if (unit !== undefined && typeof unit !== 'string') return undefined;
  const reading: BufferedReading = { id, sensor, value, ts, seq };
  if (unit !== undefined) reading.unit = unit;
  return { r: reading };
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
