import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { HttpHandler, Listener, ListenAddress, TlsCredentials } from '../transport/listener.js';
import { listenRawSocket } from '../transport/rawsocket/listener.js';
import type { Transport } from '../transport/transport.js';
import { listenUniversal } from '../transport/universal-listener.js';
import { groupIdOf, SocketAccessError, type UnixSocketAccess } from '../transport/unix-socket-access.js';
import { listenWebSocket } from '../transport/websocket/listener.js';
import { createAuthorizer } from './auth/authorizer.js';
import { createRealmAuthenticators } from './auth/realm-authenticators.js';
import type { ListenerConfig, MqttListenerConfig, RouterConfig, TlsConfig } from './config.js';
import { listenFailure, TlsFileError } from './listen-errors.js';
import { Router } from './router.js';
import { createStaticHandler, DEFAULT_WEB_ROOT } from './static-files.js';

/** How long a shutdown waits for sessions to answer GOODBYE before dropping them. */
const SHUTDOWN_GRACE_MS = 1000;

export interface ServeOptions {
  logger?: Logger;
  clock?: Clock;
  /**
   * Plain HTTP requests on universal/websocket listeners. Default: the web UI (the listener's
   * `webRoot`, or the package's build) unless the listener says `ui: false`, then 404.
   */
  http?: HttpHandler;
  /**
   * Binds `type: mqtt` listeners (src/mqtt `listenMqtt`, injected: the router does not import the
   * MQTT gateway). With it, a universal listener also hands connections whose first byte is 0x10
   * (an MQTT CONNECT) to the config's first mqtt listener. Without it, mqtt listeners are skipped
   * with a warning.
   */
  mqtt?: MqttListenerFactory;
}

/** What an MQTT listener needs from startRouter (see src/mqtt/listener.ts). */
export interface MqttListenOptions {
  router: Router;
  realm: string;
  payload: 'json' | 'raw';
  /** Largest packet accepted, in bytes (default: limits.max_message_size). */
  maxPacketSize: number;
  inflightWindow?: number;
  maxQueuedMessages?: number;
  maxConnections: number;
  tls?: TlsCredentials;
  logger: Logger;
  /** Time a client has to send CONNECT (default 10 s). */
  handshakeTimeoutMs?: number;
}

/** A bound MQTT listener; `accept` also serves MQTT connections arriving on a universal port. */
export interface MqttListener extends Listener {
  /** Takes a connection whose first bytes, already read, are `head`. */
  accept(socket: Socket, head: Buffer): void;
}

export type MqttListenerFactory = (target: { host: string; port: number }, options: MqttListenOptions) => Promise<MqttListener>;

export interface BoundListener {
  config: ListenerConfig;
  address: ListenAddress;
}

export interface RunningRouter {
  router: Router;
  listeners: BoundListener[];
  /** GOODBYE to every session, then stops the listeners and drops what is left. */
  close(): Promise<void>;
}

