import { z } from 'zod';
import { strictMap } from '../../common/schema-parts.js';
import { boolean, path, port, text } from './fields.js';
import { DEFAULT_HOST, DEFAULT_MQTTS_PORT, DEFAULT_PORTS, DEFAULT_REALM, DEFAULT_WEBSOCKET_PATH, type ListenerType } from './types.js';

/**
 * The `listen:` entries of the router config, discriminated by `type`. Keys are as in the YAML
 * file. A rawsocket listener with `path` is a Unix socket: that it then has no host, port or
 * tls, and which listeners clash, is checked in listener-checks.ts.
 */

export const tlsSchema = strictMap({
  cert: path('Certificate chain (PEM) the listener presents.'),
  key: path('Private key (PEM) of the certificate.'),
  ca: path('CA certificate (PEM): when given, clients must present a certificate signed by it.').optional(),
}).describe('Serve TLS (wss://, rss://, mqtts) with this certificate and key.');

const ui = boolean('Serve the browser UI at / on this listener (default true); false: / answers 404.');
const webRoot = path('Directory of another UI build to serve (index.html and its assets); default: the one built into the package.');

const host = text('Address to bind: 0.0.0.0 for all IPv4 interfaces, :: for all IPv6 ones, 127.0.0.1 for this machine only.');

export const universalListenerSchema = strictMap({
  type: z.literal('universal').describe('HTTP, WebSocket at /ws and RawSocket (first byte 0x7F) on one port.'),
  host: host.default(DEFAULT_HOST),
  port: port('TCP port; 0 picks a free one.').default(DEFAULT_PORTS.universal),
  tls: tlsSchema.optional(),
  ui: ui.optional(),
  web_root: webRoot.optional(),
});

export const websocketListenerSchema = strictMap({
  type: z.literal('websocket').describe('WAMP over WebSocket only.'),
  host: host.default(DEFAULT_HOST),
  port: port('TCP port; 0 picks a free one.').default(DEFAULT_PORTS.websocket),
  path: text('HTTP path of the WebSocket endpoint.', { pattern: /^\/\S*$/, expected: 'an HTTP path such as /ws' }).default(
    DEFAULT_WEBSOCKET_PATH,
  ),
  tls: tlsSchema.optional(),
  ui: ui.optional(),
  web_root: webRoot.optional(),
});

export const rawsocketListenerSchema = strictMap({
  type: z.literal('rawsocket').describe('WAMP over RawSocket: TCP (rs://, rss:// with tls) or a Unix socket (with path).'),
  host: host.optional().describe(`Address to bind (TCP only); default ${DEFAULT_HOST}.`),
  port: port(`TCP port; default ${DEFAULT_PORTS.rawsocket}; 0 picks a free one.`).optional(),
  path: path('Unix domain socket to listen on instead of TCP (unix:///path); then no host, port or tls.').optional(),
  tls: tlsSchema.optional(),
});

export const mqttListenerSchema = strictMap({
  type: z.literal('mqtt').describe('MQTT 3.1.1 clients, bridged into one realm.'),
  host: host.default(DEFAULT_HOST),
  port: port(`TCP port; default ${DEFAULT_PORTS.mqtt}, or ${DEFAULT_MQTTS_PORT} with tls; 0 picks a free one.`).optional(),
  realm: text('Realm the MQTT clients are bridged into; it must be defined in realms.').default(DEFAULT_REALM),
  tls: tlsSchema.optional(),
});

export const listenerSchema = z
  .discriminatedUnion('type', [universalListenerSchema, websocketListenerSchema, rawsocketListenerSchema, mqttListenerSchema])
  .describe('One listener: where clients connect, and with which protocol.');

export const LISTENER_TYPES = listenerSchema.options.map((option) => option.shape.type.value);

/** The port a TCP listener of `type` takes when `port` is omitted. */
export function defaultPort(type: ListenerType, tls: boolean): number {
  return type === 'mqtt' && tls ? DEFAULT_MQTTS_PORT : DEFAULT_PORTS[type];
}

export type TlsFileConfig = z.output<typeof tlsSchema>;
export type ListenerFileConfig = z.output<typeof listenerSchema>;
