import { z } from 'zod';
import { strictMap } from '../../common/schema-parts.js';
import { integer } from './fields.js';
import { listenerSchema } from './listener-schema.js';
import { realmSchema, type RealmFileConfig } from './realm-schema.js';
import { DEFAULT_LIMITS, DEFAULT_PORTS, LOG_LEVELS } from './types.js';

/**
 * The router config file (PRODUCT.md "Router config"), described once: validation, JSON Schema
 * and reference all come from here. Keys are snake_case as in the YAML file; config.ts maps
 * the result onto the camelCase RouterConfig. Checks that involve more than one entry, or
 * files, are in checks.ts and secret-files.ts.
 */

/** Where the router listens without `listen:` (this machine only). */
export const DEFAULT_LISTENERS = [
  { type: 'universal', host: '127.0.0.1', port: DEFAULT_PORTS.universal },
  { type: 'rawsocket', host: '127.0.0.1', port: DEFAULT_PORTS.rawsocket },
] as const;

const listen = z
  .array(listenerSchema)
  .min(1, { error: 'expected at least one listener' })
  .default(() => DEFAULT_LISTENERS.map((listener) => ({ ...listener })))
  .describe(`Listeners; default: universal on 127.0.0.1:${DEFAULT_PORTS.universal} and rawsocket on 127.0.0.1:${DEFAULT_PORTS.rawsocket}.`);

const realms = z.array(realmSchema).min(1, { error: 'expected at least one realm' }).describe('Realms; names unique.');

export const limitsSchema = strictMap({
  max_message_size: integer('Largest message accepted or sent, in bytes.', 1).default(DEFAULT_LIMITS.maxMessageSize),
  max_sessions: integer('Sessions open at once across all realms.', 1).default(DEFAULT_LIMITS.maxSessions),
  max_queue_bytes: integer('Unsent outbound bytes after which a session is a slow consumer and is disconnected.', 1).default(
    DEFAULT_LIMITS.maxQueueBytes,
  ),
}).describe('Resource limits.');

const logLevel = z.enum(LOG_LEVELS).default('info').describe('Least severe level logged (to stderr, one line per event).');

export const routerConfigSchema = strictMap({
  listen,
  realms,
  limits: limitsSchema.prefault({}),
  log_level: logLevel,
});

/**
 * The schema of a device config's `local_router:` block: the router config, where `realms` may
 * be omitted and then means `defaultRealm` (the device's) open to anonymous sessions.
 */
export function localRouterConfigSchema(defaultRealm: string) {
  return strictMap({
    ...routerConfigSchema.shape,
    realms: realms
      .default(() => [openRealmFile(defaultRealm)])
      .describe(`Realms; default: only '${defaultRealm}' (the device's realm), open to anonymous sessions.`),
  });
}

/** A realm open to anonymous sessions with no roles table, as the file would say it. */
function openRealmFile(name: string): RealmFileConfig {
  return { name, anonymous: { role: 'anonymous' }, strict_uris: false, users: [] };
}

export type RouterFileConfig = z.output<typeof routerConfigSchema>;
