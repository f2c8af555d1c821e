import { PayloadSizeExceededError } from '../../src/protocol/errors.js';
import type { Dict, WampMessage } from '../../src/protocol/messages.js';
import type { Serializer } from '../../src/protocol/serializers/serializer.js';
import { RouterSession, type SessionIdentity } from '../../src/router/router-session.js';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from '../../src/transport/transport.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * A JSON serializer for tests. Give several fake transports the same instance when a test counts
 * `encode` calls (EncodedMessage caches bytes per serializer instance).
 */
export function createFakeSerializer(): Serializer {
  return {
    name: 'json',
    subprotocol: 'wamp.2.json',
    rawSocketId: 1,
    binary: false,
    encode: (message) => textEncoder.encode(JSON.stringify(message)),
    decode: (data) => JSON.parse(typeof data === 'string' ? data : textDecoder.decode(data)) as unknown,
  };
}

/** Shared by fake transports created without a serializer of their own. */
export const fakeSerializer: Serializer = createFakeSerializer();

export interface FakeTransportOptions {
  serializer?: Serializer;
  /** Largest encoded message the fake peer accepts; larger sends throw PayloadSizeExceededError. */
  maxOutgoingSize?: number;
}

/**
 * An in-memory Transport that records what the router sends (decoded back to messages, in order)
 * and lets a test inject inbound messages with `receive`.
 */
export class FakeTransport implements Transport {
  readonly serializer: Serializer;
  readonly info: TransportInfo = { kind: 'local', peer: 'fake', serializer: 'json' };
  maxOutgoingSize: number;
  bufferedAmount = 0;
  isOpen = true;
  /** Every message sent, decoded, in order (both `send` and `sendEncoded`). */
  readonly sent: WampMessage[] = [];
  /** The exact byte arrays handed to `sendEncoded`, in order. */
  readonly encodedFrames: Uint8Array[] = [];
  closeReason: string | undefined;
  #handlers: TransportHandlers | undefined;

  constructor(options: FakeTransportOptions = {}) {
    this.serializer = options.serializer ?? fakeSerializer;
    this.maxOutgoingSize = options.maxOutgoingSize ?? Number.POSITIVE_INFINITY;
  }

  attach(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }

  send(message: WampMessage): void {
    if (!this.isOpen) return;
    const bytes = this.serializer.encode(message);
    this.#checkSize(bytes);
    this.sent.push(this.serializer.decode(bytes) as WampMessage);
  }

  sendEncoded(bytes: Uint8Array): void {
    if (!this.isOpen) return;
    this.#checkSize(bytes);
    this.encodedFrames.push(bytes);
    this.sent.push(this.serializer.decode(bytes) as WampMessage);
  }

  close(reason = 'closed'): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closeReason = reason;
    const info: CloseInfo = { reason, local: true };
    this.#handlers?.onClose(info);
  }

  destroy(reason = 'destroyed'): void {
    this.close(reason);
  }

  /** Delivers an inbound message to the attached handlers, as if the peer had sent it. */
  receive(message: WampMessage): void {
    if (this.#handlers === undefined) throw new Error('FakeTransport.receive before attach');
    this.#handlers.onMessage(message);
  }

  /** Forgets what was sent so far. */
  clear(): void {
    this.sent.length = 0;
    this.encodedFrames.length = 0;
  }

  #checkSize(bytes: Uint8Array): void {
    if (bytes.length > this.maxOutgoingSize) throw new PayloadSizeExceededError(bytes.length, this.maxOutgoingSize);
  }
}

export interface FakeSessionOptions extends FakeTransportOptions {
  id?: number;
  realm?: string;
  authid?: string;
  authrole?: string;
  authmethod?: string;
  /** HELLO.Details.roles; defaults to all four client roles with no features. */
  roles?: Dict;
  maxQueueBytes?: number;
  onSlowConsumer?: (session: RouterSession) => void;
  transport?: FakeTransport;
}

let nextSessionId = 1000;

/** A RouterSession over a FakeTransport; ids count up from 1001 unless given. */
export function createFakeSession(options: FakeSessionOptions = {}): RouterSession {
  const id = options.id ?? ++nextSessionId;
  const identity: SessionIdentity = {
    authid: options.authid ?? `user-${id}`,
    authrole: options.authrole ?? 'user',
    authmethod: options.authmethod ?? 'anonymous',
    authprovider: 'static',
  };
  return new RouterSession({
    id,
    realm: options.realm ?? 'realm1',
    identity,
    roles: options.roles ?? { caller: {}, callee: {}, publisher: {}, subscriber: {} },
    transport: options.transport ?? new FakeTransport(options),
    maxQueueBytes: options.maxQueueBytes ?? Number.POSITIVE_INFINITY,
    onSlowConsumer: options.onSlowConsumer ?? (() => {}),
  });
}

/** The FakeTransport under a session made by createFakeSession. */
export function fakeTransportOf(session: RouterSession): FakeTransport {
  if (!(session.transport instanceof FakeTransport)) throw new Error('session does not use a FakeTransport');
  return session.transport;
}

/** Messages sent to a fake session so far, in order. */
export function sentTo(session: RouterSession): WampMessage[] {
  return fakeTransportOf(session).sent;
}
