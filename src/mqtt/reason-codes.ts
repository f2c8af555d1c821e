import { ErrorUri } from '../protocol/uris.js';

/** MQTT protocol levels this gateway speaks: 3 (3.1, MQIsdp), 4 (3.1.1) and 5 (5.0). */
export type MqttVersion = 3 | 4 | 5;

/** MQTT 5.0 reason codes (section 2.4) that the gateway sends. */
export const ReasonCode = {
  SUCCESS: 0x00,
  GRANTED_QOS_1: 0x01,
  NO_SUBSCRIPTION_EXISTED: 0x11,
  UNSPECIFIED_ERROR: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  IMPLEMENTATION_SPECIFIC_ERROR: 0x83,
  UNSUPPORTED_PROTOCOL_VERSION: 0x84,
  CLIENT_IDENTIFIER_NOT_VALID: 0x85,
  BAD_USER_NAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  SERVER_UNAVAILABLE: 0x88,
  SERVER_BUSY: 0x89,
  BAD_AUTHENTICATION_METHOD: 0x8c,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_IDENTIFIER_NOT_FOUND: 0x92,
  RECEIVE_MAXIMUM_EXCEEDED: 0x93,
  TOPIC_ALIAS_INVALID: 0x94,
  PACKET_TOO_LARGE: 0x95,
  QUOTA_EXCEEDED: 0x97,
  ADMINISTRATIVE_ACTION: 0x98,
  SERVER_SHUTTING_DOWN: 0x8b,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: 0x9e,
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED: 0xa1,
} as const;

export type ReasonCodeValue = (typeof ReasonCode)[keyof typeof ReasonCode];

/** Reason code 0x04 of a client's DISCONNECT: close, but publish the will anyway. */
export const DISCONNECT_WITH_WILL = 0x04;

/** MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). */
const ConnackV3 = {
  ACCEPTED: 0,
  UNACCEPTABLE_PROTOCOL_VERSION: 1,
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USER_NAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

/** MQTT 3.1.1 SUBACK failure return code. */
const SUBACK_V3_FAILURE = 0x80;

/** The CONNACK return code a 3.1.1 client gets for a 5.0 refusal reason. */
export function connackV3Code(reason: number): number {
  switch (reason) {
    case ReasonCode.SUCCESS:
      return ConnackV3.ACCEPTED;
    case ReasonCode.UNSUPPORTED_PROTOCOL_VERSION:
      return ConnackV3.UNACCEPTABLE_PROTOCOL_VERSION;
    case ReasonCode.CLIENT_IDENTIFIER_NOT_VALID:
      return ConnackV3.IDENTIFIER_REJECTED;
    case ReasonCode.BAD_USER_NAME_OR_PASSWORD:
      return ConnackV3.BAD_USER_NAME_OR_PASSWORD;
    case ReasonCode.NOT_AUTHORIZED:
    case ReasonCode.BAD_AUTHENTICATION_METHOD:
      return ConnackV3.NOT_AUTHORIZED;
    default:
      return ConnackV3.SERVER_UNAVAILABLE;
  }
}

/** What a SUBACK says for one filter: 5.0 reason codes as they are, 3.1.1 only QoS or 0x80. */
export function subackCode(version: MqttVersion, reason: number): number {
  if (version === 5 || reason < 0x80) return reason;
  return SUBACK_V3_FAILURE;
}

/** The reason code of a router's refusal (ERROR or ABORT `uri`) of a publish or subscribe. */
export function reasonForWampError(uri: string, of: 'publish' | 'subscribe'): number {
  switch (uri) {
    case ErrorUri.NOT_AUTHORIZED:
    case ErrorUri.AUTHORIZATION_FAILED:
      return ReasonCode.NOT_AUTHORIZED;
    case ErrorUri.INVALID_URI:
      return of === 'publish' ? ReasonCode.TOPIC_NAME_INVALID : ReasonCode.TOPIC_FILTER_INVALID;
    case ErrorUri.PAYLOAD_SIZE_EXCEEDED:
      return ReasonCode.PACKET_TOO_LARGE;
    default:
      return ReasonCode.UNSPECIFIED_ERROR;
  }
}

/** The CONNACK reason for the ABORT with which the router refused the session's HELLO. */
export function reasonForAbort(uri: string, message: string): number {
  switch (uri) {
    case ErrorUri.AUTHENTICATION_FAILED:
    case ErrorUri.AUTHENTICATION_DENIED:
    case ErrorUri.NO_SUCH_PRINCIPAL:
      return ReasonCode.BAD_USER_NAME_OR_PASSWORD;
    case ErrorUri.NO_MATCHING_AUTH_METHOD:
    case ErrorUri.NO_AUTH_METHOD:
      return ReasonCode.NOT_AUTHORIZED;
    case ErrorUri.NOT_AUTHORIZED:
      // Router.admit() refuses with not_authorized at max_sessions.
      return message.includes('session limit') ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.NOT_AUTHORIZED;
    case ErrorUri.NO_SUCH_REALM:
      return ReasonCode.SERVER_UNAVAILABLE;
    default:
      return ReasonCode.UNSPECIFIED_ERROR;
  }
}

/** The DISCONNECT reason (5.0) for a router's end of the session: GOODBYE/ABORT reason URIs. */
export function reasonForSessionEnd(reason: string): number {
  if (reason.includes('system_shutdown')) return ReasonCode.SERVER_SHUTTING_DOWN;
  if (reason.includes('killed')) return ReasonCode.ADMINISTRATIVE_ACTION;
  return ReasonCode.UNSPECIFIED_ERROR;
}

/** `0x87`: how logs show a reason code. */
export function hexCode(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}
