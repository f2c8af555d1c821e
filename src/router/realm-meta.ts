import { WampError } from '../protocol/errors.js';
import type { Args, Dict, Payload } from '../protocol/messages.js';
import { isDict } from '../protocol/parse.js';
import { CloseUri, ErrorUri, type MatchPolicy } from '../protocol/uris.js';
import type { Authorizer } from './auth/authorizer.js';
import type { Broker } from './broker.js';
import type { Dealer } from './dealer.js';
import type { RouterSession } from './router-session.js';
import { isTestamentScope, parseTestament, type Testaments } from './testaments.js';

/** A procedure the router implements itself; returns the RESULT payload or throws WampError. */
export type MetaProcedure = (caller: RouterSession, args: Args, kwargs: Dict) => Payload;

export interface MetaContext {
  sessions: ReadonlyMap<number, RouterSession>;
  broker: Broker;
  dealer: Dealer;
  testaments: Testaments;
  authorizer: Authorizer;
  kick(session: RouterSession, reason: string, message?: string): void;
}

/** The session's meta data as given by wamp.session.get and wamp.session.on_join. */
export function sessionDetails(session: RouterSession): Dict {
  const { authid, authrole, authmethod, authprovider } = session.identity;
  const { kind, peer, serializer, protocol } = session.transport.info;
  return {
    session: session.id,
    authid,
    authrole,
    authmethod,
    authprovider,
    transport: { type: kind, peer, serializer, ...(protocol !== undefined ? { protocol } : {}) },
  };
}

/**
 * The session, registration, subscription and testament meta procedures
 * (meta_api_sessions.md, meta_api_registrations.md, meta_api_subscriptions.md, pubsub_testament.md).
 */
export function createMetaProcedures(ctx: MetaContext): Map<string, MetaProcedure> {
  const { sessions, broker, dealer, testaments } = ctx;
  const one = (value: unknown): Payload => ({ args: [value] });
  const filtered = (args: Args): RouterSession[] => {
    const roles = args[0];
    const all = [...sessions.values()];
    return Array.isArray(roles) ? all.filter((s) => roles.includes(s.identity.authrole)) : all;
  };
  const killAll = (caller: RouterSession, targets: RouterSession[], kwargs: Dict): Payload => {
    const victims = targets.filter((s) => s !== caller);
    for (const s of victims) ctx.kick(s, closeReason(kwargs), closeMessage(kwargs));
    return one(victims.length);
  };
  return new Map<string, MetaProcedure>([
    ['wamp.session.count', (_c, args) => one(filtered(args).length)],
    ['wamp.session.list', (_c, args) => one(filtered(args).map((s) => s.id))],
    ['wamp.session.get', (_c, args) => one(sessionDetails(sessionArg(sessions, args)))],
    [
      'wamp.session.kill',
      (caller, args, kwargs) => {
        const target = sessionArg(sessions, args);
        if (target === caller) throw invalid('a session cannot kill itself; send GOODBYE instead');
        ctx.kick(target, closeReason(kwargs), closeMessage(kwargs));
        return {};
      },
    ],
    ['wamp.session.kill_by_authid', (c, args, kw) => killAll(c, [...sessions.values()].filter((s) => s.identity.authid === stringArg(args, 'authid')), kw)],
    ['wamp.session.kill_by_authrole', (c, args, kw) => killAll(c, [...sessions.values()].filter((s) => s.identity.authrole === stringArg(args, 'authrole')), kw)],
    ['wamp.session.kill_all', (c, _args, kw) => killAll(c, [...sessions.values()], kw)],
    [
      'wamp.session.add_testament',
      (caller, args, kwargs) => {
        const testament = parseTestament(args, kwargs);
        if (!ctx.authorizer.authorize(caller.identity.authrole, 'publish', testament.topic)) {
          throw new WampError(ErrorUri.NOT_AUTHORIZED, [`not authorized to publish '${testament.topic}'`]);
        }
        testaments.add(caller, testament);
        return {};
      },
    ],
    [
      'wamp.session.flush_testaments',
      (caller, _args, kwargs) => {
        const scope = kwargs['scope'] ?? 'destroyed';
        if (!isTestamentScope(scope)) throw invalid(`scope must be 'destroyed' or 'detached'`);
        return one(testaments.flush(caller, scope));
      },
    ],
    ['wamp.registration.list', () => one(dealer.list())],
    ['wamp.registration.lookup', (_c, args, kw) => one(dealer.lookup(stringArg(args, 'procedure'), matchArg(args, kw)))],
    ['wamp.registration.match', (_c, args) => one(dealer.match(stringArg(args, 'procedure')))],
    ['wamp.registration.get', (_c, args) => one(found(dealer.get(idArg(args)), ErrorUri.NO_SUCH_REGISTRATION))],
    ['wamp.registration.list_callees', (_c, args) => one(found(dealer.callees(idArg(args)), ErrorUri.NO_SUCH_REGISTRATION))],
    ['wamp.registration.count_callees', (_c, args) => one(found(dealer.countCallees(idArg(args)), ErrorUri.NO_SUCH_REGISTRATION))],
    ['wamp.subscription.list', () => one(broker.list())],
    ['wamp.subscription.lookup', (_c, args, kw) => one(broker.lookup(stringArg(args, 'topic'), matchArg(args, kw)))],
    ['wamp.subscription.match', (_c, args) => one(broker.match(stringArg(args, 'topic')))],
    ['wamp.subscription.get', (_c, args) => one(found(broker.get(idArg(args)), ErrorUri.NO_SUCH_SUBSCRIPTION))],
    ['wamp.subscription.list_subscribers', (_c, args) => one(found(broker.subscribers(idArg(args)), ErrorUri.NO_SUCH_SUBSCRIPTION))],
    ['wamp.subscription.count_subscribers', (_c, args) => one(found(broker.countSubscribers(idArg(args)), ErrorUri.NO_SUCH_SUBSCRIPTION))],
  ]);
}

function sessionArg(sessions: ReadonlyMap<number, RouterSession>, args: Args): RouterSession {
  const id = idArg(args);
  const session = sessions.get(id);
  if (session === undefined) throw new WampError(ErrorUri.NO_SUCH_SESSION, [`no session ${id}`]);
  return session;
}

function idArg(args: Args): number {
  const id = args[0];
  if (typeof id !== 'number' || !Number.isInteger(id)) throw invalid('the first argument must be an id');
  return id;
}

function stringArg(args: Args, name: string): string {
  const value = args[0];
  if (typeof value !== 'string') throw invalid(`the first argument (${name}) must be a string`);
  return value;
}

/** `lookup(uri, options)`: options positional (spec) or as kwargs (tolerated). */
function matchArg(args: Args, kwargs: Dict): MatchPolicy {
  const options = isDict(args[1]) ? args[1] : kwargs;
  const match = options['match'] ?? 'exact';
  if (match !== 'exact' && match !== 'prefix' && match !== 'wildcard') throw invalid(`unknown match policy '${String(match)}'`);
  return match;
}

function found<T>(value: T | null, uri: string): T {
  if (value === null) throw new WampError(uri, ['no such id']);
  return value;
}

function closeReason(kwargs: Dict): string {
  return typeof kwargs['reason'] === 'string' ? kwargs['reason'] : CloseUri.KILLED;
}

function closeMessage(kwargs: Dict): string | undefined {
  return typeof kwargs['message'] === 'string' ? kwargs['message'] : undefined;
}

function invalid(message: string): WampError {
  return new WampError(ErrorUri.INVALID_ARGUMENT, [message]);
}
