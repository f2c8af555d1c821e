import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ManagedSession } from '../../client/managed-session.js';
import type { ConfigProblem } from '../../common/config-problem.js';
import type { Logger } from '../../common/logger.js';
import { DeviceHost } from '../../device/device-host.js';
import { mqttGatewayFor } from '../mqtt-gateway.js';
import { nodeDriverContext } from '../../device/node-driver-context.js';
import { describe, startRouter, type RunningRouter } from '../../router/serve.js';
import { linkedPair } from '../../transport/local.js';
import { nodeConnector } from '../../transport/node-connector.js';
import { parseCommandArgs, printUsage } from '../args.js';
import { type CliIo, type Command, untilAborted } from '../command.js';
import { type FullDeviceConfig, loadFullDeviceConfig } from '../device-config.js';
import { logLevelFlag, serviceLogger } from '../options.js';
import { SystemdNotifier } from '../systemd-notify.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard device CONFIG.yaml [--log-level LEVEL]

Runs a device: its drivers, a session to the first reachable upstream router (readings
buffered while it is away), and its embedded router when the config has local_router.
Actuators are procedures ({prefix}.{device}.{name}.set|get|toggle), sensor readings are
events ({prefix}.{device}.{name}). An invalid config is reported like "switchyard check".
SIGINT or SIGTERM writes the safe states, publishes "offline" and exits 0.

Exit status: 0 after a clean stop; 1 bad command line, invalid config, or a local router
listener that cannot start (named by its config key); 2 a driver or the device failed.

Options:
      --log-level LEVEL   debug, info, warn or error (default: the config's log_level)
  -h, --help              show this help
`;

export const device: Command = {
  name: 'device',
  summary: 'run a device: drivers, upstream session, embedded router',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { 'log-level': { type: 'string' } });
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing CONFIG file' : `unexpected argument '${positionals[1]}'`);
    const level = logLevelFlag(values['log-level']);
    const file = resolve(io.cwd, positionals[0]!);
    const warnings: ConfigProblem[] = [];
    const config = loadFullDeviceConfig(file, io.env, (path) => readFileSync(path, 'utf8'), { checkFiles: true, onWarning: (w) => warnings.push(w) });
    const logger = serviceLogger(io, level ?? config.log_level, warnings);
    const running = await runDevice(config, logger, io.env);
    await untilAborted(io.signal);
    await running.stop();
    return 0;
  },
};

export interface RunningDevice {
  host: DeviceHost;
  router: RunningRouter | undefined;
  stop(): Promise<void>;
}

/** Starts the embedded router (if any), the device and its sessions. */
export async function runDevice(config: FullDeviceConfig, logger: Logger, env: CliIo['env']): Promise<RunningDevice> {
  // systemd (Type=notify): nothing happens unless env has NOTIFY_SOCKET.
  const notifier = new SystemdNotifier({ env, logger });
  notifier.startWatchdog();
  const router =
    config.local_router !== undefined
      ? await startRouter(config.local_router, { logger: logger.child({ component: 'router' }), ...(await mqttGatewayFor(config.local_router)) }).catch((error: unknown) => {
          notifier.close();
          throw error;
        })
      : undefined;
  if (router !== undefined) {
    const listeners = router.listeners.map((l) => `${l.config.type} ${describe(l.address)}`).join(', ');
    logger.info('local router started', { listeners });
  }
  let host: DeviceHost;
  try {
    host = await DeviceHost.start({ config, drivers: nodeDriverContext({ sysfs: config.sysfs, logger, env }), logger });
  } catch (error) {
    notifier.close();
    await router?.close();
    throw error;
  }
  const sessions: ManagedSession[] = [];
  let ready: Promise<void> = Promise.resolve();
  if (router !== undefined) {
    const local = new ManagedSession({
      url: 'rs://local-router',
      realm: config.realm,
      // The in-process link: messages pass as arrays, nothing is encoded.
      transportFactory: () => {
        const [device, routerSide] = linkedPair();
        router.router.attach(routerSide);
        return Promise.resolve(device);
      },
      liveness: false,
      logger: logger.child({ session: 'local' }),
    });
    ready = host.attach({ role: 'local', session: local }).announced;
    sessions.push(local);
  }
  if (config.upstream.length > 0) {
    const upstream = new ManagedSession({
      endpoints: config.upstream.map((entry) => ({
        url: entry.url,
        serializer: entry.serializer,
        ...(entry.auth !== undefined ? { auth: entry.auth } : {}),
        ...(entry.ca !== undefined ? { tls: { ca: entry.ca } } : {}),
      })),
      realm: config.realm,
      transportFactory: nodeConnector,
      // Unattended: a refused login is logged and retried with the backoff (the hub's config may
      // be fixed later) instead of leaving the device without its upstream for good.
      reconnect: { retryAuthFailures: true },
      logger: logger.child({ session: 'upstream' }),
    });
    host.attach({ role: 'upstream', session: upstream });
    sessions.push(upstream);
  }
  // Ready (systemd READY=1): every procedure registered on the local router, or at once without
  // one; never waiting for an upstream router that may be away for hours.
  void ready.then(() => {
    logger.info('device ready', { ms_since_process_start: Math.round(performance.now()) });
    void notifier.ready(`device ${config.device} ready`);
  });
  return {
    host,
    router,
    async stop() {
      logger.info('device stopping');
      await notifier.stopping();
      await host.stop('shutdown');
      await router?.close();
    },
  };
}
