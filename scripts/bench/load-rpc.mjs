// Load client for RPC echo: one caller and one callee session in this process. The caller keeps
// `window` CALLs in flight (1 = latency, 100 = throughput); the callee answers each INVOCATION with
// a YIELD of the same arguments. Against the relay baseline the same bytes flow, but the relay
// hands the CALL itself to the "callee" and its YIELD back to the "caller" unchanged.
// Config (argv[2]): { kind: 'rawsocket'|'websocket', target: 'router'|'relay', host, port,
// serializer: 'cbor'|'json', window, payload }.
import { MessageType } from '../../dist/protocol/message-type.js';
import { serializerByName } from '../../dist/protocol/serializers/index.js';
import { PROCEDURE, payloadString } from './constants.mjs';
import { Histogram } from './histogram.mjs';
import { join, openLink, request } from './wamp-link.mjs';
import { runLoad } from './load-driver.mjs';

const RING = 1 << 16;
const MASK = RING - 1;

async function createRpcWorkload(config, fail) {
  const serializer = serializerByName(config.serializer);
  const { host, port, window } = config;
  const args = [payloadString(config.payload)];
  let callee;
  let caller;
  if (config.target === 'relay') {
    // The relay pairs the two connections and only then answers their handshakes.
    callee = openLink('rawsocket', host, port, serializer);
    caller = openLink('rawsocket', host, port, serializer);
    [callee, caller] = await Promise.all([callee, caller]);
  } else {
    callee = await openLink(config.kind, host, port, serializer);
    await join(callee, { callee: {} });
    const registered = await request(callee, [MessageType.REGISTER, 1, {}, PROCEDURE]);
    if (registered[0] !== MessageType.REGISTERED) throw new Error(`REGISTER failed: ${JSON.stringify(registered)}`);
    caller = await openLink(config.kind, host, port, serializer);
    await join(caller, { caller: {} });
  }

  const sentAt = new Float64Array(RING);
  const latency = new Histogram();
  let running = false;
  let nextId = 1;
  let inFlight = 0;
  let completed = 0;

  callee.onFrame = (bytes, start, end) => {
    const m = callee.decode(bytes, start, end);
    // INVOCATION [68, id, registration, details, args] — or, via the relay, CALL [48, id, options, uri, args].
    if (m[0] !== MessageType.INVOCATION && m[0] !== MessageType.CALL) return fail(new Error(`callee got ${JSON.stringify(m)}`));
    callee.sendMessage([MessageType.YIELD, m[1], {}, m[4]]);
  };

  caller.onFrame = (bytes, start, end) => {
    const m = caller.decode(bytes, start, end);
    // RESULT [50, request, details, args] — or, via the relay, the YIELD [70, id, options, args].
    if (m[0] !== MessageType.RESULT && m[0] !== MessageType.YIELD) return fail(new Error(`caller got ${JSON.stringify(m)}`));
    if (m[3]?.[0]?.length !== args[0].length) return fail(new Error(`wrong echo ${JSON.stringify(m)}`));
    latency.recordMs(caller.now - sentAt[m[1] & MASK]);
    completed++;
    inFlight--;
  };

  function fill(now) {
    while (running && inFlight < window) {
      const id = nextId++;
      sentAt[id & MASK] = now;
      caller.sendMessage([MessageType.CALL, id, {}, PROCEDURE, args]);
      inFlight++;
    }
  }
  caller.afterBurst = fill;

  const closed = () => fail(new Error('a connection to the server closed'));
  caller.onClose = closed;
  callee.onClose = closed;

  // A lost message would stall the window: fail loudly instead.
  let lastCompleted = -1;
  let lastId = -1;
  setInterval(() => {
    if (running && inFlight > 0 && completed === lastCompleted && nextId === lastId) {
      fail(new Error(`RPC stalled with ${inFlight} calls in flight`));
    }
    lastCompleted = completed;
    lastId = nextId;
  }, 2000).unref();

  return {
    start() {
      running = true;
      caller.cork();
      fill(performance.now());
      caller.uncork();
    },
    reset() {
      completed = 0;
      latency.reset();
    },
    snapshot() {
      return { messages: completed, unit: 'calls', latency: latency.summary() };
    },
    pause() {
      running = false;
    },
  };
}

await runLoad(createRpcWorkload);
