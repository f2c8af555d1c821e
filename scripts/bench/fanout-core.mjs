// The fan-out workload shared by the WAMP and the MQTT load clients: one publisher keeps
// `window` publications in flight (published but not yet received by every subscriber) and
// `subscribers` links count what they receive. Each subscriber gets the publications in order, so
// its n-th message is publication n: latency = arrival − publish time, with no decoding on the hot
// path (`verify(link, bytes, start, end)` checks every 4096th message only).
import { Histogram } from './histogram.mjs';

const RING = 1 << 16;
const MASK = RING - 1;
const VERIFY_EVERY = 4096;

/**
 * subscribers: Links (see link.mjs: `onFrame(bytes, start, end)` per message, `afterBurst(now)`
 * once per turn); publisher: { publish(seq) } (its link writes once per turn, see link.mjs).
 */
export function createFanoutWorkload({ subscribers, publisher, window, verify, fail }) {
  const count = subscribers.length;
  const publishedAt = new Float64Array(RING);
  const arrivals = new Uint16Array(RING);
  const received = new Float64Array(count);
  const latency = new Histogram();
  let running = false;
  let nextSeq = 0;
  let completedSeq = 0;
  let inFlight = 0;
  let deliveries = 0;
  let publications = 0;

  function fill(now) {
    if (!running || inFlight >= window) return;
    while (inFlight < window) {
      publishedAt[nextSeq & MASK] = now;
      publisher.publish(nextSeq);
      nextSeq++;
      inFlight++;
    }
  }

  subscribers.forEach((link, i) => {
    link.onFrame = (bytes, start, end) => {
      const seq = received[i]++;
      if (seq >= nextSeq) return fail(new Error(`subscriber ${i} received more events than were published`));
      if (seq % VERIFY_EVERY === 0 && !verify(link, bytes, start, end)) {
        return fail(new Error(`subscriber ${i}: unexpected message`));
      }
      const slot = seq & MASK;
      latency.recordMs(link.now - publishedAt[slot]);
      deliveries++;
      if (++arrivals[slot] === count) {
        arrivals[slot] = 0;
        completedSeq++;
        publications++;
        inFlight--;
      }
    };
    link.afterBurst = fill;
    link.onClose = () => fail(new Error(`subscriber ${i}'s connection closed`));
  });

  // Messages lost (e.g. a slow consumer dropped) would stall the window: fail loudly instead.
  let lastCompleted = -1;
  let lastSeq = -1;
  setInterval(() => {
    if (running && inFlight > 0 && completedSeq === lastCompleted && nextSeq === lastSeq) {
      fail(new Error(`fan-out stalled with ${inFlight} publications in flight (events lost?)`));
    }
    lastCompleted = completedSeq;
    lastSeq = nextSeq;
  }, 2000).unref();

  return {
    start() {
      running = true;
      fill(performance.now());
    },
    reset() {
      deliveries = 0;
      publications = 0;
      latency.reset();
    },
    snapshot() {
      return { messages: deliveries, unit: 'events', publications, subscribers: count, latency: latency.summary() };
    },
    pause() {
      running = false;
    },
  };
}

/**
 * Subscribers without the publisher (it runs in another process): deliveries are counted, a
 * sample verified; no window, no latency (the publisher's process measures those).
 */
export function createCountingWorkload({ subscribers, verify, fail }) {
  const received = new Float64Array(subscribers.length);
  let deliveries = 0;
  subscribers.forEach((link, i) => {
    link.onFrame = (bytes, start, end) => {
      if (received[i]++ % VERIFY_EVERY === 0 && !verify(link, bytes, start, end)) {
        return fail(new Error(`subscriber ${i}: unexpected message`));
      }
      deliveries++;
    };
    link.onClose = () => fail(new Error(`subscriber ${i}'s connection closed`));
  });
  return {
    start() {},
    reset() {
      deliveries = 0;
    },
    snapshot() {
      return { messages: deliveries, unit: 'events', subscribers: subscribers.length };
    },
    pause() {},
  };
}
