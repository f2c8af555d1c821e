import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { BufferFile, doneRecord, readingRecord, seqRecord } from '../../src/device/buffer-file.js';
import { ReadingBuffer } from '../../src/device/reading-buffer.js';
import type { BufferedReading, Reading } from '../../src/device/reading.js';
import { FakeClock } from '../helpers/fake-clock.js';

const FLUSH = 5000;
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-buffer-'));
  file = join(dir, 'state', 'buffer.log');
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function reading(seq: number, sensor = 'temp'): Reading {
  return { sensor, value: seq % 2 === 0 ? 20.5 : true, ts: 1_700_000_000_000 + seq, seq, unit: '°C' };
}

function buffered(id: number, seq = id, sensor = 'temp'): BufferedReading {
  return { ...reading(seq, sensor), id };
}

async function openPersisted(clock = new FakeClock(), lines: string[] = [], max = 100): Promise<ReadingBuffer> {
  // Every line as the real logger formats it (`info restored buffered readings count=…`).
  const logger = createLogger({ level: 'debug', write: (line) => void lines.push(line) });
  return ReadingBuffer.open({ max, persist: { file, flushMs: FLUSH }, clock, logger });
}

async function fileLines(): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('BufferFile', () => {
  it('loads a missing file as an empty buffer and creates its directory private', async () => {
    const loaded = await new BufferFile(file).load();
    expect(loaded).toEqual({ readings: [], lastSeq: new Map(), nextId: 1, damaged: 0 });
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
  });

  it('writes one line per record: the crc32 of the JSON in hex, a space, the JSON', () => {
    const text = readingRecord(buffered(3));
    const match = /^([0-9a-f]{8}) (.*)\n$/.exec(text);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(crc32(match![2]!).toString(16).padStart(8, '0'));
    expect(JSON.parse(match![2]!)).toEqual({ r: [3, 'temp', true, 1_700_000_000_003, 3, '°C'] });
  });

  it('replays readings minus done ids in id order, with the last seq per sensor and the next id', async () => {
    const store = new BufferFile(file);
    await store.load();
    await store.append([readingRecord(buffered(1)), readingRecord(buffered(2)), seqRecord([['door', 9]])]);
    const noUnit: BufferedReading = { id: 3, sensor: 'hum', value: 0, ts: 5, seq: 5 };
    await store.append([readingRecord(noUnit), doneRecord([2])]);
    const loaded = await new BufferFile(file).load();
    expect(loaded.readings).toStrictEqual([buffered(1), noUnit]);
    expect(loaded.lastSeq).toEqual(new Map([['temp', 2], ['door', 9], ['hum', 5]]));
    expect(loaded.nextId).toBe(4);
    expect(loaded.damaged).toBe(0);
  });

  it('skips and counts a corrupted checksum and a torn last line, and appends after them', async () => {
    const store = new BufferFile(file);
    await store.load();
    await store.append([readingRecord(buffered(1)), readingRecord(buffered(2))]);
    const text = await readFile(file, 'utf8');
    const bad = text.replace(/^[0-9a-f]{8}/, (crc) => (crc === '00000000' ? '00000001' : '00000000'));
    const torn = readingRecord(buffered(3));
    await writeFile(file, bad + torn.slice(0, torn.length >> 1));
    const reopened = new BufferFile(file);
    const loaded = await reopened.load();
    expect(loaded.damaged).toBe(2);
    expect(loaded.readings).toEqual([buffered(2)]);
    await reopened.append([readingRecord(buffered(4))]);
    expect((await new BufferFile(file).load()).readings).toEqual([buffered(2), buffered(4)]);
  });

  it('compacts to one seq record and the live readings', async () => {
    const store = new BufferFile(file);
    await store.load();
    await store.append([readingRecord(buffered(1)), readingRecord(buffered(2, 8, 'door')), doneRecord([2])]);
    await store.compact([buffered(1)], new Map([['temp', 1], ['door', 8]]));
    expect(await fileLines()).toHaveLength(2);
    expect(store.records).toBe(2);
    const loaded = await new BufferFile(file).load();
    expect(loaded.readings).toEqual([buffered(1)]);
    expect(loaded.lastSeq).toEqual(new Map([['temp', 1], ['door', 8]]));
  });

  it('asks for compaction once dead records exceed max(1000, 2 × live)', async () => {
    const store = new BufferFile(file);
    await store.load();
    expect(store.shouldCompact(0, 1000)).toBe(false);
    expect(store.shouldCompact(0, 1001)).toBe(true);
    expect(store.shouldCompact(1000, 3000)).toBe(false);
    expect(store.shouldCompact(1000, 3001)).toBe(true);
  });
});

