import { z } from 'zod';
import { strictMap } from '../../common/schema-parts.js';
import { boolean, integer, path, port, text } from './fields.js';
import {
  DEFAULT_HOST,
  DEFAULT_MQTT_INFLIGHT_WINDOW,
  DEFAULT_MQTT_MAX_QUEUED_MESSAGES,
  DEFAULT_MQTTS_PORT,
  DEFAULT_PORTS,
  DEFAULT_REALM,
  DEFAULT_WEBSOCKET_PATH,
  MQTT_PAYLOAD_MODES,
  type ListenerType,
} from './types.js';

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
  mode: text('Unix socket only: permissions of the socket file, octal and quoted, e.g. "0660" lets the group connect; default: what the umask leaves.', {
    pattern: /^0?[0-7]{3}$/,
    expected: 'octal permissions in quotes, such as "0660"',
  }).optional(),
  group: text('Unix socket only: group of the socket file, a name or a numeric gid (quoted); the router must be a member. Default: the router’s group.').optional(),
});

/** MQTT's own ceiling: a remaining length of 268,435,455 plus a 5-byte fixed header. */
const MQTT_MAX_PACKET = 268_435_460;

export const mqttListenerSchema = strictMap({
  type: z.literal('mqtt').describe('MQTT 3.1.1 and 5.0 clients, bridged into one realm (docs/mqtt.md).'),
  host: host.default(DEFAULT_HOST),
  port: port(`TCP port; default ${DEFAULT_PORTS.mqtt}, or ${DEFAULT_MQTTS_PORT} with tls; 0 picks a free one.`).optional(),
  realm: text('Realm the MQTT clients are bridged into; it must be defined in realms.').default(DEFAULT_REALM),
  tls: tlsSchema.optional(),
  payload: z
    .enum(MQTT_PAYLOAD_MODES)
    .describe(
      'Payload mapping: json (default) makes a JSON object payload the kwargs and anything else one arg; raw passes the bytes as one binary arg.',
    )
    .optional(),
  max_packet_size: integer('Largest MQTT packet accepted, in bytes; default limits.max_message_size.', 64, MQTT_MAX_PACKET).optional(),
  inflight_window: integer(
    `QoS 1 messages sent to one client and not yet acknowledged (default ${DEFAULT_MQTT_INFLIGHT_WINDOW}); also the Receive Maximum announced to 5.0 clients.`,
    1,
    65_535,
  ).optional(),
  max_queued_messages: integer(
    `QoS 1 messages queued per session beyond those in flight, also while a persistent session is away; newer ones are dropped (default ${DEFAULT_MQTT_MAX_QUEUED_MESSAGES}).`,
    0,
  ).optional(),
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
