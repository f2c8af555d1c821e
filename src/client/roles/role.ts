import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { ProtocolError } from '../../protocol/errors.js';
import { messageTypeName } from '../../protocol/message-type.js';
import type { ErrorMessage, WampMessage } from '../../protocol/messages.js';
import { errorFromWire, type SessionClosedError } from '../errors.js';

/**
 * What a role processor may do with its session: send, number requests, read the router's
 * features and the time. Roles never see the session or its transport.
 */
export interface RoleContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The id the next request will carry. It is consumed only by `sendRequest`, so a request that
   * fails to send (too large) leaves no gap in the sequence the router checks.
   */
  nextRequestId(): number;
  /** Sends a request carrying `nextRequestId()` and consumes that id. Throws PayloadSizeExceededError. */
  sendRequest(message: WampMessage): void;
  /** Sends a message that carries no new request id (CANCEL, YIELD, ERROR). Throws PayloadSizeExceededError. */
  send(message: WampMessage): void;
  /** Whether WELCOME.Details.roles[role].features[feature] is true. */
  routerSupports(role: 'broker' | 'dealer', feature: string): boolean;
  /** Why new requests cannot be made now (the session is closing or closed); undefined while open. */
  closedError(): SessionClosedError | undefined;
}

/**
 * A role processor (kraftfahrstrasse MessageProcessor): owns the pending requests of one WAMP
 * role. The session dispatches each inbound message to one typed handler method of one role and
 * throws ProtocolError from those handlers on a violation.
 */
export interface Role {
  /** An ERROR whose REQUEST.Type belongs to this role. */
  onError(message: ErrorMessage): void;
  /** The session ended: reject everything pending with `error` and drop all state. */
  close(error: SessionClosedError): void;
}

/** Settles one pending request. */
export interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** One shared, already resolved promise (nothing allocated for an unacknowledged publish). */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Removes and returns the pending request a reply answers. A reply to no pending request is a
 * protocol violation: throws ProtocolError ("REGISTERED for unknown request 7"; with
 * `requestType`, "ERROR for unknown REGISTER request 7").
 */
export function takePending<P>(requests: Map<number, P>, request: number, reply: string, requestType?: number): P {
  const pending = requests.get(request);
  if (pending === undefined) {
    const what = requestType === undefined ? '' : `${messageTypeName(requestType)} `;
    throw new ProtocolError(`${reply} for unknown ${what}request ${request}`);
  }
  requests.delete(request);
  return pending;
}

/** Rejects the pending request (in `requests`) that an ERROR answers, with the error it carries. */
export function rejectWithError(requests: Map<number, { reject(error: Error): void }>, message: ErrorMessage): void {
  const [, type, request, details, uri, args, kwargs] = message;
  takePending(requests, request, 'ERROR', type).reject(errorFromWire(uri, args, kwargs, details));
}

/** Rejects every request pending in `requests` with `error` and empties the table. */
export function rejectAllPending(requests: Map<number, { reject(error: Error): void }>, error: Error): void {
  for (const pending of requests.values()) pending.reject(error);
  requests.clear();
}
