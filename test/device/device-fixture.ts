import { until } from '../helpers/until.js';
import { stringify } from 'yaml';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import { ManagedSession } from '../../src/client/managed-session.js';
import { formatProblem } from '../../src/common/config-problem.js';
import { parseDeviceConfig, type DeviceConfig } from '../../src/device/config/load.js';
import { DeviceHost } from '../../src/device/device-host.js';
import type { DriverContext } from '../../src/device/driver.js';
import { connect, nodeTransportFactory } from '../../src/node.js';
import type { Transport } from '../../src/transport/transport.js';
import { parseRouterConfig } from '../../src/router/config.js';
import type { RouterConfig } from '../../src/router/config.js';
import type { Router } from '../../src/router/router.js';
import { createRouter, serveRouter, type RunningRouter } from '../../src/router/serve.js';
import { linkedPair } from '../../src/transport/local.js';
import type { Event } from '../../src/client/types.js';
import { fakeDriverContext } from './drivers/driver-context.js';

/** A device config from a plain object (the YAML path a user's config takes). */
export function deviceConfig(object: Record<string, unknown>): DeviceConfig {
  const { config, problems } = parseDeviceConfig(stringify(object), 'test-device.yaml', { env: {} });
  if (config === undefined) throw new Error(`bad test device config:\n${problems.map(formatProblem).join('\n')}`);
  return config;
}

/** A driver context for simulated drivers (nothing on disk is touched, no environment). */
export function simulatedDrivers(logger: Logger = silentLogger): DriverContext {
  return fakeDriverContext({ env: {}, logger });
}

/**
 * A router with one RawSocket listener on 127.0.0.1 (`port` 0: the OS picks one), realm `home`
 * open. `watch`: topics an in-process session subscribes to before the listener opens, so
 * `events(topic)` holds every event on them, from the first publication to the router's close.
 */
export async function startRawSocketRouter(
  port = 0,
  watch: readonly string[] = [],
): Promise<{ running: RunningRouter; port: number; url: string; events(topic: string): Event[] }> {
  const yaml = stringify({ listen: [{ type: 'rawsocket', host: '127.0.0.1', port }], realms: [{ name: 'home', anonymous: { role: 'anonymous' } }] });
  const { config } = parseRouterConfig(yaml, 'upstream.yaml', {});
  const router = createRouter(config!);
  const seen = new Map<string, Event[]>();
  if (watch.length > 0) {
    const tap = await connect({
      url: 'rs://in-process-tap',
      realm: 'home',
      reconnect: false,
      transportFactory: () => {
        const [client, routerSide] = linkedPair();
        router.attach(routerSide);
        return Promise.resolve(client);
      },
    });
    for (const topic of watch) {
      const events: Event[] = [];
      seen.set(topic, events);
      await tap.subscribe(topic, (event) => void events.push(event));
    }
  }
  const running = await serveAgain(router, config!);
  const address = running.listeners[0]!.address;
  const bound = 'port' in address ? address.port : 0;
  const events = (topic: string): Event[] => {
    const list = seen.get(topic);
    if (list === undefined) throw new Error(`${topic} is not watched`);
    return list;
  };
  return { running, port: bound, url: `rs://127.0.0.1:${bound}`, events };
}

/**
 * serveRouter, retried for a while when the port is taken: a test restarting a router on the
 * port of the one it closed can find it briefly held (by an outgoing connection given it as an
 * ephemeral port, say).
 */
async function serveAgain(router: Router, config: RouterConfig): Promise<RunningRouter> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await serveRouter(router, config);
    } catch (error) {
      if (!/already in use/.test(String(error)) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface TestDevice {
  host: DeviceHost;
  upstream: ManagedSession;
  /** Resolves once the device is announced upstream (procedures, testament, status, states). */
  announced: Promise<void>;
  /** Drops the upstream connection without a goodbye (as a dead network would). */
  dropConnection(): void;
}

/** A device host whose upstream session dials `url`, with fast reconnects for tests. */
export async function startDevice(config: DeviceConfig, url: string, logger: Logger = silentLogger): Promise<TestDevice> {
  const host = await DeviceHost.start({ config: { ...config, upstream: [{ url, serializer: 'cbor' }] }, drivers: simulatedDrivers(), logger });
  let last: Transport | undefined;
  const upstream = new ManagedSession({
    url,
    realm: config.realm,
    transportFactory: async (...args) => (last = await nodeTransportFactory(...args)),
    reconnect: { initialMs: 50, maxMs: 200 },
  });
  const link = host.attach({ role: 'upstream', session: upstream });
  return { host, upstream, announced: link.announced, dropConnection: () => last?.destroy('test: connection dropped') };
}

/** An observer session on `url`. */
export function observer(url: string): Promise<ManagedSession> {
  return connect({ url, realm: 'home', reconnect: { initialMs: 50, maxMs: 200 } });
}

export { until };

/** The `seq` of each reading event, in arrival order. */
export function seqsOf(events: readonly { kwargs: Record<string, unknown> }[]): number[] {
  return events.map((event) => event.kwargs['seq'] as number);
}

/** Whether `seqs` count up by one with no gap and no repeat. */
export function isConsecutive(seqs: readonly number[]): boolean {
  return seqs.every((seq, index) => index === 0 || seq === seqs[index - 1]! + 1);
}
