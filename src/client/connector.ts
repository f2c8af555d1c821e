import type { ParseOptions } from '../protocol/parse.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import type { Transport } from '../transport/transport.js';
import type { ParsedUrl } from './url.js';

/**
 * How the client opens a transport. The client layer is browser-safe, so it never dials sockets
 * itself: `connect()` is given a factory. src/transport/node-connector.ts is the Node one
 * (RawSocket over TCP/TLS/Unix socket, WebSocket through `ws`); a browser passes one built on
 * its native WebSocket.
 */
export type TransportFactory = (url: ParsedUrl, serializer: Serializer, options: TransportFactoryOptions) => Promise<Transport>;

/** TLS settings for rss:// and wss:// (Node only; PEM text or bytes). */
export interface TlsClientOptions {
  /** Trusted CA certificate(s), e.g. a router's self-signed certificate. */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /** A client certificate and its key. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  /** Default true. Turning it off accepts any certificate: tests only. */
  rejectUnauthorized?: boolean;
  /** SNI / the name checked against the certificate (default: the URL's host name). */
  servername?: string;
}

export interface TransportFactoryOptions {
  /** Limit for connecting plus the transport handshake (RawSocket handshake / HTTP upgrade). */
  timeoutMs: number;
  /** Passed to the transport's message parser; the client sets `lenientIds` (fox-wamp sends string ids). */
  parse: ParseOptions;
  /** This side's receive limit in octets (default: the transport's, 2^24). */
  maxMessageSize?: number;
  tls?: TlsClientOptions;
}

/** A transport that can send a RawSocket PING and await its PONG (RawSocketTransport). */
export interface PingableTransport extends Transport {
  ping(): Promise<number>;
}

/** Whether the transport offers `ping()`; only RawSocket transports do. */
export function isPingable(transport: Transport): transport is PingableTransport {
  return typeof (transport as Partial<PingableTransport>).ping === 'function';
}
