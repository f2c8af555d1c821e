import { resolve } from 'node:path';
import { createLogger, type LogLevel } from '../../common/logger.js';
import { defaultRouterConfig, loadRouterConfig } from '../../router/config.js';
import { describe, startRouter } from '../../router/serve.js';
import { parseCommandArgs, printUsage } from '../args.js';
import { type CliIo, type Command, untilAborted } from '../command.js';
import { stderrIsJournal, SystemdNotifier } from '../systemd-notify.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard router [--config ROUTER.yaml] [--log-level LEVEL]

Runs the WAMP router alone: realms, authentication, WebSocket and RawSocket listeners.
Without --config it listens on 127.0.0.1 only: 8080 (HTTP + WebSocket at /ws + RawSocket)
and 8081 (RawSocket), realm "home" open to anonymous sessions.
Stops cleanly (GOODBYE to every session) on SIGINT or SIGTERM.

Options:
  -c, --config FILE   router config (YAML; see "switchyard check")
  --log-level LEVEL   debug, info, warn or error (default: the config's log_level)
  -h, --help          show this help
`;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export const router: Command = {
  name: 'router',
  summary: 'run the WAMP router (realms, auth, listeners)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } });
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument '${positionals[0]}'`);
    }
    const level = values['log-level'];
    if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    }
    const config = values.config !== undefined ? loadRouterConfig(resolve(io.cwd, values.config), io.env) : defaultRouterConfig();
    const logger = createLogger({
      level: (level as LogLevel | undefined) ?? config.logLevel,
      write: (line) => io.stderr.write(`${line}\n`),
      journal: stderrIsJournal(io.env),
    });
    // systemd (Type=notify): nothing happens unless io.env has NOTIFY_SOCKET.
    const notifier = new SystemdNotifier({ env: io.env, logger });
    notifier.startWatchdog();
    const running = await startRouter(config, { logger }).catch((error: unknown) => {
      notifier.close();
      throw error;
    });
    const addresses = running.listeners.map((l) => `${l.config.type} ${describe(l.address)}`).join(', ');
    logger.info('router started', { realms: config.realms.map((r) => r.name).join(','), listeners: addresses });
    void notifier.ready('router listening');
    await untilAborted(io.signal);
    logger.info('router stopping');
    await notifier.stopping();
    await running.close();
    return 0;
  },
};
