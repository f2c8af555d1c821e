import { ProtocolError } from '../../protocol/errors.js';
import { MessageType, messageTypeName } from '../../protocol/message-type.js';
import type { WampMessage } from '../../protocol/messages.js';
import type { SessionClosedError } from '../errors.js';
import { Callee } from './callee.js';
import { Caller } from './caller.js';
import { Publisher } from './publisher.js';
import type { Role, RoleContext } from './role.js';
import { Subscriber } from './subscriber.js';

/**
 * The four client roles of one session, and the dispatch of an established session's messages
 * to them: one line per message type (style §3), ERROR dispatched again by its REQUEST.Type
 * (autobahn `_MESSAGE_MAP[ERROR][…]`). Handlers throw ProtocolError on a violation.
 */
export class RoleSet {
  readonly caller: Caller;
  readonly callee: Callee;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;

  constructor(ctx: RoleContext) {
    this.caller = new Caller(ctx);
    this.callee = new Callee(ctx);
    this.publisher = new Publisher(ctx);
    this.subscriber = new Subscriber(ctx);
  }

  /** Routes a message that belongs to a role; throws ProtocolError for any other type. */
  handle(message: WampMessage): void {
    switch (message[0]) {
      case MessageType.ERROR: return this.#roleOf(message[1]).onError(message);
      case MessageType.RESULT: return this.caller.onResult(message);
      case MessageType.REGISTERED: return this.callee.onRegistered(message);
      case MessageType.UNREGISTERED: return this.callee.onUnregistered(message);
      case MessageType.INVOCATION: return this.callee.onInvocation(message);
      case MessageType.INTERRUPT: return this.callee.onInterrupt(message);
      case MessageType.PUBLISHED: return this.publisher.onPublished(message);
      case MessageType.SUBSCRIBED: return this.subscriber.onSubscribed(message);
      case MessageType.UNSUBSCRIBED: return this.subscriber.onUnsubscribed(message);
      case MessageType.EVENT: return this.subscriber.onEvent(message);
      default: throw new ProtocolError(`${messageTypeName(message[0])} is not a message for a client role`);
    }
  }

  /** The session ended: every role rejects what is pending with `error`. */
  close(error: SessionClosedError): void {
    this.caller.close(error);
    this.callee.close(error);
    this.publisher.close(error);
    this.subscriber.close(error);
  }

  #roleOf(requestType: number): Role {
    switch (requestType) {
      case MessageType.CALL: return this.caller;
      case MessageType.REGISTER: case MessageType.UNREGISTER: return this.callee;
      case MessageType.PUBLISH: return this.publisher;
      case MessageType.SUBSCRIBE: case MessageType.UNSUBSCRIBE: return this.subscriber;
      default: throw new ProtocolError(`a router does not send ERROR for ${messageTypeName(requestType)}`);
    }
  }
}