describe('ReadingBuffer persistence', () => {
  it('writes nothing before flushMs, then exactly one append per interval however many pushes', async () => {
    const append = vi.spyOn(BufferFile.prototype, 'append');
    const clock = new FakeClock();
    const buffer = await openPersisted(clock);
    expect(clock.pending).toBe(0);
    for (let seq = 1; seq <= 50; seq++) buffer.push(reading(seq));
    expect(clock.pending).toBe(1);
    clock.advance(FLUSH - 1);
    await Promise.resolve();
    expect(append).not.toHaveBeenCalled();
    await expect(stat(file)).rejects.toThrow();
    clock.advance(1);
    await vi.waitFor(() => expect(append).toHaveBeenCalledTimes(1));
    expect(clock.pending).toBe(0);
    for (let seq = 51; seq <= 100; seq++) buffer.push(reading(seq));
    expect(clock.pending).toBe(1);
    clock.advance(FLUSH - 1);
    await Promise.resolve();
    expect(append).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await vi.waitFor(() => expect(append).toHaveBeenCalledTimes(2));
    await buffer.flush();
    expect(append).toHaveBeenCalledTimes(2);
    expect(clock.pending).toBe(0);
    expect(await fileLines()).toHaveLength(100);
  });

  it('restores unacked readings in order with ts, seq, unit and ids, and continues seq', async () => {
    const lines: string[] = [];
    const buffer = await openPersisted(new FakeClock(), [], 4);
    const pushed = [1, 2, 3, 4, 5, 6].map((seq) => buffer.push({ ...reading(buffer.nextSeq('temp')), ...(seq === 6 ? { unit: undefined } : {}) }));
    const taken = buffer.take(3);
    buffer.ack(taken[0]!.id);
    buffer.reject(taken[2]!.id);
    await buffer.close();
    expect(buffer.dropped).toBe(2);
    const reopened = await openPersisted(new FakeClock(), lines);
    const restored = reopened.take(10);
    expect(restored).toEqual([pushed[3], pushed[5]]);
    expect(restored[1]!.unit).toBeUndefined();
    expect(reopened.nextSeq('temp')).toBe(7);
    expect(reopened.push(reading(7)).id).toBe(7);
    expect(lines.some((l) => l.startsWith('info restored buffered readings'))).toBe(true);
  });

  it('compacts to the live readings, in order, once the file holds more than 1000 dead records', async () => {
    const buffer = await openPersisted(new FakeClock(), [], 2000);
    for (let i = 0; i < 1100; i++) buffer.push(reading(buffer.nextSeq('temp')));
    await buffer.flush();
    const taken = buffer.take(2000);
    for (const r of taken.slice(0, 1060)) buffer.ack(r.id);
    await buffer.flush();
    expect(await fileLines()).toHaveLength(41);
    const reopened = await openPersisted();
    expect(reopened.take(100)).toEqual(taken.slice(1060));
    expect(reopened.nextSeq('temp')).toBe(1101);
  });

  it('rewrites the whole file after a failed write', async () => {
    const lines: string[] = [];
    const clock = new FakeClock();
    const buffer = await openPersisted(clock, lines);
    vi.spyOn(BufferFile.prototype, 'append').mockRejectedValueOnce(new Error('ENOSPC'));
    const compact = vi.spyOn(BufferFile.prototype, 'compact');
    buffer.push(reading(1));
    clock.advance(FLUSH);
    await vi.waitFor(() => expect(lines.some((l) => l.startsWith('error buffer write failed'))).toBe(true));
    expect(clock.pending).toBe(1);
    clock.advance(FLUSH);
    await buffer.flush();
    expect(compact).toHaveBeenCalledTimes(1);
    expect((await openPersisted()).take(10).map((r) => r.seq)).toEqual([1]);
  });

  it('keeps the last seq per sensor after every reading was acked and compacted away', async () => {
    const buffer = await openPersisted(new FakeClock(), [], 2000);
    for (let i = 0; i < 1100; i++) buffer.push(reading(buffer.nextSeq('temp')));
    await buffer.flush();
    buffer.nextSeq('door');
    for (const r of buffer.take(2000)) buffer.ack(r.id);
    await buffer.flush();
    expect(await fileLines()).toHaveLength(1);
    const reopened = await openPersisted();
    expect(reopened.size).toBe(0);
    expect(reopened.nextSeq('temp')).toBe(1101);
    expect(reopened.nextSeq('door')).toBe(2);
  });

  it('loses only what was not flushed when the process dies without close', async () => {
    const clock = new FakeClock();
    const buffer = await openPersisted(clock);
    buffer.push(reading(buffer.nextSeq('temp')));
    buffer.push(reading(buffer.nextSeq('temp')));
    clock.advance(FLUSH);
    await vi.waitFor(async () => expect(await fileLines()).toHaveLength(2));
    buffer.push(reading(buffer.nextSeq('temp')));
    buffer.nextSeq('door');
    const reopened = await openPersisted();
    expect(reopened.take(10).map((r) => r.seq)).toEqual([1, 2]);
    expect(reopened.nextSeq('temp')).toBe(3);
    expect(reopened.nextSeq('door')).toBe(1);
  });

  it('persists a seq taken without a reading, so it is never reused', async () => {
    const buffer = await openPersisted();
    buffer.nextSeq('door');
    const pushed = buffer.push(reading(buffer.nextSeq('door'), 'door'));
    buffer.take(1);
    buffer.ack(pushed.id);
    await buffer.close();
    expect(await fileLines()).toHaveLength(1);
    expect((await openPersisted()).nextSeq('door')).toBe(3);
  });

  it('reports damaged records in one log line when opening', async () => {
    await new BufferFile(file).load();
    await writeFile(file, readingRecord(buffered(1)) + 'deadbeef {"r":[2]}\n');
    await appendFile(file, readingRecord(buffered(3)).slice(0, 20));
    const lines: string[] = [];
    const buffer = await openPersisted(new FakeClock(), lines);
    expect(lines.filter((l) => l.startsWith('warn skipped 2 damaged records'))).toHaveLength(1);
    expect(buffer.take(10)).toEqual([buffered(1)]);
  });
});
