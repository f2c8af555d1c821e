import type tls from 'node:tls';
import WebSocket, { type ClientOptions } from 'ws';
import type { ParseOptions } from '../protocol/parse.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import { explainConnectError } from './connect-errors.js';
import { connectRawSocket, type RawSocketConnectOptions, type RawSocketTarget } from './rawsocket/client.js';
import type { Transport } from './transport.js';
import { connectWebSocket, type WebSocketConstructor } from './websocket/client.js';

/**
 * The Node transport factory injected into the client's `connect()` (src/node.ts):
 * rs:// rss:// unix:// through connectRawSocket, ws:// wss:// through connectWebSocket with `ws`.
 *
 * The transport layer may not import src/client, so the URL and option shapes are declared here
 * structurally; they match client/url.ts `ParsedUrl` and client/connector.ts
 * `TransportFactoryOptions`, and the compiler checks the fit where src/node.ts injects it.
 */
export type NodeConnectTarget =
  | { kind: 'rawsocket'; tls: boolean; host: string; port: number; url: string }
  | { kind: 'rawsocket'; tls: false; socketPath: string; url: string }
  | { kind: 'websocket'; tls: boolean; host: string; port: number; path: string; url: string };

export interface NodeTransportOptions {
  timeoutMs?: number;
  parse?: ParseOptions;
  maxMessageSize?: number;
  tls?: NodeTlsOptions;
}

/** PEM text or bytes, as node:tls takes them. */
export interface NodeTlsOptions {
  ca?: string | Uint8Array | (string | Uint8Array)[];
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/**
 * Opens a transport to `target`; rejects with the transport's error when it cannot, or with a
 * ConnectError (connect-errors.ts) that says in one line what is wrong with TLS or the URL.
 */
export async function nodeConnector(target: NodeConnectTarget, serializer: Serializer, options: NodeTransportOptions = {}): Promise<Transport> {
  try {
    if (target.kind === 'rawsocket') return await connectRawSocket(rawSocketTarget(target), rawSocketOptions(target, serializer, options));
    return await connectWebSocket(target.url, {
      serializer,
      WebSocket: webSocketConstructor(target, options),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.parse !== undefined ? { parse: options.parse } : {}),
    });
  } catch (error) {
    throw 'socketPath' in target ? error : explainConnectError(error, target);
  }
}

function rawSocketTarget(target: Extract<NodeConnectTarget, { kind: 'rawsocket' }>): RawSocketTarget {
  return 'socketPath' in target ? { path: target.socketPath } : { host: target.host, port: target.port };
}

function rawSocketOptions(
  target: Extract<NodeConnectTarget, { kind: 'rawsocket' }>,
  serializer: Serializer,
  options: NodeTransportOptions,
): RawSocketConnectOptions {
  const result: RawSocketConnectOptions = { serializer };
  if (options.timeoutMs !== undefined) result.timeoutMs = options.timeoutMs;
  if (options.parse !== undefined) result.parse = options.parse;
  if (options.maxMessageSize !== undefined) result.maxMessageSize = options.maxMessageSize;
  if (target.tls) result.tls = tlsOptions(options.tls);
  return result;
}

function tlsOptions(options: NodeTlsOptions | undefined): tls.ConnectionOptions {
  if (options === undefined) return {};
  const result: tls.ConnectionOptions = {};
  if (options.ca !== undefined) result.ca = options.ca as tls.ConnectionOptions['ca'];
  if (options.cert !== undefined) result.cert = options.cert as tls.ConnectionOptions['cert'];
  if (options.key !== undefined) result.key = options.key as tls.ConnectionOptions['key'];
  if (options.rejectUnauthorized !== undefined) result.rejectUnauthorized = options.rejectUnauthorized;
  if (options.servername !== undefined) result.servername = options.servername;
  return result;
}

/** `ws`'s WebSocket, bound to the options the browser API has no place for (TLS, size limit). */
function webSocketConstructor(target: NodeConnectTarget, options: NodeTransportOptions): WebSocketConstructor {
  const wsOptions: ClientOptions = {};
  if (options.maxMessageSize !== undefined) wsOptions.maxPayload = options.maxMessageSize;
  if (target.tls) Object.assign(wsOptions, tlsOptions(options.tls));
  if (Object.keys(wsOptions).length === 0) return WebSocket;
  return class BoundWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, wsOptions);
    }
  };
}
