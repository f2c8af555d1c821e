// The caller of the RPC scenarios: one session keeping `window` CALLs of the echo procedure in
// flight (1 = latency, 100 = throughput); the callee is load-callee.mjs, in a process of its own,
// so that neither load process comes near a full core. Against the relay baseline the same bytes
// flow, but the relay hands the CALL itself to the "callee" and its YIELD back unchanged.
//
// Lean on purpose (the server, not the load, must be the bottleneck): the CALL is a template
// completed with the request id (wire.mjs), a RESULT is read as far as [type, id] and its payload
// compared byte for byte with the one sent; every 4096th is also decoded in full and checked.
// Config (argv[2]): { kind: 'rawsocket'|'websocket', target: 'router'|'relay', host, port,
// serializer: 'cbor'|'json'|'msgpack', window, payload }.
import { MessageType } from '../../dist/protocol/message-type.js';
import { serializerByName } from '../../dist/protocol/serializers/index.js';
import { PROCEDURE, payloadString } from './constants.mjs';
import { Histogram } from './histogram.mjs';
import { runLoad } from './load-driver.mjs';
import { describeFrame, join, openLink } from './wamp-link.mjs';
import { argsTail, endsWith, head, MessageTemplate, readHead } from './wire.mjs';

const RING = 1 << 16;
const MASK = RING - 1;
const CHECK_EVERY = 4096;

async function createRpcWorkload(config, fail) {
  const serializer = serializerByName(config.serializer);
  const { host, port, window } = config;
  const args = [payloadString(config.payload)];
  const relay = config.target === 'relay';
  // The relay pairs this connection with the callee's and only then answers the handshake.
  const caller = await openLink(relay ? 'rawsocket' : config.kind, host, port, serializer);
  if (!relay) await join(caller, { caller: {} });

  const callTemplate = new MessageTemplate(serializer, MessageType.CALL, [{}, PROCEDURE, args]);
  const tail = argsTail(serializer, args);
  // RESULT [50, request, details, args] — or, via the relay, the callee's YIELD [70, id, options, args].
  const resultType = relay ? MessageType.YIELD : MessageType.RESULT;
  const codec = caller.codec;

  const sentAt = new Float64Array(RING);
  const latency = new Histogram();
  let running = false;
  let nextId = 1;
  let inFlight = 0;
  let completed = 0;

  caller.onFrame = (bytes, start, end) => {
    if (readHead(codec, bytes, start, end) !== resultType || !endsWith(bytes, start, end, tail)) {
      return fail(new Error(`caller got ${describeFrame(caller, bytes, start, end)}`));
    }
    const id = head.id;
    if (id <= 0 || id >= nextId) return fail(new Error(`caller got a result for request ${id}, never sent`));
    latency.recordMs(caller.now - sentAt[id & MASK]);
    if (++completed % CHECK_EVERY === 0) {
      const m = caller.decode(bytes, start, end);
      if (m[0] !== resultType || m.at(-1)?.[0] !== args[0] || m.at(-1).length !== 1) {
        return fail(new Error(`caller got ${JSON.stringify(m)}`));
      }
    }
    inFlight--;
  };

  function fill(now) {
    while (running && inFlight < window) {
      const id = nextId++;
      sentAt[id & MASK] = now;
      caller.sendTemplate(callTemplate, id);
      inFlight++;
    }
  }
  caller.afterBurst = fill;
  caller.onClose = (error) => fail(new Error(`the caller's connection closed${error ? `: ${error.message}` : ''}`));

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
      fill(performance.now());
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
