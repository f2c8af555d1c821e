// Browser-safe: no 'ws' and no node:* imports (test/architecture.test.ts checks the whole graph).
import type { ParseOptions } from '../../protocol/parse.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import type { Transport } from '../transport.js';
import { connectWebSocket, type WebSocketConstructor } from './client.js';

/**
 * The browser's transport factory for the client's `connect()` (src/browser.ts): ws:// and wss://
 * through connectWebSocket with the native `globalThis.WebSocket`, looked up on each call.
 * RawSocket URLs need TCP sockets and are refused.
 *
 * The transport layer may not import src/client, so the URL and option shapes are declared here
 * structurally; they match client/url.ts `ParsedUrl` and client/connector.ts
 * `TransportFactoryOptions`, and the compiler checks the fit where src/browser.ts injects it.
 * A browser chooses its own TLS trust and receive limit: `tls` and `maxMessageSize` are not
 * settable there and are ignored.
 */
export type BrowserConnectTarget = { kind: 'websocket'; url: string } | { kind: 'rawsocket'; url: string };

export interface BrowserTransportOptions {
  timeoutMs?: number;
  parse?: ParseOptions;
}

/** Opens a WebSocket transport to `target`; rejects for RawSocket URLs and where there is no WebSocket. */
export function browserWebSocketFactory(
  target: BrowserConnectTarget,
  serializer: Serializer,
  options: BrowserTransportOptions = {},
): Promise<Transport> {
  if (target.kind !== 'websocket') {
    return Promise.reject(new Error(`cannot open ${target.url} in a browser: RawSocket needs Node; use a ws:// or wss:// URL`));
  }
  const WebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocket !== 'function') {
    return Promise.reject(new Error(`cannot open ${target.url}: this environment has no global WebSocket`));
  }
  return connectWebSocket(target.url, {
    serializer,
    WebSocket,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.parse !== undefined ? { parse: options.parse } : {}),
  });
}
