// Load client for the Mosquitto baseline: `subscribers` MQTT 3.1.1 connections subscribed (QoS 0)
// to one topic and one publisher connection, all in this process, built on mqtt-packet. Set-up
// packets go through mqtt-packet's parser; on the hot path PUBLISH packets are only counted from
// their fixed header (reused read buffer, no allocation), as the WAMP load client counts EVENTs,
// and the publisher copies its one pre-built PUBLISH packet into link.mjs's write chunk (one
// socket.write per turn).
//
// Mosquitto writes every packet to every subscriber on its own (Nagle coalesces some), so its
// subscribers read many small segments, unlike the router's batched writes. With
// --mqtt-processes=2 the subscribers are split over two processes: role 'publisher' (the driver)
// has the publisher and its share of the subscribers, whose arrivals pace the window and give the
// latency; role 'subscribers' the other share, counted only (the same stream; their deliveries
// add to the rate). By default ('publisher' alone) one process has them all.
// Config (argv[2]): { role: 'publisher'|'subscribers', host, port, subscribers, window, payload }.
import net from 'node:net';
import mqtt from 'mqtt-packet';
import { MQTT_TOPIC, payloadString } from './constants.mjs';
import { createCountingWorkload, createFanoutWorkload } from './fanout-core.mjs';
import { Link, readBuffer } from './link.mjs';
import { runLoad } from './load-driver.mjs';

const PUBLISH = 3;

/** An MQTT connection: mqtt-packet for set-up, then a lean packet counter. */
class MqttLink extends Link {
  static async open(host, port, clientId) {
    let link;
    const socket = net.connect({ host, port, onread: { buffer: readBuffer(), callback: (n, buf) => link.onRead(n, buf) } });
    link = new MqttLink(socket);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => {});
    const connack = await link.exchange({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });
    if (connack.cmd !== 'connack' || connack.returnCode !== 0) throw new Error(`CONNECT refused: ${JSON.stringify(connack)}`);
    return link;
  }

  /** Fixed-header reading state: 0 = expecting the type byte, 1 = in the remaining length. */
  #state = 0;
  #type = 0;
  #length = 0;
  #multiplier = 1;
  #skip = 0;
  #parser = mqtt.parser({ protocolVersion: 4 });
  #setup = true;
  expectedLength = -1;

  constructor(socket) {
    super(socket, null);
    socket.on('close', () => this.onClose());
  }

  /** Set-up only: sends a packet, resolves with the next packet received. */
  exchange(packet) {
    return new Promise((resolve, reject) => {
      this.#parser.removeAllListeners();
      this.#parser.once('packet', resolve);
      this.#parser.once('error', reject);
      this.socket.write(mqtt.generate(packet));
    });
  }

  /** From now on, count PUBLISH packets (no set-up packet may follow). */
  startCounting() {
    this.#setup = false;
  }

  onRead(n, buf) {
    if (this.#setup) {
      // mqtt-packet keeps references to what it parses: give it a copy of the reused buffer.
      this.#parser.parse(Buffer.from(buf.subarray(0, n)));
      return;
    }
    this.received();
    let i = 0;
    while (i < n) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, n - i);
        this.#skip -= take;
        i += take;
        if (this.#skip === 0) this.onFrame(buf, i - take, i);
        continue;
      }
      const b = buf[i++];
      if (this.#state === 0) {
        this.#type = b >> 4;
        this.#length = 0;
        this.#multiplier = 1;
        this.#state = 1;
        continue;
      }
      this.#length += (b & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      if ((b & 0x80) === 0) {
        this.#state = 0;
        this.#skip = this.#length;
        if (this.#length === 0) this.onFrame(buf, i, i);
      }
    }
  }

  /** Whether the packet last handed to onFrame is the PUBLISH we expect (type and length). */
  get lastPacketOk() {
    return this.#type === PUBLISH && this.#length === this.expectedLength;
  }

}

async function createMqttFanout(config, fail) {
  const { host, port } = config;
  const payload = Buffer.from(payloadString(config.payload));
  // QoS 0: no packet id, so every PUBLISH is the same bytes.
  const packet = mqtt.generate({ cmd: 'publish', topic: MQTT_TOPIC, payload, qos: 0, retain: false, dup: false });
  const expectedLength = 2 + Buffer.byteLength(MQTT_TOPIC) + payload.length;
  const subscribers = [];
  for (let i = 0; i < config.subscribers; i++) {
    const link = await MqttLink.open(host, port, `bench-sub-${process.pid}-${i}`);
    const suback = await link.exchange({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: MQTT_TOPIC, qos: 0 }] });
    if (suback.cmd !== 'suback' || suback.granted[0] !== 0) throw new Error(`SUBSCRIBE refused: ${JSON.stringify(suback)}`);
    link.expectedLength = expectedLength;
    link.startCounting();
    subscribers.push(link);
  }
  const verify = (link) => link.lastPacketOk;
  if (config.role === 'subscribers') return createCountingWorkload({ subscribers, verify, fail });
  const publisherLink = await MqttLink.open(host, port, `bench-pub-${process.pid}`);
  publisherLink.startCounting();
  publisherLink.onFrame = () => fail(new Error('the publisher received a packet'));
  publisherLink.onClose = () => fail(new Error("the publisher's connection closed"));
  const publisher = {
    publish: () => publisherLink.sendBytes(packet),
  };
  return createFanoutWorkload({ subscribers, publisher, window: config.window, verify, fail });
}

await runLoad(createMqttFanout);
