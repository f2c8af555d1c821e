import { parseCommandArgs, printUsage } from '../args.js';
import { ClientFailure, describeError, openSession } from '../client-session.js';
import { type CliIo, type Command, signalOf } from '../command.js';
import { parseArgList, parseKwargs } from '../json-args.js';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_USAGE, clientOptionsFrom, uriArgument } from '../options.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard publish TOPIC [ARG...] [--kw KEY=VALUE ...] [options]

Publishes one event to TOPIC with ARGs as its positional arguments (like mosquitto_pub).
Each ARG and each --kw VALUE is parsed as JSON when it is valid JSON (42, true, null,
"text", [1,2], {"a":1}), and taken as a string otherwise. Put ARGs that start with "-"
after "--".

The publication is acknowledged by default: the command waits for the router's answer,
so a refusal (e.g. wamp.error.not_authorized) is reported and exits 2. With
--no-acknowledge it only sends the event and leaves.

Exit status: 0 published; 1 bad command line or key file; 2 the router is unreachable,
refused the session, or refused the publication (one line on stderr).

Options:
  --kw KEY=VALUE       keyword argument (repeatable)
  --retain             ask the router to keep this event for later subscribers
                       (they get it when they subscribe with --retained)
  --acknowledge        wait for the router to accept the publication (the default)
  --no-acknowledge     fire and forget: do not wait for the router's answer
${CLIENT_OPTIONS_USAGE}  -h, --help           show this help

Example:
  switchyard publish devices.porch.status online --retain
`;

const OPTIONS = {
  ...CLIENT_OPTIONS,
  kw: { type: 'string', multiple: true },
  retain: { type: 'boolean' },
  acknowledge: { type: 'boolean' },
  'no-acknowledge': { type: 'boolean' },
} as const;

export const publish: Command = {
  name: 'publish',
  summary: 'publish an event (like mosquitto_pub)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (values.help === true) return printUsage(io, USAGE);
    const [topic, ...rest] = positionals;
    if (topic === undefined) throw new UsageError('missing TOPIC');
    uriArgument(topic, 'topic URI');
    if (values.acknowledge === true && values['no-acknowledge'] === true) {
      throw new UsageError('give only one of --acknowledge, --no-acknowledge');
    }
    const args = parseArgList(rest);
    const kwargs = parseKwargs(values.kw ?? []);
    const options = clientOptionsFrom(values, io.cwd);

    const session = await openSession(options, io, { command: 'publish', reconnect: false, ...signalOf(io) });
    try {
      await session.publish(topic, args, kwargs, {
        acknowledge: values['no-acknowledge'] !== true,
        ...(values.retain === true ? { retain: true } : {}),
      });
      return 0;
    } catch (error) {
      throw new ClientFailure(describeError(error), { cause: error });
    } finally {
      await session.leave();
    }
  },
};
