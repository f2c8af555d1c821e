// Load client for WAMP pub/sub fan-out: `subscribers` sessions subscribed to one topic and one
// publisher session, all in this process. PUBLISH without acknowledge (the WAMP analogue of MQTT
// QoS 0), written from a template (wire.mjs); the router's EVENTs are counted, not decoded (a
// sample is checked).
// Config (argv[2]): { kind: 'rawsocket'|'websocket', host, port, serializer, subscribers, window, payload }.
import { MessageType } from '../../dist/protocol/message-type.js';
import { serializerByName } from '../../dist/protocol/serializers/index.js';
import { TOPIC, payloadString } from './constants.mjs';
import { createFanoutWorkload } from './fanout-core.mjs';
import { runLoad } from './load-driver.mjs';
import { join, openLink, request } from './wamp-link.mjs';
import { MessageTemplate } from './wire.mjs';

async function createWampFanout(config, fail) {
  const serializer = serializerByName(config.serializer);
  const { kind, host, port } = config;
  const args = [payloadString(config.payload)];
  const subscribers = [];
  for (let i = 0; i < config.subscribers; i++) {
    const link = await openLink(kind, host, port, serializer);
    await join(link, { subscriber: {} });
    const subscribed = await request(link, [MessageType.SUBSCRIBE, 1, {}, TOPIC]);
    if (subscribed[0] !== MessageType.SUBSCRIBED) throw new Error(`SUBSCRIBE failed: ${JSON.stringify(subscribed)}`);
    subscribers.push(link);
  }
  const publisherLink = await openLink(kind, host, port, serializer);
  await join(publisherLink, { publisher: {} });

  let nextRequest = 1;
  const template = new MessageTemplate(serializer, MessageType.PUBLISH, [{}, TOPIC, args]);
  const publisher = {
    publish() {
      publisherLink.sendTemplate(template, nextRequest++);
    },
  };
  publisherLink.onFrame = (bytes, start, end) =>
    fail(new Error(`publisher got ${JSON.stringify(publisherLink.decode(bytes, start, end))}`));
  const verify = (link, bytes, start, end) => {
    const m = link.decode(bytes, start, end);
    return m[0] === MessageType.EVENT && m[4]?.[0] === args[0];
  };
  publisherLink.onClose = () => fail(new Error("the publisher's connection closed"));
  return createFanoutWorkload({ subscribers, publisher, window: config.window, verify, fail });
}

await runLoad(createWampFanout);
