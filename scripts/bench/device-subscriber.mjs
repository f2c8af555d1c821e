// The subscriber of the device benchmark, in its own process (child_process.fork): switchyard's
// client (dist/index.js) subscribed to every topic under `devices.` (prefix match) on the
// upstream router. Argument: the router's RawSocket port. Reports { type: 'ready' } over IPC.
//
// { type: 'arm', id, prefix, count, fromSeq }: count the readings (events with kwargs.seq) whose
// topic starts with `prefix`; at the `count`-th, report { type: 'reached', id, order } where
// order checks each topic's seq sequence: every seq is the previous one + 1 (`gaps`: a seq
// skipped ahead, `backwards`: a repeat or one out of order) and, with `fromSeq`, each topic's
// first seq is fromSeq (`lateStart`: a topic whose first reading seen came later). Replies
// { type: 'armed', id } at once. Events outside an armed window are ignored.
import { connect } from '../../dist/index.js';

const port = Number(process.argv[2]);
let armed = null;

function onEvent(event) {
  const window = armed;
  if (window === null || !event.topic.startsWith(window.prefix)) return;
  const seq = event.kwargs?.seq;
  if (typeof seq !== 'number') return; // `status` and other non-readings
  const last = window.last.get(event.topic);
  if (last === undefined) {
    if (window.fromSeq !== undefined && seq !== window.fromSeq) window.lateStart++;
  } else if (seq > last + 1) {
    window.gaps++;
  } else if (seq <= last) {
    window.backwards++;
  }
  window.last.set(event.topic, seq);
  if (++window.received === window.count) {
    armed = null;
    process.send({
      type: 'reached',
      id: window.id,
      order: { topics: window.last.size, gaps: window.gaps, backwards: window.backwards, lateStart: window.lateStart },
    });
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message?.type === 'arm') {
    armed = {
      id: message.id,
      prefix: message.prefix,
      count: message.count,
      fromSeq: message.fromSeq,
      received: 0,
      last: new Map(),
      gaps: 0,
      backwards: 0,
      lateStart: 0,
    };
    process.send({ type: 'armed', id: message.id });
  } else if (message?.type === 'disarm') {
    armed = null;
  } else if (message?.type === 'stop') {
    process.exit(0);
  }
});

try {
  const session = await connect({ url: `rs://127.0.0.1:${port}`, realm: 'home', serializer: 'cbor', reconnect: false });
  await session.subscribe('devices.', onEvent, { match: 'prefix' });
  process.send({ type: 'ready', pid: process.pid });
} catch (error) {
  process.send({ type: 'error', message: error.message });
  process.exit(1);
}
