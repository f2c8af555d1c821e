/**
 * The Node entry of the client: `connect()` with the Node transport factory injected
 * (RawSocket over TCP, TLS and Unix sockets; WebSocket through `ws`). Browsers use
 * src/browser.ts, whose `connect()` dials the native WebSocket instead.
 */
import { connect as connectWith, type ConnectOptions, type ManagedSession } from './client/connection.js';
import type { TransportFactory } from './client/connector.js';
import { nodeConnector } from './transport/node-connector.js';

export type { ManagedSession } from './client/connection.js';

/** The Node TransportFactory; the assignment checks that nodeConnector fits the client's type. */
export const nodeTransportFactory: TransportFactory = nodeConnector;

/** connect() options where the transport factory is optional (default: the Node one). */
export type NodeConnectOptions = Omit<ConnectOptions, 'transportFactory'> & { transportFactory?: TransportFactory };

/**
 * Opens a session that reconnects: `connect({ url: 'rs://127.0.0.1:8081', realm: 'home' })`.
 * Resolves on the first WELCOME; see ManagedSession for the behaviour across reconnects.
 */
export function connect(options: NodeConnectOptions): Promise<ManagedSession> {
  return connectWith({ ...options, transportFactory: options.transportFactory ?? nodeTransportFactory });
}
