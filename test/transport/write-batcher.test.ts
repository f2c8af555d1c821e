import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchWrites } from '../../src/transport/write-batcher.js';

/** A Writable that records each call the stream machinery makes: one entry per writev/write. */
function recorder() {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, calls };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('batchWrites', () => {
  it('hands every write of one event-loop turn to the stream in a single writev', async () => {
    const { stream, calls } = recorder();
    for (const frame of ['a', 'b', 'c']) {
      batchWrites(stream);
      stream.write(frame);
    }
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('uncorks each stream once per turn, so the next turn batches again', async () => {
    const { stream, calls } = recorder();
    batchWrites(stream);
    stream.write('1');
    await nextTurn();
    batchWrites(stream);
    stream.write('2');
    batchWrites(stream);
    stream.write('3');
    await nextTurn();
    expect(calls).toEqual([['1'], ['2', '3']]);
    expect(stream.writableCorked).toBe(0);
  });

  it('flushes several streams written in the same turn', async () => {
    const one = recorder();
    const two = recorder();
    batchWrites(one.stream);
    one.stream.write('x');
    batchWrites(two.stream);
    two.stream.write('y');
    await nextTurn();
    expect(one.calls).toEqual([['x']]);
    expect(two.calls).toEqual([['y']]);
  });
});
