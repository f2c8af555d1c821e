import { MessageType } from './message-type.js';

/** A WAMP dictionary: string keys, any values. */
export type Dict = Record<string, unknown>;
/** Positional payload. */
export type Args = unknown[];
/** An id in [1, 2^53]. */
export type Id = number;
/** A WAMP URI (topic, procedure, error, reason, realm). */
export type Uri = string;

// Each message is the tuple that goes on the wire. Trailing payload elements are optional and,
// after parseMessage, never empty or null (an empty Args is kept only when ArgumentsKw follows).
export type HelloMessage = [MessageType.HELLO, Uri, Dict];
export type WelcomeMessage = [MessageType.WELCOME, Id, Dict];
export type AbortMessage = [MessageType.ABORT, Dict, Uri, Args?, Dict?];
export type ChallengeMessage = [MessageType.CHALLENGE, string, Dict];
export type AuthenticateMessage = [MessageType.AUTHENTICATE, string, Dict];
export type GoodbyeMessage = [MessageType.GOODBYE, Dict, Uri];
export type ErrorMessage = [MessageType.ERROR, number, Id, Dict, Uri, Args?, Dict?];
export type PublishMessage = [MessageType.PUBLISH, Id, Dict, Uri, Args?, Dict?];
export type PublishedMessage = [MessageType.PUBLISHED, Id, Id];
export type SubscribeMessage = [MessageType.SUBSCRIBE, Id, Dict, Uri];
export type SubscribedMessage = [MessageType.SUBSCRIBED, Id, Id];
export type UnsubscribeMessage = [MessageType.UNSUBSCRIBE, Id, Id];
/** `[35, Request]`, or the revocation form `[35, 0, {subscription, reason}]`. */
export type UnsubscribedMessage = [MessageType.UNSUBSCRIBED, Id, Dict?];
export type EventMessage = [MessageType.EVENT, Id, Id, Dict, Args?, Dict?];
export type CallMessage = [MessageType.CALL, Id, Dict, Uri, Args?, Dict?];
export type CancelMessage = [MessageType.CANCEL, Id, Dict];
export type ResultMessage = [MessageType.RESULT, Id, Dict, Args?, Dict?];
export type RegisterMessage = [MessageType.REGISTER, Id, Dict, Uri];
export type RegisteredMessage = [MessageType.REGISTERED, Id, Id];
export type UnregisterMessage = [MessageType.UNREGISTER, Id, Id];
/** `[67, Request]`, or the revocation form `[67, 0, {registration, reason}]`. */
export type UnregisteredMessage = [MessageType.UNREGISTERED, Id, Dict?];
export type InvocationMessage = [MessageType.INVOCATION, Id, Id, Dict, Args?, Dict?];
export type InterruptMessage = [MessageType.INTERRUPT, Id, Dict];
export type YieldMessage = [MessageType.YIELD, Id, Dict, Args?, Dict?];

export type WampMessage =
  | HelloMessage
  | WelcomeMessage
  | AbortMessage
  | ChallengeMessage
  | AuthenticateMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishMessage
  | PublishedMessage
  | SubscribeMessage
  | SubscribedMessage
  | UnsubscribeMessage
  | UnsubscribedMessage
  | EventMessage
  | CallMessage
  | CancelMessage
  | ResultMessage
  | RegisterMessage
  | RegisteredMessage
  | UnregisterMessage
  | UnregisteredMessage
  | InvocationMessage
  | InterruptMessage
  | YieldMessage;

/** A payload as carried by PUBLISH/EVENT/CALL/INVOCATION/YIELD/RESULT/ERROR/ABORT. */
export interface Payload {
  args?: Args;
  kwargs?: Dict;
}

/**
 * Appends a payload to a message head, dropping empty trailing elements: never an empty
 * ArgumentsKw, and an empty Arguments only when ArgumentsKw follows (basic/messages.md).
 */
export function withPayload<T extends unknown[]>(head: T, args?: Args | null, kwargs?: Dict | null): T {
  const hasKw = kwargs != null && !isEmptyDict(kwargs);
  if (hasKw) {
    head.push(args ?? [], kwargs);
  } else if (args != null && args.length > 0) {
    head.push(args);
  }
  return head;
}

function isEmptyDict(d: Dict): boolean {
  for (const _ in d) return false;
  return true;
}
