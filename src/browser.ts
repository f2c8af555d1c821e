/**
 * switchyard's public API in a browser (package.json "exports" → "browser"): the client over the
 * native WebSocket, the errors and the protocol. Nothing reachable from here imports node:* or
 * `ws` (test/architecture.test.ts follows every import). The router and the RawSocket transport
 * need Node: import the package from Node for those (src/index.ts).
 */
import { connect as connectWith, type ConnectOptions, type ManagedSession } from './client/connection.js';
import type { TransportFactory } from './client/connector.js';
import { browserWebSocketFactory } from './transport/websocket/browser-connector.js';

// ---- client: sessions and the reconnecting connection ---------------------------------------
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

/** The browser TransportFactory (native WebSocket); the assignment checks that it fits the client's type. */
export const browserTransportFactory: TransportFactory = browserWebSocketFactory;

/** connect() options where the transport factory is optional (default: the native WebSocket). */
export type BrowserConnectOptions = Omit<ConnectOptions, 'transportFactory'> & { transportFactory?: TransportFactory };

/**
 * Opens a session that reconnects: `connect({ url: 'wss://edge.local/ws', realm: 'home' })`.
 * Resolves on the first WELCOME; see ManagedSession for the behaviour across reconnects.
 */
export function connect(options: BrowserConnectOptions): Promise<ManagedSession> {
  return connectWith({ ...options, transportFactory: options.transportFactory ?? browserTransportFactory });
}
