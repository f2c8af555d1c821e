// The callee of the RPC scenarios, in a process of its own (the caller is load-rpc.mjs or, in a
// client scenario, a client library in load-client.mjs): one session that registers the echo
// procedure and answers every INVOCATION with a YIELD of the same arguments. Against the relay
// baseline it gets the caller's CALL itself (the relay forwards frames unchanged) and answers it
// the same way. Lean on purpose: the YIELD is a template completed with the request id
// (wire.mjs), an inbound message is read as far as [type, id] and its payload compared byte for
// byte, and every 4096th one is also decoded in full. It generates no traffic of its own; its
// report counts invocations (and its CPU).
// Config (argv[2]): { kind: 'rawsocket'|'websocket', target: 'router'|'relay', host, port, serializer, payload }.
import { MessageType } from '../../dist/protocol/message-type.js';
import { serializerByName } from '../../dist/protocol/serializers/index.js';
import { PROCEDURE, payloadString } from './constants.mjs';
import { runLoad } from './load-driver.mjs';
import { describeFrame, join, openLink, request } from './wamp-link.mjs';
import { argsTail, endsWith, head, MessageTemplate, readHead } from './wire.mjs';

const CHECK_EVERY = 4096;

async function createCallee(config, fail) {
  const serializer = serializerByName(config.serializer);
  const args = [payloadString(config.payload)];
  const relay = config.target === 'relay';
  const callee = await openLink(relay ? 'rawsocket' : config.kind, config.host, config.port, serializer);
  if (!relay) {
    await join(callee, { callee: {} });
    const registered = await request(callee, [MessageType.REGISTER, 1, {}, PROCEDURE]);
    if (registered[0] !== MessageType.REGISTERED) throw new Error(`REGISTER failed: ${JSON.stringify(registered)}`);
  }
  const yieldTemplate = new MessageTemplate(serializer, MessageType.YIELD, [{}, args]);
  const tail = argsTail(serializer, args);
  // INVOCATION [68, id, registration, details, args] — or, via the relay, CALL [48, id, options, uri, args].
  const expected = relay ? MessageType.CALL : MessageType.INVOCATION;
  const codec = callee.codec;
  let invocations = 0;
  callee.onFrame = (bytes, start, end) => {
    if (readHead(codec, bytes, start, end) !== expected || head.id < 0 || !endsWith(bytes, start, end, tail)) {
      return fail(new Error(`callee got ${describeFrame(callee, bytes, start, end)}`));
    }
    if (++invocations % CHECK_EVERY === 0) {
      const m = callee.decode(bytes, start, end);
      if (m[0] !== expected || m.at(-1)?.[0] !== args[0] || m.at(-1).length !== 1) {
        return fail(new Error(`callee got ${JSON.stringify(m)}`));
      }
    }
    callee.sendTemplate(yieldTemplate, head.id);
  };
  callee.onClose = (error) => fail(new Error(`the callee's connection closed${error ? `: ${error.message}` : ''}`));
  return {
    start() {},
    reset() {
      invocations = 0;
    },
    snapshot() {
      return { messages: invocations, unit: 'invocations' };
    },
    pause() {},
  };
}

await runLoad(createCallee);
