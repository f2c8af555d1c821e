// Load client for the Mosquitto baseline: `subscribers` MQTT 3.1.1 connections subscribed (QoS 0)
// to one topic and one publisher connection, all in this process, built on mqtt-packet. Set-up
// packets are parsed with mqtt-packet; on the hot path PUBLISH packets are only counted (fixed
// header and length), as the WAMP load client counts EVENT frames.
// Config (argv[2]): { host, port, subscribers, window, payload }.
import net from 'node:net';
import mqtt from 'mqtt-packet';
import { MQTT_TOPIC, payloadString } from './constants.mjs';
import { createFanoutWorkload } from './fanout-core.mjs';
import { runLoad } from './load-driver.mjs';
import { Link } from './wamp-link.mjs';

const PUBLISH = 3;

/** An MQTT connection: mqtt-packet for set-up, then a lean packet counter. */
class MqttLink extends Link {
  static async open(host, port, clientId) {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const link = new MqttLink(socket);
    const connack = await link.exchange({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 });
    if (connack.cmd !== 'connack' || connack.returnCode !== 0) throw new Error(`CONNECT refused: ${JSON.stringify(connack)}`);
    return link;
  }

  /** Remaining length of the packet whose header is being read, its type, bytes left to skip. */
  #state = 0;
  #type = 0;
  #length = 0;
  #multiplier = 1;
  #skip = 0;
  /** Set-up mode: packets go to an mqtt-packet parser. */
  #parser = mqtt.parser({ protocolVersion: 4 });
  #setup = true;
  expectedLength = -1;

  constructor(socket) {
    super(null);
    this.socket = socket;
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => {});
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

  #onData(chunk) {
    if (this.#setup) {
      this.#parser.parse(chunk);
      return;
    }
    this.received();
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, n - i);
        this.#skip -= take;
        i += take;
        if (this.#skip === 0) this.#packet();
        continue;
      }
      const b = chunk[i++];
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
        if (this.#length === 0) this.#packet();
      }
    }
  }

  #packet() {
    // The payload itself is not needed: verify() checks type and length.
    this.onMessage(this, this.now);
  }

  get lastPacketOk() {
    return this.#type === PUBLISH && this.#length === this.expectedLength;
  }

  send(bytes) {
    this.socket.write(bytes);
  }

  cork() {
    this.socket.cork();
  }

  uncork() {
    this.socket.uncork();
  }

  close() {
    this.socket.destroy();
  }
}

async function createMqttFanout(config, fail) {
  const { host, port } = config;
  const payload = Buffer.from(payloadString(config.payload));
  const packet = mqtt.generate({ cmd: 'publish', topic: MQTT_TOPIC, payload, qos: 0, retain: false, dup: false });
  // PUBLISH QoS 0: topic length (2) + topic + payload.
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
  const publisherLink = await MqttLink.open(host, port, `bench-pub-${process.pid}`);
  publisherLink.startCounting();
  publisherLink.onMessage = () => fail(new Error('publisher received a packet'));
  const publisher = {
    cork: () => publisherLink.cork(),
    uncork: () => publisherLink.uncork(),
    publish: () => publisherLink.send(packet),
  };
  const verify = (link) => link.lastPacketOk;
  const workload = createFanoutWorkload({ subscribers, publisher, window: config.window, verify, fail });
  return {
    ...workload,
    stop() {
      workload.stop();
      for (const link of [...subscribers, publisherLink]) link.close();
    },
  };
}

await runLoad(createMqttFanout);
