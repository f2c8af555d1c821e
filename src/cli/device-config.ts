import { dirname } from 'node:path';
import type { ConfigProblem } from '../common/config-problem.js';
import { YamlSource, type Env } from '../common/yaml-source.js';
import { loadDeviceConfig, parseDeviceConfig, type DeviceConfig, type DeviceConfigReadOptions } from '../device/config/load.js';
import { readRouterConfig, type RouterConfig } from '../router/config.js';
import { readPrivateKeyFile } from './key-file.js';

/**
 * A device config read the way `switchyard device` and `check` need it: the device layer's
 * reader, given the router's own reader for the `local_router:` block (the device layer never
 * imports the router) and the key-file reader for cryptosign upstreams.
 */
export type FullDeviceConfig = DeviceConfig<RouterConfig>;

function readOptions(env: Env, readFile: (path: string) => string): DeviceConfigReadOptions<RouterConfig> {
  return {
    env,
    readFile,
    readPrivateKey: (path) => readPrivateKeyFile(path).seedHex,
    readLocalRouter: (text, file, realm) => readLocalRouter(text, file, realm, env, readFile),
  };
}

export function parseFullDeviceConfig(text: string, file: string, env: Env, readFile: (path: string) => string): { config?: FullDeviceConfig; problems: ConfigProblem[] } {
  return parseDeviceConfig(text, file, readOptions(env, readFile));
}

export function loadFullDeviceConfig(file: string, env: Env, readFile: (path: string) => string): FullDeviceConfig {
  return loadDeviceConfig(file, readOptions(env, readFile));
}

/** The router config reader on the `local_router` block; its realm defaults to the device's, open to anonymous sessions. */
function readLocalRouter(
  text: string,
  file: string,
  realm: string,
  env: Env,
  readFile: (path: string) => string,
): { config?: RouterConfig; problems: readonly ConfigProblem[] } {
  const source = new YamlSource(text, file, { env });
  const value = source.root().map()?.get('local_router');
  if (value === undefined) return { problems: source.problems };
  const config = readRouterConfig(value, { baseDir: dirname(file), readFile, defaultRealm: realm });
  if (config !== undefined && !config.realms.some((entry) => entry.name === realm)) {
    value.map()?.get('realms').problem(`the device's realm '${realm}' is not among these realms`);
  }
  return source.problems.length === 0 && config !== undefined ? { config, problems: [] } : { problems: source.problems };
}
