import { isUtf8 } from 'node:buffer';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { MalformedPacketError } from './errors.js';
import { fixedHeader, readVarint } from './framing.js';
import type { MqttVersion } from './reason-codes.js';

export type { IConnectPacket, IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet } from 'mqtt-packet';

const REPLACEMENT = '\uFFFD';

/**
 * The adapter to `mqtt-packet` for one connection: whole packets (from PacketFramer) in, packet
 * objects out, and packet objects to bytes in the connection's protocol version. mqtt-packet
 * decodes strings leniently (invalid UTF-8 becomes U+FFFD); MQTT requires well-formed UTF-8
 * (section 1.5.4), so a decoded string holding U+FFFD is checked against its bytes.
 */
export class PacketCodec {
  readonly #parser = mqttPacket.parser({ protocolVersion: 4 });
  #decoded: Packet | undefined;
  #error: Error | undefined;
  #version: MqttVersion = 4;

  constructor() {
    this.#parser.on('packet', (packet: Packet) => {
      this.#decoded = packet;
    });
    this.#parser.on('error', (error: Error) => {
      this.#error = error;
    });
  }

  get version(): MqttVersion {
    return this.#version;
  }

  /** The version of later packets (after CONNECT: mqtt-packet also learns it from CONNECT itself). */
  setVersion(version: MqttVersion): void {
    this.#version = version;
  }

  /** Decodes one whole packet; throws MalformedPacketError. */
  decode(bytes: Buffer): Packet {
    this.#decoded = undefined;
    this.#error = undefined;
    this.#parser.parse(bytes);
    const error = this.#error as Error | undefined;
    if (error !== undefined) throw new MalformedPacketError(error.message);
    const packet = this.#decoded as Packet | undefined;
    if (packet === undefined) throw new MalformedPacketError('incomplete packet');
    checkStrings(packet, bytes, this.#version);
    return packet;
  }

  encode(packet: Packet): Buffer {
    return mqttPacket.generate(packet, { protocolVersion: this.#version });
  }
}

/** Throws MalformedPacketError when a string of the packet was not well-formed UTF-8 on the wire. */
function checkStrings(packet: Packet, bytes: Buffer, version: MqttVersion): void {
  switch (packet.cmd) {
    case 'publish':
      if (packet.topic.includes(REPLACEMENT) && !stringsAreUtf8(bytes, version, 'publish')) throw invalidUtf8('topic name');
      return;
    case 'subscribe':
      if (packet.subscriptions.some((s) => s.topic.includes(REPLACEMENT)) && !stringsAreUtf8(bytes, version, 'subscribe')) {
        throw invalidUtf8('topic filter');
      }
      return;
    case 'unsubscribe':
      if (packet.unsubscriptions.some((t) => t.includes(REPLACEMENT)) && !stringsAreUtf8(bytes, version, 'unsubscribe')) {
        throw invalidUtf8('topic filter');
      }
      return;
    case 'connect':
      // Not walked byte by byte: U+FFFD in a client id, user name or will topic is refused.
      if ([packet.clientId, packet.username ?? '', packet.will?.topic ?? ''].some((s) => s.includes(REPLACEMENT))) {
        throw invalidUtf8('CONNECT string');
      }
      return;
    default:
      return;
  }
}

/** Walks the topic strings of a PUBLISH, SUBSCRIBE or UNSUBSCRIBE and checks their UTF-8. */
function stringsAreUtf8(bytes: Buffer, version: MqttVersion, kind: 'publish' | 'subscribe' | 'unsubscribe'): boolean {
  const { start, remaining } = fixedHeader(bytes);
  const end = start + remaining;
  let pos = start;
  if (kind === 'publish') return isUtf8(bytes.subarray(pos + 2, pos + 2 + bytes.readUInt16BE(pos)));
  pos += 2; // packet identifier
  if (version === 5) {
    const { value, size } = readVarint(bytes, pos);
    pos += size + value;
  }
  while (pos + 2 <= end) {
    const length = bytes.readUInt16BE(pos);
    if (!isUtf8(bytes.subarray(pos + 2, pos + 2 + length))) return false;
    pos += 2 + length + (kind === 'subscribe' ? 1 : 0);
  }
  return true;
}

function invalidUtf8(what: string): MalformedPacketError {
  return new MalformedPacketError(`${what} is not well-formed UTF-8`);
}
