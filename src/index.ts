/**
 * switchyard's public API for Node (package.json "exports" → "default"). Browsers get
 * src/browser.ts instead ("browser" condition): the same client, errors and protocol names, with
 * a `connect` that dials the native WebSocket, and no router or Node transports.
 * Named re-exports only: whatever is not listed here is internal.
 */

// ---- client: sessions and the reconnecting connection ---------------------------------------
export { connect, nodeTransportFactory, type NodeConnectOptions } from './node.js';
export { Session, result, CallResult, type JoinOptions, type SessionCloseInfo } from './client/session.js';
export {
  ManagedSession,
  type ConnectOptions,
  type ConnectionState,
  type ReconnectOptions,
  type RestoreFailure,
  type RestoreFailureListener,
  type StateEvent,
  type StateListener,
} from './client/connection.js';
export type { TlsClientOptions, TransportFactory, TransportFactoryOptions } from './client/connector.js';
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
export type { ParseOptions } from './protocol/parse.js';
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

// ---- transports ------------------------------------------------------------------------------
export type { CloseInfo, Transport, TransportHandlers, TransportInfo } from './transport/transport.js';
export { linkedPair, type LinkedPairOptions, type LocalTransport } from './transport/local.js';
export { connectRawSocket, type RawSocketConnectOptions, type RawSocketTarget } from './transport/rawsocket/client.js';
export { connectWebSocket, type WebSocketConnectOptions, type WebSocketConstructor } from './transport/websocket/client.js';

// ---- router ----------------------------------------------------------------------------------
export { Router, type RouterOptions } from './router/router.js';
export { createRouter, startRouter, type RunningRouter, type ServeOptions } from './router/serve.js';
export {
  defaultRouterConfig,
  formatProblem,
  loadRouterConfig,
  parseRouterConfig,
  type ConfigProblem,
  type ParsedRouterConfig,
  type RouterConfig,
} from './router/config.js';
