import type { Writable } from 'node:stream';

/**
 * One syscall per burst, not per message (performance.md): the first write to a socket in an
 * event-loop turn corks it, and one setImmediate per turn uncorks every socket written to, so
 * all the frames a turn produced for a peer leave in a single writev. Everything a router does
 * in reaction to one batch of inbound data (a fan-out, many pipelined calls) is one turn.
 */

/** Socket → bytes it still held from earlier turns when it was corked in this one. */
const corked = new Map<Writable, number>();
let scheduled = false;

/** Corks `stream` until the end of the current event-loop turn (once per turn). */
export function batchWrites(stream: Writable): void {
  if (corked.has(stream)) return;
  corked.set(stream, stream.writableLength);
  stream.cork();
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

/**
 * Bytes the peer has not taken yet, not counting what this turn is still batching: the measure
 * of a slow consumer. A reader that keeps up has no backlog at the start of a turn, however much
 * one turn writes to it.
 */
export function backlogOf(stream: Writable): number {
  return corked.get(stream) ?? stream.writableLength;
}

function flushAll(): void {
  scheduled = false;
  for (const stream of corked.keys()) stream.uncork();
  corked.clear();
}
