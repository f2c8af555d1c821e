import { ApplicationError } from '../protocol/errors.js';
import type { Dict } from '../protocol/messages.js';
import { ErrorUri, matchPolicyOf, type MatchPolicy } from '../protocol/uris.js';
import type { RouterSession } from './router-session.js';

/** REGISTER.Options.invoke (advanced/rpc_shared_registration.md). */
export type InvokePolicy = 'single' | 'roundrobin' | 'random' | 'first' | 'last';

const INVOKE_POLICIES: ReadonlySet<string> = new Set<InvokePolicy>(['single', 'roundrobin', 'random', 'first', 'last']);

/** The REGISTER options the dealer acts on, validated. */
export interface RegisterOptions {
  match: MatchPolicy;
  invoke: InvokePolicy;
  /** REGISTER.Options.disclose_caller (advanced/rpc_caller_identification.md). */
  discloseCaller: boolean;
}

/**
 * Reads REGISTER.Options: `match` defaults to exact, `invoke` to single (the spec's defaults).
 * Throws `wamp.error.invalid_argument` for an unknown policy or a non-boolean disclose_caller.
 */
export function parseRegisterOptions(options: Dict): RegisterOptions {
  const match = matchPolicyOf(options.match);
  if (match === undefined) {
    throw invalidArgument(`invalid match policy ${JSON.stringify(options.match)} (exact, prefix or wildcard)`);
  }
  const invoke = options.invoke ?? 'single';
  if (typeof invoke !== 'string' || !INVOKE_POLICIES.has(invoke)) {
    throw invalidArgument(
      `invalid invocation policy ${JSON.stringify(invoke)} (single, roundrobin, random, first or last)`,
    );
  }
  const disclose = options.disclose_caller ?? false;
  if (typeof disclose !== 'boolean') throw invalidArgument('disclose_caller must be a boolean');
  return { match, invoke: invoke as InvokePolicy, discloseCaller: disclose };
}

/** One session attached to a registration. */
export interface Callee {
  readonly session: RouterSession;
  /** The callee asked for INVOCATION.Details.caller on every call (REGISTER.Options.disclose_caller). */
  readonly discloseCaller: boolean;
}

/** What wamp.registration.get and on_create report. */
export interface RegistrationDetails {
  id: number;
  created: string;
  uri: string;
  match: MatchPolicy;
  invoke: InvokePolicy;
}

export interface RegistrationInit {
  id: number;
  uri: string;
  match: MatchPolicy;
  invoke: InvokePolicy;
  /** Creation time, ISO 8601. */
  created: string;
  /** Source of randomness for the `random` policy, in [0, 1). */
  random: () => number;
}

/**
 * A procedure registration: a (URI, match policy) pair, its invocation policy, and the callees
 * attached to it in the order they registered (shared_registration). `pick` applies the policy.
 */
export class Registration {
  readonly id: number;
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly invoke: InvokePolicy;
  readonly created: string;
  readonly #callees: Callee[] = [];
  readonly #random: () => number;
  /** Index of the callee the next roundrobin call goes to. */
  #next = 0;

  constructor(init: RegistrationInit) {
    this.id = init.id;
    this.uri = init.uri;
    this.match = init.match;
    this.invoke = init.invoke;
    this.created = init.created;
    this.#random = init.random;
  }

  get size(): number {
    return this.#callees.length;
  }

  /** The attached callees, in registration order. */
  get callees(): readonly Callee[] {
    return this.#callees;
  }

  details(): RegistrationDetails {
    return { id: this.id, created: this.created, uri: this.uri, match: this.match, invoke: this.invoke };
  }

  has(session: RouterSession): boolean {
    return this.#indexOf(session) >= 0;
  }

  /**
   * Throws `wamp.error.procedure_already_exists` unless `session` may join this registration with
   * policy `invoke`: single admits nobody else, other policies must match, and a session joins once.
   */
  checkJoin(session: RouterSession, invoke: InvokePolicy): void {
    if (this.has(session)) {
      throw alreadyExists(`this session already registered procedure '${this.uri}' (match ${this.match})`);
    }
    if (this.invoke === 'single') {
      throw alreadyExists(
        `procedure '${this.uri}' (match ${this.match}) is already registered by another session`,
      );
    }
    if (invoke !== this.invoke) {
      throw alreadyExists(
        `procedure '${this.uri}' (match ${this.match}) is registered with invocation policy '${this.invoke}', not '${invoke}'`,
      );
    }
  }

  add(callee: Callee): void {
    this.#callees.push(callee);
  }

  /** Detaches a session; returns false if it was not attached. */
  remove(session: RouterSession): boolean {
    const i = this.#indexOf(session);
    if (i < 0) return false;
    this.#callees.splice(i, 1);
    // Keep roundrobin fair: the callee that was next stays next.
    if (i < this.#next) this.#next--;
    if (this.#next >= this.#callees.length) this.#next = 0;
    return true;
  }

  /** The callee the next call goes to, by invocation policy; undefined when none is attached. */
  pick(): Callee | undefined {
    const callees = this.#callees;
    const n = callees.length;
    if (n === 0) return undefined;
    switch (this.invoke) {
      case 'single':
      case 'first':
        return callees[0];
      case 'last':
        return callees[n - 1];
      case 'random':
        return callees[Math.min(n - 1, Math.floor(this.#random() * n))];
      case 'roundrobin': {
        const i = this.#next < n ? this.#next : 0;
        this.#next = i + 1 < n ? i + 1 : 0;
        return callees[i];
      }
    }
  }

  #indexOf(session: RouterSession): number {
    const callees = this.#callees;
    for (let i = 0; i < callees.length; i++) if (callees[i]!.session === session) return i;
    return -1;
  }
}

function invalidArgument(message: string): ApplicationError {
  return new ApplicationError(ErrorUri.INVALID_ARGUMENT, [message]);
}

function alreadyExists(message: string): ApplicationError {
  return new ApplicationError(ErrorUri.PROCEDURE_ALREADY_EXISTS, [message]);
}
