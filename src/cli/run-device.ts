import { ManagedSession } from '../client/managed-session.js';
import type { Logger } from '../common/logger.js';
import { DeviceHost } from '../device/device-host.js';
import { nodeDriverContext } from '../device/node-driver-context.js';
import { describe, startRouter, type RunningRouter } from '../router/serve.js';
import { linkedPair } from '../transport/local.js';
import { nodeConnector } from '../transport/node-connector.js';
import type { CliIo } from './command.js';
import type { FullDeviceConfig } from './device-config.js';
import { mqttGatewayFor } from './mqtt-gateway.js';
import { SystemdNotifier } from './systemd-notify.js';

/**
 * `switchyard device` once its config is read: the embedded router, the device host and its
 * sessions, wired together (the only place besides `router` that starts a router).
 */

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
