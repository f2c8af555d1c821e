import { DEFAULT_CRA_ITERATIONS, DEFAULT_CRA_KEYLEN } from '../auth/auth-config.js';
import type { ConfigContext } from './context.js';
import { defaultPort, type ListenerFileConfig, type TlsFileConfig } from './listener-schema.js';
import type { RealmFileConfig, UserFileConfig } from './realm-schema.js';
import type { RouterFileConfig } from './schema.js';
import type { SecretFiles } from './secret-files.js';
import {
  DEFAULT_HOST,
  type ListenerConfig,
  type MqttListenerConfig,
  type RealmConfig,
  type RouterConfig,
  type TlsConfig,
  type UserConfig,
} from './types.js';

/**
 * The validated file (snake_case, as the schema gives it) as the RouterConfig the router runs
 * (camelCase): defaults that depend on other keys applied, paths resolved against the config
 * file's directory, secrets from files filled in. Only called when there are no problems.
 */
export function buildRouterConfig(file: RouterFileConfig, ctx: ConfigContext, secrets: SecretFiles): RouterConfig {
  return {
    listen: file.listen.map((listener) => buildListener(listener, ctx)),
    realms: file.realms.map((realm, index) => buildRealm(realm, (user) => secrets.get(index, user))),
    limits: {
      maxMessageSize: file.limits.max_message_size,
      maxSessions: file.limits.max_sessions,
      maxQueueBytes: file.limits.max_queue_bytes,
    },
    logLevel: file.log_level,
  };
}

/** A realm open to anonymous sessions, with no roles table (everything allowed). */
export function openRealm(name: string): RealmConfig {
  return { name, anonymous: { role: 'anonymous' }, users: [], strictUris: false };
}

function buildListener(listener: ListenerFileConfig, ctx: ConfigContext): ListenerConfig {
  const tls = listener.tls === undefined ? {} : { tls: buildTls(listener.tls, ctx) };
  switch (listener.type) {
    case 'universal':
      return { type: 'universal', host: listener.host, port: listener.port, ...tls, ...buildWebUi(listener, ctx) };
    case 'websocket':
      return { type: 'websocket', host: listener.host, port: listener.port, path: listener.path, ...tls, ...buildWebUi(listener, ctx) };
    case 'rawsocket':
      if (listener.path !== undefined) {
        const access = { ...(listener.mode !== undefined ? { mode: parseInt(listener.mode, 8) } : {}), ...(listener.group !== undefined ? { group: listener.group } : {}) };
        return { type: 'rawsocket', path: ctx.resolvePath(listener.path), ...access };
      }
      return { type: 'rawsocket', host: listener.host ?? DEFAULT_HOST, port: listener.port ?? defaultPort('rawsocket', false), ...tls };
    case 'mqtt': {
      const port = listener.port ?? defaultPort('mqtt', listener.tls !== undefined);
      const out: MqttListenerConfig = { type: 'mqtt', host: listener.host, port, realm: listener.realm, ...tls };
      // Only what the file says, as for the web UI keys: the defaults live with the gateway.
      if (listener.payload !== undefined) out.payload = listener.payload;
      if (listener.max_packet_size !== undefined) out.maxPacketSize = listener.max_packet_size;
      if (listener.inflight_window !== undefined) out.inflightWindow = listener.inflight_window;
      if (listener.max_queued_messages !== undefined) out.maxQueuedMessages = listener.max_queued_messages;
      return out;
    }
  }
}

type WebUiConfig = { ui?: false; webRoot?: string };

/** Only what differs from the default (UI on, the package's build), so plain listeners stay plain. */
function buildWebUi(listener: { ui?: boolean | undefined; web_root?: string | undefined }, ctx: ConfigContext): WebUiConfig {
  const out: WebUiConfig = {};
  if (listener.ui === false) out.ui = false;
  if (listener.web_root !== undefined) out.webRoot = ctx.resolvePath(listener.web_root);
  return out;
}

function buildTls(tls: TlsFileConfig, ctx: ConfigContext): TlsConfig {
  const out: TlsConfig = { cert: ctx.resolvePath(tls.cert), key: ctx.resolvePath(tls.key) };
  if (tls.ca !== undefined) out.ca = ctx.resolvePath(tls.ca);
  return out;
}

function buildRealm(realm: RealmFileConfig, secretOf: (user: number) => string | undefined): RealmConfig {
  const out: RealmConfig = {
    name: realm.name,
    users: realm.users.map((user, index) => buildUser(user, secretOf(index))),
    strictUris: realm.strict_uris,
  };
  if (realm.anonymous !== undefined) out.anonymous = { role: realm.anonymous.role };
  // fromEntries defines own properties, so a role named like an Object.prototype key stays a role.
  if (realm.roles !== undefined) out.roles = Object.fromEntries(Object.entries(realm.roles));
  return out;
}

/** `fromFile`: the secret read from ticket_file/secret_file (checks made sure there is one source). */
function buildUser(user: UserFileConfig, fromFile: string | undefined): UserConfig {
  const { authid, role } = user;
  switch (user.method) {
    case 'ticket':
      return { authid, method: 'ticket', ticket: user.ticket ?? fromFile ?? '', role };
    case 'wampcra': {
      const secret = user.secret ?? fromFile ?? '';
      if (user.salt === undefined) return { authid, method: 'wampcra', secret, role };
      const iterations = user.iterations ?? DEFAULT_CRA_ITERATIONS;
      return { authid, method: 'wampcra', secret, salt: user.salt, iterations, keylen: user.keylen ?? DEFAULT_CRA_KEYLEN, role };
    }
    case 'cryptosign':
      return { authid, method: 'cryptosign', pubkey: user.pubkey.toLowerCase(), role };
  }
}
