/**
 * switchyard's public API in a browser (package.json "exports" → "browser"): the client over the
 * native WebSocket, the errors and the protocol. Nothing reachable from here imports node:* or
 * `ws` (test/architecture.test.ts follows every import). The router and the RawSocket transport
 * need Node: import the package from Node for those (src/index.ts).
 */
import { connect as connectWith, type ConnectOptions, type ManagedSession } from './client/connection.js';
import type { TransportFactory } from './client/connector.js';
import { browserWebSocketFactory } from './transport/websocket/browser-connector.js';

export * from './public-api.js';

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
