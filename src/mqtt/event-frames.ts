import { MessageType } from '../protocol/message-type.js';
import type { Dict, WampMessage } from '../protocol/messages.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import { varintLengthAt, varintSize, writeVarint } from './framing.js';
import type { PayloadMapping } from './payload.js';
import type { MqttVersion } from './reason-codes.js';
import { uriToTopic } from './topics.js';

/**
 * EVENTs as the router hands them to MQTT sessions. The broker encodes an EVENT once per
 * subscription and serializer and writes the same bytes to every subscriber (EncodedMessage), so
 * the "serializer" of an MQTT session turns the EVENT straight into an MQTT PUBLISH packet, built
 * once and written as is to each QoS 0 subscriber. A frame is
 *
 *   [0, 8)   publication id (float64, big-endian)
 *   [8, 16)  subscription id (float64)
 *   [16]     flags: bit 0 = a retained event (sent because of a new subscription)
 *   [17, …)  the PUBLISH packet at QoS 0 (RETAIN set for a retained event)
 *
 * An empty frame means "nothing for MQTT": the topic has no MQTT form, the payload cannot be
 * written, or it is a retained event with no payload (a cleared retained message).
 */

export const FRAME_HEADER_LENGTH = 17;
const NOTHING = Buffer.alloc(0);
const MAX_TOPIC_LENGTH = 65_535;

/** One serializer per (protocol version, payload mapping): it is also the EncodedMessage cache key. */
export function eventFrameSerializer(version: MqttVersion, payload: PayloadMapping): Serializer {
  const properties = version === 5 ? 1 : 0;
  return {
    // Nominal: Serializer names are WAMP's. This one only ever encodes EVENTs, into MQTT frames.
    name: 'json',
    subprotocol: `mqtt.${version}.${payload.mode}`,
    rawSocketId: 0,
    binary: true,
    encode(message: WampMessage | unknown[]): Uint8Array {
      if (message[0] !== MessageType.EVENT) throw new Error(`an MQTT session only receives EVENTs, not ${String(message[0])}`);
      const [, subscriptionId, publicationId, details, args, kwargs] = message as [number, number, number, Dict, unknown[]?, Dict?];
      const retained = details['retained'] === true;
      const uri = details['topic'];
      const topic = typeof uri === 'string' ? uriToTopic(uri) : undefined;
      if (topic === undefined) return NOTHING;
      const body = payload.fromWamp(args, kwargs);
      if (body === undefined) return NOTHING;
      const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      if (retained && bodyLength === 0) return NOTHING;
      const topicLength = Buffer.byteLength(topic);
      if (topicLength > MAX_TOPIC_LENGTH) return NOTHING;
      const remaining = 2 + topicLength + properties + bodyLength;
      const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 1 + varintSize(remaining) + remaining);
      frame.writeDoubleBE(publicationId, 0);
      frame.writeDoubleBE(subscriptionId, 8);
      frame[16] = retained ? 1 : 0;
      let pos = FRAME_HEADER_LENGTH;
      frame[pos++] = retained ? 0x31 : 0x30;
      pos = writeVarint(frame, pos, remaining);
      frame.writeUInt16BE(topicLength, pos);
      pos += 2;
      pos += frame.write(topic, pos, 'utf8');
      if (properties === 1) frame[pos++] = 0;
      if (typeof body === 'string') frame.write(body, pos, 'utf8');
      else frame.set(body, pos);
      return frame;
    },
    decode(): unknown {
      throw new Error('MQTT event frames are never decoded');
    },
  };
}

export function framePublicationId(frame: Buffer): number {
  return frame.readDoubleBE(0);
}

export function frameSubscriptionId(frame: Buffer): number {
  return frame.readDoubleBE(8);
}

export function frameIsRetained(frame: Buffer): boolean {
  return (frame[16]! & 1) === 1;
}

/** The QoS 0 PUBLISH packet of a frame (a view, no copy). */
export function framePacket(frame: Buffer): Buffer {
  return frame.subarray(FRAME_HEADER_LENGTH);
}

/** The MQTT topic name of a PUBLISH packet. */
export function packetTopic(packet: Buffer): string {
  const start = 1 + varintLengthAt(packet, 1);
  const length = packet.readUInt16BE(start);
  return packet.toString('utf8', start + 2, start + 2 + length);
}

/** A QoS 0 PUBLISH packet as a QoS 1 one with `packetId` (a new buffer). */
export function withPacketId(packet: Buffer, packetId: number): Buffer {
  const lengthBytes = varintLengthAt(packet, 1);
  const start = 1 + lengthBytes;
  const remaining = packet.length - start;
  const topicEnd = start + 2 + packet.readUInt16BE(start);
  const out = Buffer.allocUnsafe(1 + varintSize(remaining + 2) + remaining + 2);
  out[0] = (packet[0]! & 0xf9) | 0x02;
  let pos = writeVarint(out, 1, remaining + 2);
  pos += packet.copy(out, pos, start, topicEnd);
  out.writeUInt16BE(packetId, pos);
  packet.copy(out, pos + 2, topicEnd);
  return out;
}

/** The packet identifier of a QoS 1 PUBLISH packet. */
export function packetIdOf(packet: Buffer): number {
  const start = 1 + varintLengthAt(packet, 1);
  return packet.readUInt16BE(start + 2 + packet.readUInt16BE(start));
}

/** Marks a QoS 1 PUBLISH packet as a redelivery (DUP), in place. */
export function setDup(packet: Buffer): void {
  packet[0] = packet[0]! | 0x08;
}
