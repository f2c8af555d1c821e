import { readFileSync } from 'node:fs';
import type { ConfigProblem } from '../common/config-problem.js';
import { type Env, ROOT_KEY } from '../common/yaml-schema.js';
import { loadDeviceConfig, parseDeviceConfig, type DeviceConfig, type DeviceConfigReadOptions } from '../device/config/load.js';
import { parseLocalRouterConfig, type RouterConfig } from '../router/config.js';
import { readPrivateKeyFile } from '../key-file.js';

/**
 * A device config read the way `switchyard device` and `check` need it: the device layer's
 * reader, given the router's own reader for the `local_router:` block (the device layer never
 * imports the router) and the key-file reader for cryptosign upstreams. The block's realms
 * default to the device's realm, open to anonymous sessions, and must include it when given.
 */
export type FullDeviceConfig = DeviceConfig<RouterConfig>;

export interface FullDeviceConfigOptions {
  /** Check the local router's listeners against this machine (TLS files, socket directories). */
  checkFiles?: boolean;
  /** Receives the local router's warnings (e.g. a realm nobody can join). */
  onWarning?: (warning: ConfigProblem) => void;
}

function readOptions(env: Env, readFile: (path: string) => string, options: FullDeviceConfigOptions): DeviceConfigReadOptions<RouterConfig> {
  return {
    env,
    readFile,
    readPrivateKey: (path) => readPrivateKeyFile(path).seedHex,
    readLocalRouter: (text, file, realm) => {
      const parsed = parseLocalRouterConfig(text, file, env, readFile, realm, { checkFiles: options.checkFiles === true });
      for (const warning of parsed.warnings) options.onWarning?.(warning);
      return parsed;
    },
  };
}

export function parseFullDeviceConfig(
  text: string,
  file: string,
  env: Env,
  readFile: (path: string) => string,
  options: FullDeviceConfigOptions = {},
): { config?: FullDeviceConfig; problems: ConfigProblem[] } {
  const parsed = parseDeviceConfig(text, file, readOptions(env, readFile, options));
  if (parsed.config !== undefined) warnUnreachable(parsed.config, file, options);
  return parsed;
}

/**
 * Reads a device config file for running it (`switchyard device`, in config-worker.ts or in
 * process): the local router is checked against this machine.
 */
export function loadFullDeviceConfig(file: string, env: Env, onWarning?: (warning: ConfigProblem) => void): FullDeviceConfig {
  const options: FullDeviceConfigOptions = { checkFiles: true, onWarning };
  const config = loadDeviceConfig(file, readOptions(env, (path) => readFileSync(path, 'utf8'), options));
  warnUnreachable(config, file, options);
  return config;
}

/** Valid, but useless: with neither an upstream nor a local router nobody can reach the device. */
function warnUnreachable(config: FullDeviceConfig, file: string, options: FullDeviceConfigOptions): void {
  if (config.upstream.length > 0 || config.local_router !== undefined) return;
  options.onWarning?.({ file, line: 1, key: ROOT_KEY, message: 'no upstream and no local_router: nothing can reach this device' });
}