/** Builds a Router from a config (realms, auth, limits) without any listener. */
export function createRouter(config: RouterConfig, options: Omit<ServeOptions, 'http'> = {}): Router {
  return new Router({
    realms: config.realms.map((realm) => ({
      name: realm.name,
      uriMode: realm.strictUris ? 'strict' : 'loose',
      authenticators: createRealmAuthenticators(realm),
      authorizer: createAuthorizer(realm.roles),
    })),
    limits: { maxSessions: config.limits.maxSessions, maxQueueBytes: config.limits.maxQueueBytes },
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
}

/**
 * Starts a router with every listener of its config. A listener that cannot start stops it all
 * with a ConfigError naming its key (`router.yaml:4: listen[1].port: … is already in use`).
 */
export async function startRouter(config: RouterConfig, options: ServeOptions = {}): Promise<RunningRouter> {
  return serveRouter(createRouter(config, options), config, options);
}

/**
 * Opens the config's listeners for a router built by createRouter. Whatever is attached to the
 * router before (an in-process session, say) is there before the first client can connect.
 */
export async function serveRouter(router: Router, config: RouterConfig, options: Omit<ServeOptions, 'clock'> = {}): Promise<RunningRouter> {
  const logger = options.logger ?? silentLogger;
  const onTransport = (transport: Transport) => router.attach(transport);
  const web = webUi(options, logger);
  const mqtt = mqttListeners(router, config, options.mqtt, logger);
  const bound: { config: ListenerConfig; listener: Listener }[] = [];
  try {
    for (const listenerConfig of config.listen) {
      const listener = await listen(listenerConfig, config, onTransport, web, mqtt, logger).catch((error: unknown) => {
        throw listenFailure(listenerConfig, error);
      });
      if (listener === null) continue;
      bound.push({ config: listenerConfig, listener });
      logger.info('listening', { type: listenerKind(listenerConfig), address: describe(listener.address()) });
    }
  } catch (error) {
    await Promise.all(bound.map(({ listener }) => listener.close()));
    throw error;
  }
  return {
    router,
    listeners: bound.map(({ config: c, listener }) => ({ config: c, address: listener.address() })),
    async close() {
      // GOODBYE to every session; give them a moment to answer before the sockets are dropped.
      router.close();
      await router.drained(SHUTDOWN_GRACE_MS);
      await Promise.all(bound.map(({ listener }) => listener.close()));
    },
  };
}

/** The HTTP handler of a universal/websocket listener; undefined: 404 for everything. */
type WebUi = (listener: { ui?: boolean; webRoot?: string }) => HttpHandler | undefined;

/** `options.http` when given; else one static handler per web root, shared by the listeners serving it. */
function webUi(options: ServeOptions, logger: Logger): WebUi {
  const handlers = new Map<string, HttpHandler>();
  return (listener) => {
    if (options.http !== undefined) return options.http;
    if (listener.ui === false) return undefined;
    const root = resolve(listener.webRoot ?? DEFAULT_WEB_ROOT);
    let handler = handlers.get(root);
    if (handler === undefined) {
      handler = createStaticHandler({ root, logger });
      handlers.set(root, handler);
    }
    return handler;
  };
}

/** Binds mqtt listeners with the injected factory; `universal` routes a universal port's MQTT connections. */
interface MqttListeners {
  listen(listener: MqttListenerConfig): Promise<Listener | null>;
  /** For a universal listener: undefined without the factory or without an mqtt listener in the config. */
  universal: ((socket: Socket, head: Buffer) => void) | undefined;
}

function mqttListeners(router: Router, config: RouterConfig, factory: MqttListenerFactory | undefined, logger: Logger): MqttListeners {
  let first: MqttListener | undefined;
  const wanted = factory !== undefined && config.listen.some((l) => l.type === 'mqtt');
  return {
    async listen(listener) {
      if (factory === undefined) {
        logger.warn('MQTT listeners are not implemented yet; skipping', { port: listener.port });
        return null;
      }
      const bound = await factory(
        { host: listener.host, port: listener.port },
        {
          router,
          realm: listener.realm,
          payload: listener.payload ?? 'json',
          maxPacketSize: listener.maxPacketSize ?? config.limits.maxMessageSize,
          ...(listener.inflightWindow !== undefined ? { inflightWindow: listener.inflightWindow } : {}),
          ...(listener.maxQueuedMessages !== undefined ? { maxQueuedMessages: listener.maxQueuedMessages } : {}),
          maxConnections: config.limits.maxSessions,
          ...(await tlsOption(listener.tls)),
          logger: logger.child({ component: 'mqtt' }),
        },
      );
      first ??= bound;
      return bound;
    },
    universal: wanted
      ? (socket, head) => {
          // The universal listener may be bound before the first mqtt listener.
          if (first === undefined) socket.destroy();
          else first.accept(socket, head);
        }
      : undefined,
  };
}

async function listen(
  listener: ListenerConfig,
  config: RouterConfig,
  onTransport: (transport: Transport) => void,
  web: WebUi,
  mqtt: MqttListeners,
  logger: Logger,
): Promise<Listener | null> {
  const common = {
    onTransport,
    maxMessageSize: config.limits.maxMessageSize,
    maxConnections: config.limits.maxSessions,
    logger,
  };
  const handler = listener.type === 'universal' || listener.type === 'websocket' ? web(listener) : undefined;
  const http = handler !== undefined ? { http: handler } : {};
  switch (listener.type) {
    case 'universal':
      if (listener.tls !== undefined) {
        throw new Error(`TLS is not available on a universal listener (port ${listener.port}); use type: websocket or rawsocket`);
      }
      return listenUniversal(
        { host: listener.host, port: listener.port },
        { ...common, ...http, ...(mqtt.universal !== undefined ? { mqtt: mqtt.universal } : {}) },
      );
    case 'websocket':
      return listenWebSocket(
        { host: listener.host, port: listener.port },
        { ...common, ...http, wsPath: listener.path, ...(await tlsOption(listener.tls)) },
      );
    case 'rawsocket':
      if (listener.path !== undefined) return listenRawSocket({ path: listener.path }, { ...common, ...unixSocketOption(listener) });
      return listenRawSocket({ host: listener.host, port: listener.port }, { ...common, ...(await tlsOption(listener.tls)) });
    case 'mqtt':
      return mqtt.listen(listener);
  }
}

async function tlsOption(tls: TlsConfig | undefined): Promise<{ tls?: TlsCredentials }> {
  if (tls === undefined) return {};
  const read = (key: 'cert' | 'key' | 'ca', file: string) => readFile(file).catch((error: unknown) => {
    throw new TlsFileError(key, file, error);
  });
  const [cert, key, ca] = await Promise.all([
    read('cert', tls.cert),
    read('key', tls.key),
    tls.ca !== undefined ? read('ca', tls.ca) : Promise.resolve(undefined),
  ]);
  return { tls: { cert, key, ...(ca !== undefined ? { ca } : {}) } };
}

/** A Unix socket listener's `mode` and `group` (a name looked up in /etc/group). */
function unixSocketOption(listener: { mode?: number; group?: string }): { unixSocket?: UnixSocketAccess } {
  if (listener.mode === undefined && listener.group === undefined) return {};
  const gid = listener.group === undefined ? undefined : groupIdOf(listener.group);
  if (listener.group !== undefined && gid === undefined) {
    throw new SocketAccessError('group', `no group named ${listener.group} on this machine`, undefined);
  }
  return { unixSocket: { ...(listener.mode !== undefined ? { mode: listener.mode } : {}), ...(gid !== undefined ? { gid } : {}) } };
}

/** `universal`, `rawsocket+tls`, …: what a log line calls the listener. */
export function listenerKind(listener: ListenerConfig): string {
  return listener.tls !== undefined ? `${listener.type}+tls` : listener.type;
}

/** `127.0.0.1:8080` or `/run/switchyard/router.sock`. */
export function describe(address: ListenAddress): string {
  return 'path' in address ? address.path : `${address.host}:${address.port}`;
}
