import { describe, expect, it } from 'vitest';
import { LatestSender, type Timers } from '../../src/web/model/latest-sender.js';

/** Timers driven by hand: `advance(ms)` runs what comes due. */
function manualTimers() {
  let now = 0;
  const due: { at: number; run: () => void }[] = [];
  const timers: Timers = {
    now: () => now,
    setTimeout: (run, ms) => void due.push({ at: now + ms, run }),
  };
  return {
    timers,
    advance(ms: number) {
      now += ms;
      for (const timer of due.filter((t) => t.at <= now)) {
        due.splice(due.indexOf(timer), 1);
        timer.run();
      }
    },
  };
}

/** A send that resolves when told to. */
function controlledSend() {
  const sent: number[] = [];
  const pending: (() => void)[] = [];
  return {
    sent,
    send: (value: number) => {
      sent.push(value);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    finish: async () => {
      pending.shift()?.();
      await Promise.resolve();
      await Promise.resolve();
    },
  };
}

describe('LatestSender', () => {
  it('sends one at a time, and only the latest of what was pushed meanwhile', async () => {
    const clock = manualTimers();
    const channel = controlledSend();
    const sender = new LatestSender(channel.send, 0, clock.timers);
    sender.push(1);
    sender.push(2);
    sender.push(3);
    expect(channel.sent).toEqual([1]);
    await channel.finish();
    expect(channel.sent).toEqual([1, 3]);
    await channel.finish();
    expect(channel.sent).toEqual([1, 3]);
  });

  it('starts at most one send per interval while dragging, and always sends the last value', async () => {
    const clock = manualTimers();
    const channel = controlledSend();
    const sender = new LatestSender(channel.send, 150, clock.timers);
    for (let value = 1; value <= 10; value++) {
      sender.push(value);
      clock.advance(20);
      await channel.finish();
    }
    // 10 moves over 200 ms: the first at once, one more after 150 ms, the last when due.
    expect(channel.sent).toEqual([1, 8]);
    clock.advance(150);
    expect(channel.sent).toEqual([1, 8, 10]);
    await channel.finish();
    clock.advance(1000);
    expect(channel.sent).toEqual([1, 8, 10]);
  });

  it('goes on after a failed or throwing send', async () => {
    const clock = manualTimers();
    const sent: number[] = [];
    const sender = new LatestSender<number>(
      (value) => {
        sent.push(value);
        if (value === 1) throw new Error('sync failure');
        return Promise.reject(new Error('async failure'));
      },
      0,
      clock.timers,
    );
    sender.push(1);
    sender.push(2);
    await Promise.resolve();
    sender.push(3);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent).toEqual([1, 2, 3]);
  });
});
