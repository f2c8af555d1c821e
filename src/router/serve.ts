import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Listener, ListenAddress, TlsCredentials } from '../transport/listener.js';
import { listenRawSocket } from '../transport/rawsocket/listener.js';
import type { Transport } from '../transport/transport.js';
import { listenUniversal } from '../transport/universal-listener.js';
import { listenWebSocket, type HttpHandler } from '../transport/websocket/listener.js';
import { createAuthorizer } from './auth/authorizer.js';
import { createRealmAuthenticators } from './auth/realm-authenticators.js';
import type { ListenerConfig, RouterConfig, TlsConfig } from './config.js';
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
}

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

/** Starts a router with every listener of its config. A listener that cannot bind stops it all. */
export async function startRouter(config: RouterConfig, options: ServeOptions = {}): Promise<RunningRouter> {
  const logger = options.logger ?? silentLogger;
  const router = createRouter(config, options);
  const onTransport = (transport: Transport) => router.attach(transport);
  const web = webUi(options, logger);
  const bound: { config: ListenerConfig; listener: Listener }[] = [];
  try {
    for (const listenerConfig of config.listen) {
      const listener = await listen(listenerConfig, config, onTransport, web, logger);
      if (listener === null) continue;
      bound.push({ config: listenerConfig, listener });
      logger.info('listening', { type: listenerConfig.type, address: describe(listener.address()) });
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

async function listen(
  listener: ListenerConfig,
  config: RouterConfig,
  onTransport: (transport: Transport) => void,
  web: WebUi,
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
      return listenUniversal({ host: listener.host, port: listener.port }, { ...common, ...http });
    case 'websocket':
      return listenWebSocket(
        { host: listener.host, port: listener.port },
        { ...common, ...http, wsPath: listener.path, ...(await tlsOption(listener.tls)) },
      );
    case 'rawsocket':
      if (listener.path !== undefined) return listenRawSocket({ path: listener.path }, common);
      return listenRawSocket({ host: listener.host, port: listener.port }, { ...common, ...(await tlsOption(listener.tls)) });
    case 'mqtt':
      logger.warn('MQTT listeners are not implemented yet; skipping', { port: listener.port });
      return null;
  }
}

async function tlsOption(tls: TlsConfig | undefined): Promise<{ tls?: TlsCredentials }> {
  if (tls === undefined) return {};
  const [cert, key, ca] = await Promise.all([
    readFile(tls.cert),
    readFile(tls.key),
    tls.ca !== undefined ? readFile(tls.ca) : Promise.resolve(undefined),
  ]);
  return { tls: { cert, key, ...(ca !== undefined ? { ca } : {}) } };
}

/** `127.0.0.1:8080` or `/run/switchyard/router.sock`. */
export function describe(address: ListenAddress): string {
  return 'path' in address ? address.path : `${address.host}:${address.port}`;
}
