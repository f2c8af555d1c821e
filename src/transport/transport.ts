import type { ProtocolError } from '../protocol/errors.js';
import type { WampMessage } from '../protocol/messages.js';
import type { Serializer } from '../protocol/serializers/serializer.js';

/** Why a transport closed. `error` is set when it failed rather than closed cleanly. */
export interface CloseInfo {
  reason: string;
  /** true when this side initiated the close. */
  local: boolean;
  error?: Error;
}

/** What the owner of a transport (a router session or a client session) receives. */
export interface TransportHandlers {
  /** A decoded, validated message (parseMessage has run). */
  onMessage(message: WampMessage): void;
  /**
   * Bytes that did not decode or a message that did not validate. The transport stays open so the
   * owner can send ABORT `wamp.error.protocol_violation` and then close it.
   */
  onProtocolError(error: ProtocolError): void;
  /** Called exactly once, whatever the cause. */
  onClose(info: CloseInfo): void;
}

export type TransportKind = 'rawsocket' | 'websocket' | 'local';

/** Facts about the connection, reported in session meta data (`transport` in on_join). */
export interface TransportInfo {
  kind: TransportKind;
  /** e.g. `tcp4:127.0.0.1:53211`, `unix:/run/switchyard/router.sock`, `local`. */
  peer: string;
  /** The negotiated serializer name. */
  serializer: string;
  /** WebSocket subprotocol, when there is one. */
  protocol?: string;
  tls?: boolean;
  /** HTTP headers of the WebSocket upgrade request, when there is one. */
  httpHeaders?: Record<string, string | string[] | undefined>;
}

/**
 * One established WAMP connection (after the RawSocket handshake or WebSocket upgrade), carrying
 * whole WAMP messages with a negotiated serializer. Nothing is delivered before `attach`.
 */
export interface Transport {
  readonly serializer: Serializer;
  readonly info: TransportInfo;
  /** The largest serialized message the peer accepts (bytes). */
  readonly maxOutgoingSize: number;
  /** Bytes written but not yet handed to the kernel (socket.writableLength / ws.bufferedAmount). */
  readonly bufferedAmount: number;
  readonly isOpen: boolean;

  /** Starts delivering inbound messages to `handlers`; messages that arrived earlier are queued. */
  attach(handlers: TransportHandlers): void;
  /**
   * Serializes and sends a message. Throws PayloadSizeExceededError when the encoded message is
   * larger than `maxOutgoingSize` (nothing is sent). Silently ignored when the transport is closed.
   */
  send(message: WampMessage): void;
  /**
   * Sends bytes already produced by `this.serializer.encode` — lets a router serialize an EVENT
   * once and write the same bytes to many subscribers. Same size rule as `send`.
   */
  sendEncoded(bytes: Uint8Array): void;
  /** Flushes what is queued and closes. onClose follows. */
  close(reason?: string): void;
  /**
   * Drops the connection at once, discarding what is queued (a slow consumer, a dead link).
   * onClose follows.
   */
  destroy(reason?: string): void;
}
