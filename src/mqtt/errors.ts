import { ReasonCode } from './reason-codes.js';

/**
 * An MQTT-level failure with the MQTT 5.0 reason code that describes it. A connection that hits
 * one closes: after a DISCONNECT carrying `reasonCode` for a 5.0 client (section 4.13), at once
 * for a 3.1.1 client, which has no such packet.
 */
export class MqttError extends Error {
  readonly reasonCode: number;

  constructor(reasonCode: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.reasonCode = reasonCode;
  }
}

/** Bytes that are not a well-formed MQTT packet (0x81). */
export class MalformedPacketError extends MqttError {
  constructor(message: string) {
    super(ReasonCode.MALFORMED_PACKET, message);
  }
}

/** A well-formed packet the protocol does not allow here, e.g. SUBSCRIBE before CONNECT (0x82). */
export class MqttProtocolError extends MqttError {
  constructor(message: string) {
    super(ReasonCode.PROTOCOL_ERROR, message);
  }
}

/** A packet larger than the listener's max_packet_size (0x95). */
export class PacketTooLargeError extends MqttError {
  readonly size: number;

  constructor(size: number, limit: number) {
    super(ReasonCode.PACKET_TOO_LARGE, `packet of ${size} bytes exceeds the limit of ${limit}`);
    this.size = size;
  }
}

/** A topic name or filter that cannot be mapped onto a WAMP URI (0x90 for names, 0x8F for filters). */
export class TopicMappingError extends MqttError {
  readonly topic: string;

  constructor(topic: string, kind: 'name' | 'filter', why: string) {
    super(kind === 'name' ? ReasonCode.TOPIC_NAME_INVALID : ReasonCode.TOPIC_FILTER_INVALID, `topic ${kind} '${topic}': ${why}`);
    this.topic = topic;
  }
}

/** The client did not send a packet within 1.5 times its keepalive (0x8D). */
export class KeepAliveTimeoutError extends MqttError {
  constructor(keepaliveSeconds: number) {
    super(ReasonCode.KEEP_ALIVE_TIMEOUT, `no packet within 1.5 × ${keepaliveSeconds} s`);
  }
}

/** The CONNECT is refused; `reasonCode` goes in the CONNACK (mapped for a 3.1.1 client). */
export class ConnectRefusedError extends MqttError {}
