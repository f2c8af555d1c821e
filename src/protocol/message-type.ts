/**
 * WAMP message codes (basic/messages.md, advanced/messages.md).
 *
 * Who sends what (C = client, R = router):
 *   HELLO C→R · WELCOME R→C · ABORT both · CHALLENGE R→C · AUTHENTICATE C→R · GOODBYE both
 *   ERROR both (C→R only for INVOCATION) · PUBLISH C→R · PUBLISHED R→C · SUBSCRIBE C→R
 *   SUBSCRIBED R→C · UNSUBSCRIBE C→R · UNSUBSCRIBED R→C · EVENT R→C · CALL C→R · CANCEL C→R
 *   RESULT R→C · REGISTER C→R · REGISTERED R→C · UNREGISTER C→R · UNREGISTERED R→C
 *   INVOCATION R→C · INTERRUPT R→C · YIELD C→R
 */
export enum MessageType {
  HELLO = 1,
  WELCOME = 2,
  ABORT = 3,
  CHALLENGE = 4,
  AUTHENTICATE = 5,
  GOODBYE = 6,
  ERROR = 8,
  PUBLISH = 16,
  PUBLISHED = 17,
  SUBSCRIBE = 32,
  SUBSCRIBED = 33,
  UNSUBSCRIBE = 34,
  UNSUBSCRIBED = 35,
  EVENT = 36,
  CALL = 48,
  CANCEL = 49,
  RESULT = 50,
  REGISTER = 64,
  REGISTERED = 65,
  UNREGISTER = 66,
  UNREGISTERED = 67,
  INVOCATION = 68,
  INTERRUPT = 69,
  YIELD = 70,
}

/** Human-readable name of a message code, for logs and error messages. */
export function messageTypeName(code: number): string {
  return MessageType[code] ?? `UNKNOWN(${code})`;
}

/** The request types an ERROR message may refer to (basic/messages.md, ERROR). */
export const ERROR_REQUEST_TYPES: ReadonlySet<number> = new Set([
  MessageType.SUBSCRIBE,
  MessageType.UNSUBSCRIBE,
  MessageType.PUBLISH,
  MessageType.REGISTER,
  MessageType.UNREGISTER,
  MessageType.CALL,
  MessageType.INVOCATION,
]);
