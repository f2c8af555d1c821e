/**
 * switchyard's public API for Node (package.json "exports" → "default"). Browsers get
 * src/browser.ts instead ("browser" condition): the same client, errors and protocol names, with
 * a `connect` that dials the native WebSocket, and no router or Node transports.
 * Named re-exports only: whatever is not listed here is internal.
 */

// ---- the browser-safe client, errors, protocol and transports -------------------------------
export * from './public-api.js';

// ---- Node only: connect() over RawSocket/WebSocket, raw transports ---------------------------
export { connect, nodeTransportFactory, type NodeConnectOptions } from './node.js';
export type { TlsClientOptions } from './client/connector.js';
export { generateKeyPair, KeyFileError, readPrivateKeyFile, type KeyPair, type PrivateKey } from './key-file.js';
export { ConnectError, type ConnectErrorCode } from './transport/connect-errors.js';
export type { ParseOptions } from './protocol/parse.js';
export type { CloseInfo, TransportHandlers } from './transport/transport.js';
export type { LocalTransport } from './transport/local.js';
export { connectRawSocket, type RawSocketConnectOptions, type RawSocketTarget } from './transport/rawsocket/client.js';

// ---- router ----------------------------------------------------------------------------------
export { Router, type RouterOptions } from './router/router.js';
export { createRouter, serveRouter, startRouter, type RunningRouter, type ServeOptions } from './router/serve.js';
export {
  ConfigError,
  defaultRouterConfig,
  formatProblem,
  loadRouterConfig,
  parseRouterConfig,
  type ConfigProblem,
  type ParsedRouterConfig,
  type RouterConfig,
} from './router/config.js';
