import { describe, expect, it } from 'vitest';
import { ReadingBuffer } from '../../src/device/reading-buffer.js';
import type { Reading } from '../../src/device/reading.js';
import { captureLogger, type CapturedLine } from '../helpers/capture-logger.js';
import { FakeClock } from '../helpers/fake-clock.js';

function reading(seq: number, sensor = 'temp'): Reading {
  return { sensor, value: 20 + seq / 10, ts: 1_700_000_000_000 + seq, seq, unit: '°C' };
}

async function openBuffer(max = 100, lines: CapturedLine[] = [], clock = new FakeClock()): Promise<ReadingBuffer> {
  return ReadingBuffer.open({ max, clock, logger: captureLogger(lines) });
}

const seqs = (readings: readonly Reading[]): number[] => readings.map((r) => r.seq);

describe('ReadingBuffer', () => {
  it('hands readings out in push order with increasing ids', async () => {
    const buffer = await openBuffer();
    const pushed = [1, 2, 3, 4, 5].map((seq) => buffer.push(reading(seq)));
    expect(pushed.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(buffer.take(2))).toEqual([1, 2]);
    expect(seqs(buffer.take(10))).toEqual([3, 4, 5]);
    expect(buffer.take(10)).toEqual([]);
    expect(buffer.size).toBe(5);
    expect(buffer.inFlight).toBe(5);
  });

  it('keeps a reading, with its original ts, seq and unit, until it is acked', async () => {
    const buffer = await openBuffer();
    const first = buffer.push(reading(7));
    const [taken] = buffer.take(1);
    expect(taken).toEqual({ ...reading(7), id: first.id });
    expect(buffer.size).toBe(1);
    buffer.ack(first.id);
    expect(buffer.size).toBe(0);
    expect(buffer.inFlight).toBe(0);
  });

  it('removes and counts a rejected reading, and ignores unknown ids', async () => {
    const buffer = await openBuffer();
    const a = buffer.push(reading(1));
    buffer.push(reading(2));
    buffer.take(2);
    buffer.reject(a.id);
    buffer.reject(999);
    buffer.ack(999);
    buffer.reject(a.id);
    expect(buffer.rejected).toBe(1);
    expect(buffer.size).toBe(1);
    expect(buffer.inFlight).toBe(1);
  });

  it('requeues in-flight readings in their original order, ahead of newer ones', async () => {
    const buffer = await openBuffer();
    for (const seq of [1, 2, 3, 4]) buffer.push(reading(seq));
    const taken = buffer.take(3);
    buffer.push(reading(5));
    buffer.ack(taken[1]!.id);
    buffer.requeue();
    expect(buffer.inFlight).toBe(0);
    expect(seqs(buffer.take(10))).toEqual([1, 3, 4, 5]);
  });

  it('drops the oldest waiting reading when full and keeps the ones in flight', async () => {
    const buffer = await openBuffer(3);
    for (const seq of [1, 2, 3]) buffer.push(reading(seq));
    buffer.take(1);
    buffer.push(reading(4));
    expect(buffer.dropped).toBe(1);
    buffer.requeue();
    expect(seqs(buffer.take(10))).toEqual([1, 3, 4]);
  });

  it('drops the oldest in-flight reading when every reading is in flight', async () => {
    const buffer = await openBuffer(2);
    buffer.push(reading(1));
    buffer.push(reading(2));
    buffer.take(2);
    buffer.push(reading(3));
    expect(buffer.dropped).toBe(1);
    expect(buffer.size).toBe(2);
    expect(buffer.inFlight).toBe(1);
    expect(seqs(buffer.take(10))).toEqual([3]);
  });

  it('logs drops at most once per minute with the count since the last line', async () => {
    const lines: CapturedLine[] = [];
    const clock = new FakeClock();
    const buffer = await openBuffer(2, lines, clock);
    for (let seq = 1; seq <= 12; seq++) buffer.push(reading(seq));
    expect(buffer.dropped).toBe(10);
    const warns = () => lines.filter((l) => l.level === 'warn').map((l) => l.fields?.['dropped']);
    expect(warns()).toEqual([1]);
    clock.advance(59_999);
    expect(warns()).toEqual([1]);
    clock.advance(1);
    expect(warns()).toEqual([1, 9]);
    clock.advance(120_000);
    expect(warns()).toEqual([1, 9]);
    buffer.push(reading(13));
    expect(warns()).toEqual([1, 9, 1]);
    expect(seqs(buffer.take(10))).toEqual([12, 13]);
  });

  it('counts seq per sensor from 1', async () => {
    const buffer = await openBuffer();
    expect([buffer.nextSeq('temp'), buffer.nextSeq('temp'), buffer.nextSeq('door'), buffer.nextSeq('temp')]).toEqual([1, 2, 1, 3]);
  });

  it('continues seq after a pushed reading with a higher seq', async () => {
    const buffer = await openBuffer();
    buffer.push(reading(41, 'hum'));
    expect(buffer.nextSeq('hum')).toBe(42);
  });

  it('moves 10,000 readings through take and ack in linear time', async () => {
    const buffer = await openBuffer(20_000);
    const started = performance.now();
    for (let seq = 1; seq <= 10_000; seq++) buffer.push(reading(seq));
    const order: number[] = [];
    for (let batch = buffer.take(100); batch.length > 0; batch = buffer.take(100)) {
      for (const r of batch) {
        order.push(r.seq);
        buffer.ack(r.id);
      }
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    expect(buffer.size).toBe(0);
  });
});
