import { resolve } from 'node:path';
import { mqttGatewayFor } from '../mqtt-gateway.js';
import type { ConfigProblem } from '../../common/config-problem.js';
import { isUnixListener, type RouterConfig, type UniversalListenerConfig } from '../../router/config/types.js';
import { setListenerOrigin } from '../../router/listen-errors.js';
import { describe, listenerKind, startRouter } from '../../router/serve.js';
import { parseCommandArgs, printUsage } from '../args.js';
import { type CliIo, type Command, serveUntilAborted } from '../command.js';
import { logLevelFlag, serviceLogger } from '../options.js';
import { SystemdNotifier } from '../systemd-notify.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard router [--config ROUTER.yaml] [--listen HOST:PORT ...] [--log-level LEVEL]

Runs the WAMP router alone: realms, authentication, WebSocket and RawSocket listeners.
Without --config it listens on 127.0.0.1 only: 8080 (HTTP + WebSocket at /ws + RawSocket)
and 8081 (RawSocket), realm "home" open to anonymous sessions.
Stops cleanly (GOODBYE to every session) on SIGINT or SIGTERM.

Exit status: 0 after a clean stop; 1 bad command line, invalid config, or a listener
that cannot start (named by its config key, e.g. "router.yaml:4: listen[1].port: …").

Options:
  -c, --config FILE       router config (YAML; see "switchyard check")
  -l, --listen HOST:PORT  listen here instead of the config's (or the default) listeners:
                          HTTP + WebSocket at /ws + RawSocket on one port; repeatable;
                          PORT alone means 127.0.0.1:PORT, 0.0.0.0:PORT all interfaces
  --log-level LEVEL       debug, info, warn or error (default: the config's log_level)
  -h, --help              show this help

Example:
  switchyard router --listen 0.0.0.0:9080
`;

export const router: Command = {
  name: 'router',
  summary: 'run the WAMP router (realms, auth, listeners)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      config: { type: 'string', short: 'c' },
      listen: { type: 'string', short: 'l', multiple: true },
      'log-level': { type: 'string' },
    });
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument '${positionals[0]}'`);
    }
    const level = logLevelFlag(values['log-level']);
    const listen = values.listen !== undefined ? listenersFromFlags(values.listen) : undefined;
    const warnings: ConfigProblem[] = [];
    // Imported here: the YAML parser and the schemas are not loaded into processes that never read a config.
    const { defaultRouterConfig, loadRouterConfig } = await import('../../router/config.js');
    const file = values.config !== undefined ? loadRouterConfig(resolve(io.cwd, values.config), io.env, { onWarning: (w) => warnings.push(w) }) : undefined;
    const config = { ...(file ?? defaultListeners(defaultRouterConfig())), ...(listen !== undefined ? { listen } : {}) };
    const logger = serviceLogger(io, level ?? config.logLevel, warnings);
    // systemd (Type=notify): nothing happens unless io.env has NOTIFY_SOCKET.
    const notifier = new SystemdNotifier({ env: io.env, logger });
    notifier.startWatchdog();
    const running = await startRouter(config, { logger, ...(await mqttGatewayFor(config)) }).catch((error: unknown) => {
      notifier.close();
      throw error;
    });
    const addresses = running.listeners.map((l) => `${listenerKind(l.config)} ${describe(l.address)}`).join(', ');
    logger.info('router started', { realms: config.realms.map((r) => r.name).join(','), listeners: addresses });
    void notifier.ready('router listening');
    await serveUntilAborted(io.signal);
    logger.info('router stopping');
    await notifier.stopping();
    await running.close();
    logger.info('router stopped');
    return 0;
  },
};

/** The built-in config; its listeners are named so that a busy port says how to pick another. */
function defaultListeners(config: RouterConfig): RouterConfig {
  for (const listener of config.listen) {
    const where = isUnixListener(listener) ? listener.path : `${listener.host}:${listener.port}`;
    setListenerOrigin(listener, () => `default ${listener.type} listener ${where} (choose another with --listen HOST:PORT)`);
  }
  return config;
}

/**
 * `switchyard router --listen HOST:PORT` (repeatable): universal listeners (HTTP, WebSocket at
 * /ws and RawSocket on one port) instead of the config's `listen:` list, so a busy port needs no
 * YAML. `PORT` alone means 127.0.0.1:PORT, `0.0.0.0:PORT` every IPv4 interface, `[::]:PORT`
 * every IPv6 one. A listener that cannot start is named by its flag in the error.
 */
export function listenersFromFlags(values: readonly string[]): UniversalListenerConfig[] {
  return values.map((value) => {
    const listener: UniversalListenerConfig = { type: 'universal', ...hostAndPort(value) };
    setListenerOrigin(listener, (key) => `--listen ${value}${key.length > 0 ? ` (${key.join('.')})` : ''}`);
    return listener;
  });
}

function hostAndPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]:|([^:[\]]*):)?(\d+)$/.exec(value.trim());
  if (match === null) throw new UsageError(`--listen: expected HOST:PORT such as 0.0.0.0:8080 (or PORT), got '${value}'`);
  const host = match[1] ?? match[2] ?? '127.0.0.1';
  const port = Number(match[3]);
  if (port > 65535) throw new UsageError(`--listen: port ${match[3]} is out of range 0-65535`);
  return { host: host === '' ? '127.0.0.1' : host, port };
}
