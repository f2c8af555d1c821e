import { parentPort, workerData } from 'node:worker_threads';
import { type ConfigProblem, ConfigError } from '../common/config-problem.js';
import { listenerOriginNames } from '../router/listen-errors.js';
import type { ConfigReply, ConfigRequest } from './device-config-file.js';
import { loadFullDeviceConfig } from './device-config.js';

/**
 * The worker thread that reads a device config for `switchyard device` (device-config-file.ts):
 * the YAML parser and the schemas live and die here. Answers one ConfigReply and ends.
 */
const { file, env } = workerData as ConfigRequest;
const warnings: ConfigProblem[] = [];
let reply: ConfigReply;
try {
  const config = loadFullDeviceConfig(file, env, (w) => warnings.push(w));
  reply = { config, listenerOrigins: listenerOriginNames(config.local_router?.listen ?? []), warnings };
} catch (error) {
  reply =
    error instanceof ConfigError
      ? { warnings, message: error.message, problems: error.problems }
      : { warnings, message: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(reply);
