// The bare publisher, the baseline of the device benchmark, in its own process
// (child_process.fork): switchyard's client (dist/index.js) publishing acknowledged events with
// the payload of a device reading (args [number], kwargs { ts, unit, seq }) over `sensors`
// topics, pipelined: `window` publications awaiting their acknowledgement at once, as the
// device's UpstreamDelivery sends its buffer. Arguments: the router's RawSocket port.
// After a warm-up burst (JIT) to topics nobody subscribed to, it reports { type: 'ready' }.
// { type: 'go', id, count, window, prefix } → publishes count events to `${prefix}s0..s9`, then
// { type: 'done', id, ms }.
import { connect } from '../../dist/index.js';

const port = Number(process.argv[2]);
const SENSORS = 10;
const WARMUP = 2000;
const seqs = new Map();
let value = 21;

/** `count` acknowledged publications with at most `window` unacknowledged. */
function burst(session, count, window, prefix) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const onAck = () => {
      if (++acked === count) resolve();
      else pump();
    };
    const pump = () => {
      while (sent < count && sent - acked < window) {
        const topic = `${prefix}s${sent % SENSORS}`;
        sent++;
        const seq = (seqs.get(topic) ?? 0) + 1;
        seqs.set(topic, seq);
        // A random walk with two decimals, like the simulated sensors (a float on the wire).
        value = Math.min(24, Math.max(18, value + (Math.random() - 0.5) * 0.6));
        session
          .publish(topic, [Math.round(value * 100) / 100], { ts: Date.now(), unit: '°C', seq }, { acknowledge: true })
          .then(onAck, reject);
      }
    };
    pump();
  });
}

let session;
let queue = Promise.resolve();

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type === 'stop') process.exit(0);
  if (message?.type !== 'go') return;
  queue = queue.then(async () => {
    const start = performance.now();
    try {
      await burst(session, message.count, message.window, message.prefix);
      process.send({ type: 'done', id: message.id, ms: performance.now() - start });
    } catch (error) {
      process.send({ type: 'error', message: error.message });
    }
  });
});

try {
  session = await connect({ url: `rs://127.0.0.1:${port}`, realm: 'home', serializer: 'cbor', reconnect: false });
  await burst(session, WARMUP, 256, 'bench.warmup.');
  process.send({ type: 'ready', pid: process.pid });
} catch (error) {
  process.send({ type: 'error', message: error.message });
  process.exit(1);
}
