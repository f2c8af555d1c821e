import type { ConfigLogLevel } from '../../common/logger.js';
import type { RealmAuthConfig, UserConfig } from '../auth/auth-config.js';
import type { Action, RoleRule } from '../auth/authorizer.js';

/**
 * The router configuration, with every default applied (see PRODUCT.md "Router config").
 * YAML keys are snake_case; these fields are their camelCase names.
 */
export interface RouterConfig {
  listen: ListenerConfig[];
  realms: RealmConfig[];
  limits: Limits;
  logLevel: ConfigLogLevel;
}

export type { Action, RoleRule, UserConfig };
export type { CryptosignUserConfig, TicketUserConfig, WampCraUserConfig } from '../auth/auth-config.js';

export { CONFIG_LOG_LEVELS as LOG_LEVELS, type ConfigLogLevel } from '../../common/logger.js';

/** Certificate and key (PEM files) for a TLS listener; `ca` to require client certificates signed by it. */
export interface TlsConfig {
  cert: string;
  key: string;
  ca?: string;
}

interface TcpEndpoint {
  /** Address to bind; `0.0.0.0` (all IPv4 interfaces) when omitted in a config file. */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  tls?: TlsConfig;
  path?: undefined;
}

/** The browser UI on a listener's HTTP side. */
interface WebUi {
  /** `false`: no UI, `/` answers 404; absent or `true`: the UI is served at `/`. */
  ui?: boolean;
  /** Directory of the UI build to serve (resolved against the config file's directory); absent: the package's own build (`dist/web`). */
  webRoot?: string;
}

/** HTTP (the UI) + WebSocket at `/ws` + RawSocket (first byte 0x7F) on one port. */
export interface UniversalListenerConfig extends TcpEndpoint, WebUi {
  type: 'universal';
}

export interface WebSocketListenerConfig extends Omit<TcpEndpoint, 'path'>, WebUi {
  type: 'websocket';
  /** HTTP path of the WebSocket endpoint, default `/ws`. */
  path: string;
}

/** RawSocket over TCP (`rs://`, or `rss://` with `tls`). */
export interface RawSocketTcpListenerConfig extends TcpEndpoint {
  type: 'rawsocket';
}

/** RawSocket over a Unix domain socket (`unix:///path`). */
export interface RawSocketUnixListenerConfig {
  type: 'rawsocket';
  path: string;
  /** Permissions of the socket file (e.g. 0o660); default: what the umask leaves. */
  mode?: number;
  /** Group of the socket file: a group name or a numeric gid; default: the router's. */
  group?: string;
  host?: undefined;
  port?: undefined;
  tls?: undefined;
}

export type RawSocketListenerConfig = RawSocketTcpListenerConfig | RawSocketUnixListenerConfig;

/** MQTT 3.1.1 and 5.0 clients bridged into one realm (src/mqtt). Absent keys take their defaults there. */
export interface MqttListenerConfig extends TcpEndpoint {
  type: 'mqtt';
  realm: string;
  /** How MQTT payloads map to WAMP arguments: `json` (default) or `raw`. */
  payload?: MqttPayloadMode;
  /** Largest MQTT packet accepted, in bytes; default limits.maxMessageSize. */
  maxPacketSize?: number;
  /** QoS 1 messages in flight towards one client (default 20). */
  inflightWindow?: number;
  /** QoS 1 messages queued per session beyond those in flight, also while a persistent session is away (default 1000). */
  maxQueuedMessages?: number;
}

export type MqttPayloadMode = 'json' | 'raw';
export const MQTT_PAYLOAD_MODES: readonly MqttPayloadMode[] = ['json', 'raw'];
export const DEFAULT_MQTT_INFLIGHT_WINDOW = 20;
export const DEFAULT_MQTT_MAX_QUEUED_MESSAGES = 1000;

/** Discriminated on `type`; a rawsocket listener is a Unix socket when `path` is set. */
export type ListenerConfig =
  | UniversalListenerConfig
  | WebSocketListenerConfig
  | RawSocketListenerConfig
  | MqttListenerConfig;

export type ListenerType = ListenerConfig['type'];

/** Whether a listener is RawSocket over a Unix domain socket rather than TCP. */
export function isUnixListener(listener: ListenerConfig): listener is RawSocketUnixListenerConfig {
  return listener.type === 'rawsocket' && listener.path !== undefined;
}

export interface RealmConfig extends RealmAuthConfig {
  name: string;
  /** When absent, anonymous sessions are refused. */
  anonymous?: { role: string };
  users: UserConfig[];
  /** Permissions per role; absent means everything is allowed for every session. */
  roles?: Record<string, RoleRule[]>;
  /** Check URIs strictly (`[0-9a-z_]` components) rather than loosely. */
  strictUris: boolean;
}

export interface Limits {
  /** Largest message accepted or sent, in bytes. */
  maxMessageSize: number;
  /** Sessions open at once across all realms. */
  maxSessions: number;
  /** Unsent outbound bytes after which a session is a slow consumer and is disconnected. */
  maxQueueBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxMessageSize: 16_777_215,
  maxSessions: 1000,
  maxQueueBytes: 16_777_216,
};

export const DEFAULT_PORTS: Readonly<Record<ListenerType, number>> = {
  universal: 8080,
  websocket: 8080,
  rawsocket: 8081,
  mqtt: 1883,
};

/** MQTT over TLS, when `tls` is given and `port` is not. */
export const DEFAULT_MQTTS_PORT = 8883;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_WEBSOCKET_PATH = '/ws';
export const DEFAULT_REALM = 'home';
