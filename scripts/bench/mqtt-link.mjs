// A lean MQTT publisher connection for the MQTT gateway bench's load clients: CONNECT with
// mqtt-packet, then one pre-built QoS 0 PUBLISH packet copied into link.mjs's write chunk per
// publication (one socket.write per turn). It expects nothing back after CONNACK.
import net from 'node:net';
import mqtt from 'mqtt-packet';
import { Link, readBuffer } from './link.mjs';

export class MqttPublisherLink extends Link {
  /** Connects (MQTT 3.1.1, clean session, no keepalive) and resolves once CONNACK accepted it. */
  static open(host, port, clientId) {
    return new Promise((resolve, reject) => {
      let link;
      const socket = net.connect({ host, port, onread: { buffer: readBuffer(), callback: (n, buf) => link.onRead(n, buf) } });
      link = new MqttPublisherLink(socket, resolve, reject);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(mqtt.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0 }));
      });
    });
  }

  #parser = mqtt.parser({ protocolVersion: 4 });
  #connected = false;

  constructor(socket, opened, failed) {
    super(socket, null);
    this.#parser.once('packet', (packet) => {
      this.#connected = true;
      if (packet.cmd !== 'connack' || packet.returnCode !== 0) {
        socket.destroy();
        failed(new Error(`CONNECT refused: ${JSON.stringify(packet)}`));
        return;
      }
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      opened(this);
    });
    this.#parser.once('error', failed);
    socket.on('close', () => this.onClose());
  }

  onRead(n, buf) {
    if (!this.#connected) {
      this.#parser.parse(Buffer.from(buf.subarray(0, n)));
      return;
    }
    this.received();
    this.onFrame(buf, 0, n);
  }
}

/** The QoS 0 PUBLISH packet of `payload` on `topic` (the same bytes for every publication). */
export function publishPacket(topic, payload) {
  return mqtt.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });
}
