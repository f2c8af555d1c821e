import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { runDevice, type RunningDevice } from '../../src/cli/run-device.js';
import { parseFullDeviceConfig } from '../../src/cli/device-config.js';
import { formatProblem } from '../../src/common/config-problem.js';
import { silentLogger } from '../../src/common/logger.js';
import { parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';

/**
 * What the browser tests run: the UI built into a directory, a router whose universal listener
 * serves it at / (its `web_root`) and WAMP at /ws, and in-process devices that join the router
 * over RawSocket. scripts/bench/web-page.mjs follows the same recipe from dist/.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BuiltWeb {
  outDir: string;
  files: { path: string; raw: number; gzip: number; br: number; firstLoad: boolean }[];
  firstLoad: { raw: number; gzip: number; br: number };
}

/** Builds the UI with scripts/build-web.mjs into `outDir`. */
export async function buildWeb(outDir: string): Promise<BuiltWeb> {
  const url = pathToFileURL(join(ROOT, 'scripts/build-web.mjs')).href;
  const module = (await import(url)) as { buildWeb(options: { outDir: string }): Promise<BuiltWeb> };
  return module.buildWeb({ outDir });
}

/** The flags scripts/bench/web-page.mjs launches Chromium with: the tests use the same. */
export async function chromiumArgs(): Promise<string[]> {
  const url = pathToFileURL(join(ROOT, 'scripts/bench/web-page.mjs')).href;
  return ((await import(url)) as { CHROMIUM_ARGS: string[] }).CHROMIUM_ARGS;
}

export interface UiRouter {
  /** http://127.0.0.1:PORT/ */
  pageUrl: string;
  port: number;
  rawsocketUrl: string;
  running: RunningRouter;
  close(): Promise<void>;
}

/** A router on 127.0.0.1 (OS-assigned ports) serving the UI built in `webDir` on its universal listener. */
export async function startUiRouter(webDir: string, realms: unknown[] = [{ name: 'home', anonymous: { role: 'anonymous' } }]): Promise<UiRouter> {
  const yaml = stringify({
    listen: [
      { type: 'universal', host: '127.0.0.1', port: 0, web_root: webDir },
      { type: 'rawsocket', host: '127.0.0.1', port: 0 },
    ],
    realms,
  });
  const { config, problems } = parseRouterConfig(yaml, 'ui-router.yaml', {});
  if (config === undefined || problems.length > 0) throw new Error(`bad router config:\n${problems.map(formatProblem).join('\n')}`);
  const running = await startRouter(config);
  const portOf = (type: string): number => {
    const address = running.listeners.find((l) => l.config.type === type)?.address;
    if (address === undefined || 'path' in address) throw new Error(`no ${type} listener`);
    return address.port;
  };
  const port = portOf('universal');
  return {
    pageUrl: `http://127.0.0.1:${port}/`,
    port,
    rawsocketUrl: `rs://127.0.0.1:${portOf('rawsocket')}`,
    running,
    close: () => running.close(),
  };
}

export interface DeviceOptions {
  name?: string;
  /** Upstream credentials when the realm refuses anonymous sessions. */
  auth?: Record<string, string>;
  /** Sensor interval (default 200 ms: readings show up quickly). */
  interval?: string;
}

/**
 * A simulated device (light: switch, dimmer: dimmer, temperature and motion sensors) joined to
 * `upstreamUrl` the way `switchyard device` runs it.
 */
export async function startDevice(upstreamUrl: string, options: DeviceOptions = {}): Promise<RunningDevice> {
  const yaml = stringify({
    device: options.name ?? 'kitchen',
    realm: 'home',
    upstream: [{ url: upstreamUrl, ...(options.auth !== undefined ? { auth: options.auth } : {}) }],
    actuators: [
      { name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' },
      { name: 'dimmer', driver: 'simulated', kind: 'dimmer', initial: 0.5 },
    ],
    sensors: [
      { name: 'temperature', driver: 'simulated', min: 18, max: 24, seed: 7, unit: '°C', interval: options.interval ?? '200ms' },
      { name: 'motion', driver: 'simulated', kind: 'digital', seed: 3, interval: '1s' },
    ],
  });
  const { config, problems } = parseFullDeviceConfig(yaml, 'ui-device.yaml', {}, (path) => readFileSync(path, 'utf8'));
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  return runDevice(config, silentLogger, {});
}
