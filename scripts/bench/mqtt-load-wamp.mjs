// Load client of the MQTT gateway bench: one MQTT publisher (QoS 0, 3.1.1) → `subscribers` WAMP
// sessions (RawSocket/CBOR by default) subscribed to the WAMP image of its topic, all in this
// process. The router maps MQTT `bench/fanout` to WAMP `bench.fanout` and the text payload to one
// string argument; EVENTs are counted, not decoded (a sample is checked), as in load-fanout.mjs.
// Config (argv[2]): { host, mqttPort, wampPort, kind, serializer, subscribers, window, payload }.
import { MessageType } from '../../dist/protocol/message-type.js';
import { serializerByName } from '../../dist/protocol/serializers/index.js';
import { MQTT_TOPIC, TOPIC, payloadString } from './constants.mjs';
import { createFanoutWorkload } from './fanout-core.mjs';
import { runLoad } from './load-driver.mjs';
import { MqttPublisherLink, publishPacket } from './mqtt-link.mjs';
import { join, openLink, request } from './wamp-link.mjs';

async function createMqttToWamp(config, fail) {
  const serializer = serializerByName(config.serializer ?? 'cbor');
  const kind = config.kind ?? 'rawsocket';
  const text = payloadString(config.payload);
  const subscribers = [];
  for (let i = 0; i < config.subscribers; i++) {
    const link = await openLink(kind, config.host, config.wampPort, serializer);
    await join(link, { subscriber: {} });
    const subscribed = await request(link, [MessageType.SUBSCRIBE, 1, {}, TOPIC]);
    if (subscribed[0] !== MessageType.SUBSCRIBED) throw new Error(`SUBSCRIBE failed: ${JSON.stringify(subscribed)}`);
    subscribers.push(link);
  }
  const publisherLink = await MqttPublisherLink.open(config.host, config.mqttPort, `bench-mqtt-pub-${process.pid}`);
  publisherLink.onFrame = () => fail(new Error('the MQTT publisher received a packet'));
  publisherLink.onClose = () => fail(new Error("the MQTT publisher's connection closed"));
  const packet = publishPacket(MQTT_TOPIC, Buffer.from(text));
  const publisher = { publish: () => publisherLink.sendBytes(packet) };
  const verify = (link, bytes, start, end) => {
    const m = link.decode(bytes, start, end);
    return m[0] === MessageType.EVENT && m[4]?.[0] === text;
  };
  return createFanoutWorkload({ subscribers, publisher, window: config.window, verify, fail });
}

await runLoad(createMqttToWamp);
