import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ConfigProblem, ConfigError } from '../common/config-problem.js';
import type { Env } from '../common/yaml-schema.js';
import { restoreListenerOrigins } from '../router/listen-errors.js';
import type { FullDeviceConfig } from './device-config.js';

/**
 * Reads a device config file for `switchyard device`, off the main thread when it can. The YAML
 * parser, the schema library and the schemas are start-up work: read in a worker thread, whose
 * heap goes when it ends, they never join the long-running process (about 3 MiB less resident).
 * The worker is the built CLI's `config-worker.js` (scripts/build-cli.mjs); run from source,
 * where there is none, the config is read in-process.
 * Either way the result is the same: the config, or a ConfigError listing every problem.
 */
export async function readDeviceConfigFile(file: string, env: Env, onWarning: (warning: ConfigProblem) => void): Promise<FullDeviceConfig> {
  const worker = new URL('./config-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(worker))) {
    const { loadFullDeviceConfig } = await import('./device-config.js');
    return loadFullDeviceConfig(file, env, onWarning);
  }
  const reply = await askWorker(worker, { file, env } satisfies ConfigRequest);
  for (const warning of reply.warnings) onWarning(warning);
  if (reply.config !== undefined) {
    // So that a local router listener that cannot start is named by its file:line and key.
    if (reply.config.local_router !== undefined) restoreListenerOrigins(reply.config.local_router.listen, reply.listenerOrigins ?? []);
    return reply.config;
  }
  if (reply.problems !== undefined) throw new ConfigError(reply.message ?? '', reply.problems);
  throw new Error(reply.message ?? 'the config worker failed');
}

/** What config-worker.ts is given (workerData). */
export interface ConfigRequest {
  file: string;
  env: Env;
}

/** What it answers, once: the config, or the ConfigError's message and problems, or another failure's message. */
export interface ConfigReply {
  config?: FullDeviceConfig;
  /** With `config`: its local router listeners' origins (listen-errors.ts), which a clone loses. */
  listenerOrigins?: Record<string, string>[];
  warnings: ConfigProblem[];
  message?: string;
  problems?: readonly ConfigProblem[];
}

function askWorker(url: URL, request: ConfigRequest): Promise<ConfigReply> {
  return new Promise((resolve, reject) => {
    // No inherited flags (--inspect, say, would clash with the parent's port).
    const worker = new Worker(url, { workerData: request, execArgv: [] });
    let reply: ConfigReply | undefined;
    worker.once('message', (message: ConfigReply) => (reply = message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (reply !== undefined) resolve(reply);
      else reject(new Error(`the config worker exited (${code}) without an answer`));
    });
  });
}
