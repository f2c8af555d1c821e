import type { YamlMap, YamlValue } from '../../common/yaml-value.js';
import type { ConfigContext } from './context.js';
import {
  DEFAULT_HOST,
  DEFAULT_MQTTS_PORT,
  DEFAULT_PORTS,
  DEFAULT_REALM,
  DEFAULT_WEBSOCKET_PATH,
  isUnixListener,
  type ListenerConfig,
  type ListenerType,
  type TlsConfig,
} from './types.js';

/** Keys each listener type takes (`path` on rawsocket means a Unix socket). */
const LISTENER_KEYS: Readonly<Record<ListenerType, readonly string[]>> = {
  universal: ['type', 'host', 'port', 'tls'],
  websocket: ['type', 'host', 'port', 'path', 'tls'],
  rawsocket: ['type', 'host', 'port', 'path', 'tls'],
  mqtt: ['type', 'host', 'port', 'realm', 'tls'],
};
const LISTENER_TYPES = Object.keys(LISTENER_KEYS) as ListenerType[];
const TLS_KEYS = ['cert', 'key', 'ca'];
const PORT = { min: 0, max: 65535 };
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/** A listener read from the file, with the mapping it came from (for cross-checks). */
export interface ReadListener {
  config: ListenerConfig;
  at: YamlMap;
}

export function readListeners(value: YamlValue, ctx: ConfigContext): ReadListener[] | undefined {
  let count = 0;
  const listeners = value.list((item) => {
    count++;
    return readListener(item, ctx);
  });
  if (listeners !== undefined && count === 0) value.problem('expected at least one listener');
  return listeners;
}

/**
 * Problems that involve more than one entry: an mqtt listener whose realm is not defined, and
 * two listeners on the same port (or Unix socket path).
 */
export function checkListeners(listeners: readonly ReadListener[], realmNames: ReadonlySet<string>): void {
  const taken: ReadListener[] = [];
  for (const listener of listeners) {
    const { config, at } = listener;
    if (config.type === 'mqtt' && !realmNames.has(config.realm)) {
      const realm = at.get('realm');
      realm.problem(`realm '${config.realm}'${realm.present ? '' : ' (the default)'} is not defined in realms`);
    }
    const clash = taken.find((other) => clashes(other.config, config));
    if (clash !== undefined) {
      const unix = isUnixListener(config);
      const what = unix ? `path ${config.path}` : `port ${config.port}`;
      at.get(unix ? 'path' : 'port').problem(`${what} is already used by ${clash.at.self.path}`);
    }
    taken.push(listener);
  }
}

function readListener(item: YamlValue, ctx: ConfigContext): ReadListener | undefined {
  const at = item.map();
  if (at === undefined) return undefined;
  const type = at.require('type').oneOf(LISTENER_TYPES);
  if (type === undefined) return undefined;
  at.allowOnly(LISTENER_KEYS[type]);
  const config = type === 'rawsocket' && at.has('path') ? readUnixListener(at, ctx) : readTcpListener(type, at, ctx);
  return config === undefined ? undefined : { config, at };
}

function readTcpListener(type: ListenerType, at: YamlMap, ctx: ConfigContext): ListenerConfig | undefined {
  const tls = readTls(at.get('tls'), ctx);
  const host = at.get('host').string({ nonEmpty: true }) ?? DEFAULT_HOST;
  const defaultPort = type === 'mqtt' && tls !== undefined ? DEFAULT_MQTTS_PORT : DEFAULT_PORTS[type];
  const port = at.get('port').integer(PORT) ?? defaultPort;
  const endpoint = tls === undefined ? { host, port } : { host, port, tls };
  switch (type) {
    case 'universal':
    case 'rawsocket':
      return { type, ...endpoint };
    case 'websocket': {
      const path = at.get('path').string({ pattern: /^\/\S*$/, expected: 'an HTTP path such as /ws' });
      return { type, ...endpoint, path: path ?? DEFAULT_WEBSOCKET_PATH };
    }
    case 'mqtt':
      return { type, ...endpoint, realm: at.get('realm').string({ nonEmpty: true }) ?? DEFAULT_REALM };
  }
}

function readUnixListener(at: YamlMap, ctx: ConfigContext): ListenerConfig | undefined {
  for (const key of ['host', 'port', 'tls']) {
    if (at.has(key)) at.get(key).problem('a Unix socket listener (with path) takes no host, port or tls');
  }
  const path = at.get('path').string({ nonEmpty: true });
  return path === undefined ? undefined : { type: 'rawsocket', path: ctx.resolvePath(path) };
}

function readTls(value: YamlValue, ctx: ConfigContext): TlsConfig | undefined {
  const at = value.map();
  if (at === undefined) return undefined;
  at.allowOnly(TLS_KEYS);
  const cert = at.require('cert').string({ nonEmpty: true });
  const key = at.require('key').string({ nonEmpty: true });
  const ca = at.get('ca').string({ nonEmpty: true });
  if (cert === undefined || key === undefined) return undefined;
  const tls: TlsConfig = { cert: ctx.resolvePath(cert), key: ctx.resolvePath(key) };
  if (ca !== undefined) tls.ca = ctx.resolvePath(ca);
  return tls;
}

function clashes(a: ListenerConfig, b: ListenerConfig): boolean {
  if (isUnixListener(a) || isUnixListener(b)) return isUnixListener(a) && isUnixListener(b) && a.path === b.path;
  if (a.port === 0 || a.port !== b.port) return false;
  return a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host);
}
