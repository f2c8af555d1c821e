import { resolve } from 'node:path';
import { createLogger } from '../../common/logger.js';
import { defaultRouterConfig, loadRouterConfig } from '../../router/config.js';
import { describe, startRouter } from '../../router/serve.js';
import { parseCommandArgs, printUsage } from '../args.js';
import { type CliIo, type Command, untilAborted } from '../command.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard router [--config ROUTER.yaml]

Runs the WAMP router alone: realms, authentication, WebSocket and RawSocket listeners.
Without --config it listens on 127.0.0.1 only: 8080 (HTTP + WebSocket at /ws + RawSocket)
and 8081 (RawSocket), realm "home" open to anonymous sessions.
Stops cleanly (GOODBYE to every session) on SIGINT or SIGTERM.

Options:
  -c, --config FILE   router config (YAML; see "switchyard check")
  -h, --help          show this help
`;

export const router: Command = {
  name: 'router',
  summary: 'run the WAMP router (realms, auth, listeners)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { config: { type: 'string', short: 'c' } });
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument '${positionals[0]}'`);
    }
    const config = values.config !== undefined ? loadRouterConfig(resolve(io.cwd, values.config), io.env) : defaultRouterConfig();
    const logger = createLogger({ level: config.logLevel, write: (line) => io.stderr.write(`${line}\n`) });
    const running = await startRouter(config, { logger });
    const addresses = running.listeners.map((l) => `${l.config.type} ${describe(l.address)}`).join(', ');
    logger.info('router started', { realms: config.realms.map((r) => r.name).join(','), listeners: addresses });
    await untilAborted(io.signal);
    logger.info('router stopping');
    await running.close();
    return 0;
  },
};
