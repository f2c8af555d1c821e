import { WampError } from '../protocol/errors.js';
import type { Args, Dict } from '../protocol/messages.js';
import { isDict } from '../protocol/parse.js';
import { ErrorUri } from '../protocol/uris.js';
import type { RouterSession } from './router-session.js';

export type TestamentScope = 'destroyed' | 'detached';

export interface Testament {
  topic: string;
  args: Args;
  kwargs: Dict;
  options: { retain?: boolean; exclude?: number[]; eligible?: number[] };
  scope: TestamentScope;
}

/**
 * Events a session asks the router to publish when it goes away (pubsub_testament.md:
 * `wamp.session.add_testament` / `flush_testaments`), WAMP's MQTT "last will". Without session
 * resumption, detaching and being destroyed happen together, so both scopes fire on leave.
 */
export class Testaments {
  readonly #bySession = new Map<RouterSession, Testament[]>();

  add(session: RouterSession, testament: Testament): void {
    const list = this.#bySession.get(session);
    if (list === undefined) this.#bySession.set(session, [testament]);
    else list.push(testament);
  }

  /** Removes the session's testaments of `scope`; returns how many there were. */
  flush(session: RouterSession, scope: TestamentScope): number {
    const list = this.#bySession.get(session);
    if (list === undefined) return 0;
    const kept = list.filter((t) => t.scope !== scope);
    if (kept.length === 0) this.#bySession.delete(session);
    else this.#bySession.set(session, kept);
    return list.length - kept.length;
  }

  /** Removes and returns every testament of the session, in the order they were added. */
  take(session: RouterSession): Testament[] {
    const list = this.#bySession.get(session) ?? [];
    this.#bySession.delete(session);
    return list;
  }
}

/** Reads the arguments of `wamp.session.add_testament(topic, args, kwargs, publish_options=, scope=)`. */
export function parseTestament(args: Args, kwargs: Dict): Testament {
  const [topic, tArgs = [], tKwargs = {}] = args;
  if (typeof topic !== 'string') throw invalid('topic must be a string');
  if (!Array.isArray(tArgs)) throw invalid('args must be a list');
  if (!isDict(tKwargs)) throw invalid('kwargs must be a dict');
  const scope = kwargs['scope'] ?? 'destroyed';
  if (!isTestamentScope(scope)) throw invalid(`scope must be 'destroyed' or 'detached'`);
  const publishOptions = kwargs['publish_options'] ?? {};
  if (!isDict(publishOptions)) throw invalid('publish_options must be a dict');
  const options: Testament['options'] = {};
  if (publishOptions['retain'] === true) options.retain = true;
  if (isIdList(publishOptions['exclude'])) options.exclude = publishOptions['exclude'];
  if (isIdList(publishOptions['eligible'])) options.eligible = publishOptions['eligible'];
  return { topic, args: tArgs, kwargs: tKwargs, options, scope };
}

export function isTestamentScope(v: unknown): v is TestamentScope {
  return v === 'destroyed' || v === 'detached';
}

function isIdList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function invalid(message: string): WampError {
  return new WampError(ErrorUri.INVALID_ARGUMENT, [`add_testament: ${message}`]);
}
