import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { ConfigError, describeReadError, type ConfigProblem } from '../common/config-problem.js';
import { type Env, validateYaml } from '../common/yaml-schema.js';
import { buildRouterConfig, openRealm } from './config/build.js';
import { checkRouterConfig, warnRouterConfig } from './config/checks.js';
import { createConfigContext } from './config/context.js';
import { checkListenerFiles } from './config/file-checks.js';
import { setListenerOrigin } from './listen-errors.js';
import { DEFAULT_LISTENERS, localRouterConfigSchema, routerConfigSchema, type RouterFileConfig } from './config/schema.js';
import { rawMap } from './config/raw.js';
import { readSecretFiles } from './config/secret-files.js';
import { DEFAULT_LIMITS, DEFAULT_REALM, type RouterConfig } from './config/types.js';

/**
 * The router config file (PRODUCT.md "Router config"): YAML → RouterConfig with defaults
 * applied, or every problem in the file at once, each at its line as `file:line: key: message`.
 * The file is described by the zod schema in config/schema.ts; what it cannot say (across
 * entries, secret files) is checked in config/checks.ts and config/secret-files.ts.
 */
export * from './config/types.js';
export { openRealm } from './config/build.js';
export { setListenerOrigin, type ListenerOrigin } from './listen-errors.js';
export { localRouterConfigSchema, routerConfigSchema } from './config/schema.js';
export { ConfigError, type ConfigProblem, formatProblem } from '../common/config-problem.js';

export interface ParsedRouterConfig {
  /** Present only when there are no problems. */
  config?: RouterConfig;
  /** Sorted by line. */
  problems: ConfigProblem[];
  /** Valid but surely not meant (a realm nobody can join, a socket directory not there yet); sorted by line. */
  warnings: ConfigProblem[];
}

/** Reads `ticket_file`/`secret_file` (UTF-8); throws like fs.readFileSync. */
export type ReadFile = (path: string) => string;

export interface RouterConfigCheckOptions {
  /**
   * Also check the listeners against this machine (file-checks.ts): TLS files readable and
   * matching, Unix socket directories writable, socket groups known. `switchyard check` and
   * the router's start-up do; default false (the config may be meant for another machine).
   */
  checkFiles?: boolean;
}

/**
 * Validates router config text. `file` names it in problems and locates relative paths; `env`
 * expands `${NAME}` in string values; `readFile` reads `ticket_file`/`secret_file`.
 */
export function parseRouterConfig(
  text: string,
  file: string,
  env: Env = process.env,
  readFile: ReadFile = readUtf8,
  options: RouterConfigCheckOptions = {},
): ParsedRouterConfig {
  return parseWith(routerConfigSchema, text, file, env, readFile, options);
}

/**
 * Validates the `local_router:` block of a device config (`text` is the whole device config):
 * problems are keyed `local_router.…` at their lines in the file. `realms` may be omitted and
 * then means `deviceRealm` open to anonymous sessions; when given, it must include `deviceRealm`.
 */
export function parseLocalRouterConfig(
  text: string,
  file: string,
  env: Env,
  readFile: ReadFile,
  deviceRealm: string,
  options: RouterConfigCheckOptions = {},
): ParsedRouterConfig {
  return parseWith(localRouterConfigSchema(deviceRealm), text, file, env, readFile, { ...options, at: ['local_router'], defaultRealm: deviceRealm });
}

/**
 * Reads and validates a router config file, with the checks against this machine (see
 * RouterConfigCheckOptions); throws ConfigError listing every problem, one per line.
 * `onWarning` receives each warning.
 */
export function loadRouterConfig(path: string, env: Env = process.env, options: { onWarning?: (warning: ConfigProblem) => void } = {}): RouterConfig {
  let text: string;
  try {
    text = readUtf8(path);
  } catch (error) {
    throw new ConfigError(`cannot read router config ${path}: ${describeReadError(error)}`);
  }
  const { config, problems, warnings } = parseRouterConfig(text, path, env, readUtf8, { checkFiles: true });
  if (config === undefined) throw ConfigError.fromProblems(problems);
  for (const warning of warnings) options.onWarning?.(warning);
  return config;
}

/**
 * What `switchyard router` runs without `--config`: 127.0.0.1 only (8080 universal, 8081
 * RawSocket) and realm `home` open to anonymous sessions with no roles table.
 */
export function defaultRouterConfig(): RouterConfig {
  return {
    listen: DEFAULT_LISTENERS.map((listener) => ({ ...listener })),
    realms: [openRealm(DEFAULT_REALM)],
    limits: { ...DEFAULT_LIMITS },
    logLevel: 'info',
  };
}

/** Schema, then the checks across entries and the secret files (all reported at once), then the mapping. */
function parseWith(
  schema: z.ZodType<RouterFileConfig>,
  text: string,
  file: string,
  env: Env,
  readFile: ReadFile,
  options: RouterConfigCheckOptions & { at?: readonly PropertyKey[]; defaultRealm?: string },
): ParsedRouterConfig {
  const result = validateYaml(text, file, schema, env, { at: options.at });
  if (!('data' in result)) return { problems: result.problems, warnings: [] }; // YAML syntax errors: nothing to check
  const doc = result.document;
  const ctx = createConfigContext(dirname(file), readFile);
  const checks = checkRouterConfig(result.data, { ctx, doc, defaultRealm: options.defaultRealm });
  const flagged = new Set(result.problems.map((problem) => problem.key));
  const secrets = readSecretFiles(rawMap(result.data)?.realms, ctx, (path) => flagged.has(doc.key(path)));
  const problems = [...result.problems, ...[...checks, ...secrets.issues].map((issue) => doc.problem(issue))];
  const warnings = warnRouterConfig(result.data).map((issue) => doc.problem(issue));
  if (problems.length > 0 || result.value === undefined) return { problems: byLine(problems), warnings: byLine(warnings) };
  const config = buildRouterConfig(result.value, ctx, secrets);
  if (options.checkFiles === true) {
    const files = checkListenerFiles(config, ctx);
    warnings.push(...files.warnings.map((issue) => doc.problem(issue)));
    if (files.problems.length > 0) return { problems: byLine(files.problems.map((issue) => doc.problem(issue))), warnings: byLine(warnings) };
  }
  config.listen.forEach((listener, index) => {
    setListenerOrigin(listener, (key) => {
      const path = ['listen', index, ...key];
      return `${file}:${doc.lineOf(path)}: ${doc.key(path)}`;
    });
  });
  return { config, problems, warnings: byLine(warnings) };
}

function byLine(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line);
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}
