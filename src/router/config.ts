import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, type ConfigProblem } from '../common/config-problem.js';
import { type Env, YamlSource } from '../common/yaml-source.js';
import type { YamlValue } from '../common/yaml-value.js';
import { createConfigContext, describeReadError } from './config/context.js';
import { checkListeners, readListeners } from './config/listeners.js';
import { openRealm, readRealms } from './config/realms.js';
import {
  DEFAULT_LIMITS,
  DEFAULT_PORTS,
  DEFAULT_REALM,
  type Limits,
  type ListenerConfig,
  LOG_LEVELS,
  type RouterConfig,
} from './config/types.js';

/**
 * The router config file (PRODUCT.md "Router config"): YAML → RouterConfig with defaults
 * applied, or every problem in the file at once, each at its line as `file:line: key: message`.
 */
export * from './config/types.js';
export { openRealm } from './config/realms.js';
export { ConfigError, type ConfigProblem, formatProblem } from '../common/config-problem.js';

const ROUTER_KEYS = ['listen', 'realms', 'limits', 'log_level'];
const LIMIT_KEYS = ['max_message_size', 'max_sessions', 'max_queue_bytes'];

export interface ParsedRouterConfig {
  /** Present only when there are no problems. */
  config?: RouterConfig;
  /** Sorted by line. */
  problems: ConfigProblem[];
}

export interface RouterConfigReadOptions {
  /** Directory that relative paths (secret files, TLS files, Unix sockets) start from. */
  baseDir: string;
  readFile: (path: string) => string;
  /**
   * When set, `realms` may be omitted and means this one realm, open to anonymous sessions (the
   * `local_router:` block of a device config). Otherwise `realms` is required.
   */
  defaultRealm?: string;
}

/**
 * Validates router config text. `file` names it in problems and locates relative paths; `env`
 * expands `${NAME}` in string values; `readFile` reads `ticket_file`/`secret_file`.
 */
export function parseRouterConfig(
  text: string,
  file: string,
  env: Env = process.env,
  readFile: (path: string) => string = readUtf8,
): ParsedRouterConfig {
  const source = new YamlSource(text, file, { env });
  const config = readRouterConfig(source.root(), { baseDir: dirname(file), readFile });
  const problems = [...source.problems].sort((a, b) => a.line - b.line);
  return problems.length === 0 && config !== undefined ? { config, problems } : { problems };
}

/** Reads and validates a router config file; throws ConfigError listing every problem, one per line. */
export function loadRouterConfig(path: string, env: Env = process.env): RouterConfig {
  let text: string;
  try {
    text = readUtf8(path);
  } catch (error) {
    throw new ConfigError(`cannot read router config ${path}: ${describeReadError(error)}`);
  }
  const { config, problems } = parseRouterConfig(text, path, env);
  if (config === undefined) throw ConfigError.fromProblems(problems);
  return config;
}

/**
 * What `switchyard router` runs without `--config`: 127.0.0.1 only (8080 universal, 8081
 * RawSocket) and realm `home` open to anonymous sessions with no roles table.
 */
export function defaultRouterConfig(): RouterConfig {
  return {
    listen: defaultListeners(),
    realms: [openRealm(DEFAULT_REALM)],
    limits: { ...DEFAULT_LIMITS },
    logLevel: 'info',
  };
}

/**
 * Reads a router config from a YAML value at any path (the whole file, or a device config's
 * `local_router:` block), reporting problems into the value's YamlSource. Returns undefined
 * only when the value is not a mapping; check `source.problems` before using the result.
 */
export function readRouterConfig(value: YamlValue, options: RouterConfigReadOptions): RouterConfig | undefined {
  const at = value.map();
  if (at === undefined) return undefined;
  at.allowOnly(ROUTER_KEYS);
  const ctx = createConfigContext(options.baseDir, options.readFile);
  const realms =
    options.defaultRealm !== undefined && !at.has('realms')
      ? [openRealm(options.defaultRealm)]
      : (readRealms(at.require('realms'), ctx) ?? []);
  const read = at.has('listen') ? readListeners(at.get('listen'), ctx) : undefined;
  if (read !== undefined) checkListeners(read, new Set(realms.map((realm) => realm.name)));
  return {
    listen: read === undefined ? defaultListeners() : read.map((listener) => listener.config),
    realms,
    limits: readLimits(at.get('limits')),
    logLevel: at.get('log_level').oneOf(LOG_LEVELS) ?? 'info',
  };
}

function readLimits(value: YamlValue): Limits {
  const at = value.map();
  if (at === undefined) return { ...DEFAULT_LIMITS };
  at.allowOnly(LIMIT_KEYS);
  return {
    maxMessageSize: at.get('max_message_size').integer({ min: 1 }) ?? DEFAULT_LIMITS.maxMessageSize,
    maxSessions: at.get('max_sessions').integer({ min: 1 }) ?? DEFAULT_LIMITS.maxSessions,
    maxQueueBytes: at.get('max_queue_bytes').integer({ min: 1 }) ?? DEFAULT_LIMITS.maxQueueBytes,
  };
}

function defaultListeners(): ListenerConfig[] {
  return [
    { type: 'universal', host: '127.0.0.1', port: DEFAULT_PORTS.universal },
    { type: 'rawsocket', host: '127.0.0.1', port: DEFAULT_PORTS.rawsocket },
  ];
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}
