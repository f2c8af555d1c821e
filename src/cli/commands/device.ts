import { resolve } from 'node:path';
import type { ConfigProblem } from '../../common/config-problem.js';
import { parseCommandArgs, printUsage } from '../args.js';
import { type CliIo, type Command, serveUntilAborted } from '../command.js';
import { readDeviceConfigFile } from '../device-config-file.js';
import { logLevelFlag, serviceLogger } from '../options.js';
import { runDevice } from '../run-device.js';
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
    const config = await readDeviceConfigFile(file, io.env, (w) => warnings.push(w));
    const logger = serviceLogger(io, level ?? config.log_level, warnings);
    const running = await runDevice(config, logger, io.env);
    await serveUntilAborted(io.signal);
    await running.stop();
    return 0;
  },
};
