/**
 * The browser-safe part of the public API, shared by both entry points: src/index.ts (Node) and
 * src/browser.ts. Named re-exports only; nothing reachable from here imports node:* or `ws`.
 */
// ---- client: sessions and the reconnecting connection ---------------------------------------
export { Session, result, CallResult, type JoinOptions, type SessionCloseInfo } from './client/session.js';
export {
  ManagedSession,
  type ConnectOptions,
  type Endpoint,
  type ConnectionState,
  type ReconnectOptions,
  type RestoreFailure,
  type RestoreFailureListener,
  type StateEvent,
  type StateListener,
} from './client/connection.js';
export type { TransportFactory, TransportFactoryOptions } from './client/connector.js';
export type { LivenessOptions } from './client/liveness.js';
export type { BackoffOptions } from './client/backoff.js';
export { InvalidUrlError, parseUrl, type ParsedUrl } from './client/url.js';
export type {
  AuthOptions,
  CallOptions,
  CancelMode,
  Event,
  EventHandler,
  Invocation,
  Procedure,
  PublishOptions,
  RegisterOptions,
  Registration,
  Result,
  SubscribeOptions,
  Subscription,
  WampApi,
} from './client/types.js';

// ---- errors ----------------------------------------------------------------------------------
export { WampError, ApplicationError, ProtocolError, PayloadSizeExceededError } from './protocol/errors.js';
export {
  CanceledError,
  TimeoutError,
  SessionClosedError,
  AbortedError,
  AuthenticationError,
  errorFromWire,
  type SessionClosedOptions,
} from './client/errors.js';

// ---- protocol --------------------------------------------------------------------------------
export { MessageType, messageTypeName } from './protocol/message-type.js';
export type { Args, Dict, WampMessage } from './protocol/messages.js';
export { ErrorUri, CloseUri, isValidUri, type MatchPolicy, type UriMode } from './protocol/uris.js';
export {
  ALL_SERIALIZERS,
  cborSerializer,
  jsonSerializer,
  msgpackSerializer,
  serializerByName,
  serializerByRawSocketId,
  serializerBySubprotocol,
  type Serializer,
  type SerializerName,
} from './protocol/serializers/index.js';

// ---- transports (browser-safe ones) ----------------------------------------------------------
export type { Transport, TransportInfo } from './transport/transport.js';
export { linkedPair, type LinkedPairOptions } from './transport/local.js';
export { connectWebSocket, type WebSocketConnectOptions, type WebSocketConstructor } from './transport/websocket/client.js';
