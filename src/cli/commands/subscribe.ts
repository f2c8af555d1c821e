import type { RestoreFailure, StateEvent } from '../../client/connection.js';
import type { Event } from '../../client/types.js';
import type { ManagedSession } from '../../node.js';
import type { MatchPolicy } from '../../protocol/uris.js';
import { parseCommandArgs, printUsage } from '../args.js';
import { ClientFailure, connectFailure, describeError, openSession } from '../client-session.js';
import { type CliIo, type Command, untilAborted } from '../command.js';
import { jsonLine } from '../json-args.js';
import { CLIENT_OPTIONS, CLIENT_OPTIONS_USAGE, clientOptionsFrom, uriArgument } from '../options.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: switchyard subscribe TOPIC [--match prefix|wildcard] [--retained] [--count N] [options]

Subscribes to TOPIC and prints one line of JSON per event on stdout (like mosquitto_sub):
  {"topic":"devices.porch.temperature","args":[21.5],"kwargs":{"ts":1700000000000,"unit":"°C","seq":7}}
"topic" is the concrete topic of the event (useful with --match); "args" and "kwargs" are
the event's payload, always present (empty when the event has none).

Runs until SIGINT or SIGTERM (or --count events), then leaves the session and exits 0.
When the connection drops after it has joined, it reconnects with backoff and subscribes
again (a note goes to stderr). If the router cannot be reached at the start, it exits 2.

Exit status: 0 stopped; 1 bad command line or key file; 2 the router is unreachable,
refused the session, or refused the subscription (one line on stderr).

Options:
  --match POLICY       exact (default), prefix (TOPIC is a URI prefix) or wildcard
                       (empty components match anything, e.g. devices..temperature)
  --retained           also print the events the router retained for TOPIC
  --count N            exit after N events
${CLIENT_OPTIONS_USAGE}  -h, --help           show this help

Example:
  switchyard subscribe devices. --match prefix
`;

const OPTIONS = {
  ...CLIENT_OPTIONS,
  match: { type: 'string', default: 'exact' },
  retained: { type: 'boolean' },
  count: { type: 'string' },
} as const;

const MATCH_POLICIES: readonly MatchPolicy[] = ['exact', 'prefix', 'wildcard'];

export const subscribe: Command = {
  name: 'subscribe',
  summary: 'print every event on a topic as a JSON line (like mosquitto_sub)',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length === 0) throw new UsageError('missing TOPIC');
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const topic = positionals[0]!;
    const match = values.match as MatchPolicy;
    if (!MATCH_POLICIES.includes(match)) throw new UsageError(`--match: expected one of ${MATCH_POLICIES.join(', ')}, got '${values.match}'`);
    uriArgument(topic, 'topic URI', match, ` for --match ${match}`);
    const limit = parseCount(values.count);
    const options = clientOptionsFrom(values, io.cwd);

    const run = new SubscribeRun(io, limit);
    let session: ManagedSession;
    try {
      session = await openSession(options, io, { command: 'subscribe', reconnect: true, signal: run.connecting.signal, onState: run.onState });
    } catch (error) {
      if (run.initialError !== undefined) throw connectFailure(options, run.initialError);
      if (io.signal?.aborted === true) return 0;
      throw error;
    } finally {
      run.connectOver();
    }
    session.on('restoreFailed', run.onRestoreFailed);
    try {
      const closed = session.closed.then((event) => ({ closed: event }));
      const stopped = untilAborted(run.stop.signal).then(() => ({ closed: undefined }));
      const subscribed = session.subscribe(topic, run.onEvent, { match, ...(values.retained === true ? { getRetained: true } : {}) });
      const outcome = await Promise.race([subscribed.then(() => Promise.race([stopped, closed])), stopped, closed]);
      if (outcome.closed !== undefined && !run.stop.signal.aborted) {
        const error = outcome.closed.error ?? new Error(`the session closed (${outcome.closed.reason ?? 'no reason'})`);
        throw new ClientFailure(`connection to ${options.url} closed: ${describeError(error)}`, { cause: error });
      }
      return 0;
    } catch (error) {
      if (error instanceof ClientFailure) throw error;
      throw new ClientFailure(describeError(error), { cause: error });
    } finally {
      run.dispose();
      await session.leave();
    }
  },
};

/**
 * The state of one `subscribe` run: prints events, counts them, and turns SIGINT/SIGTERM into
 * "stop connecting" (before the first join) or "stop" (after it).
 */
class SubscribeRun {
  /** Aborted to give up the first connect (signal, or the first round failed). */
  readonly connecting = new AbortController();
  /** Aborted to end the run after the first join (signal, or --count reached). */
  readonly stop = new AbortController();
  /** Why the first connection round failed, when it did. */
  initialError: Error | undefined;
  readonly #io: CliIo;
  readonly #limit: number;
  #count = 0;
  #joined = false;

  constructor(io: CliIo, limit: number) {
    this.#io = io;
    this.#limit = limit;
    if (io.signal?.aborted === true) this.connecting.abort();
    io.signal?.addEventListener('abort', this.#onSignal, { once: true });
  }

  /** The first connect is over (joined or failed): a signal now stops the run. */
  connectOver(): void {
    this.#joined = true;
    if (this.#io.signal?.aborted === true) this.stop.abort();
  }

  dispose(): void {
    this.#io.signal?.removeEventListener('abort', this.#onSignal);
  }

  readonly #onSignal = (): void => {
    (this.#joined ? this.stop : this.connecting).abort();
  };

  readonly onEvent = (event: Event): void => {
    if (this.stop.signal.aborted) return;
    this.#io.stdout.write(jsonLine({ topic: event.topic, args: event.args, kwargs: event.kwargs }));
    this.#count += 1;
    if (this.#count === this.#limit) this.stop.abort();
  };

  readonly onState = (event: StateEvent): void => {
    if (!this.#joined) {
      // Like mosquitto_sub: a router that cannot be reached at the start is an error.
      if (event.state === 'retrying') {
        this.initialError = event.error ?? new Error('no session');
        this.connecting.abort();
      }
      return;
    }
    if (event.state === 'disconnected') {
      this.#note(`connection lost (${event.error !== undefined ? describeError(event.error) : event.reason}); reconnecting`);
    } else if (event.state === 'joined') {
      this.#note(`reconnected to ${event.url ?? 'the router'}`);
    }
  };

  readonly onRestoreFailed = (failure: RestoreFailure): void => {
    this.#note(`warning: could not subscribe again: ${describeError(failure.error)}`);
  };

  #note(text: string): void {
    this.#io.stderr.write(`switchyard subscribe: ${text}\n`);
  }
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`--count: expected a positive whole number, got '${text}'`);
  return Number(text);
}
