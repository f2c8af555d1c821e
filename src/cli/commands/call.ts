import { parseCommandArgs, printUsage } from '../args.js';
import { ClientFailure, describeError, openSession } from '../client-session.js';
import { type CliIo, type Command, signalOf } from '../command.js';
import { jsonLine, parseArgList, parseKwargs, resultValue } from '../json-args.js';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_USAGE, clientOptionsFrom, uriArgument } from '../options.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard call URI [ARG...] [--kw KEY=VALUE ...] [options]

Calls the procedure URI and prints the result as one line of JSON on stdout:
  one positional result, no keyword results   that value, e.g. true
  no result at all                            null
  anything else                               {"args":[...],"kwargs":{...}}

Each ARG and each --kw VALUE is parsed as JSON when it is valid JSON (42, true, null,
"text", [1,2], {"a":1}), and taken as a string otherwise. Put ARGs that start with "-"
after "--", e.g.  switchyard call math.add -- -1 2

Exit status: 0 ok; 1 bad command line or key file; 2 the router is unreachable, refused
the session, or the call failed. A failed call prints its error URI and message on one
line on stderr, e.g. "switchyard call: wamp.error.no_such_procedure: …".

Options:
  --kw KEY=VALUE       keyword argument (repeatable)
  --timeout MS         give up after MS milliseconds (default 0: wait for the answer)
${CLIENT_OPTIONS_USAGE}  -h, --help           show this help

Example:
  switchyard call devices.porch.light.set true
`;

const OPTIONS = {
  ...CLIENT_OPTIONS,
  kw: { type: 'string', multiple: true },
  timeout: { type: 'string' },
} as const;

export const call: Command = {
  name: 'call',
  summary: 'call a procedure and print the result as JSON',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (values.help === true) return printUsage(io, USAGE);
    const [procedure, ...rest] = positionals;
    if (procedure === undefined) throw new UsageError('missing procedure URI');
    uriArgument(procedure, 'procedure URI');
    const args = parseArgList(rest);
    const kwargs = parseKwargs(values.kw ?? []);
    const timeout = parseTimeout(values.timeout);
    const options = clientOptionsFrom(values, io.cwd);

    const session = await openSession(options, io, { command: 'call', reconnect: false, ...signalOf(io) });
    try {
      const result = await session.call(procedure, args, kwargs, { timeout, ...signalOf(io) });
      io.stdout.write(jsonLine(resultValue(result.args, result.kwargs)));
      return 0;
    } catch (error) {
      throw new ClientFailure(describeError(error), { cause: error });
    } finally {
      await session.leave();
    }
  },
};

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text)) throw new UsageError(`--timeout: expected milliseconds (a whole number), got '${text}'`);
  return Number(text);
}
