import type { Clock } from '../common/clock.js';
import { ApplicationError } from '../protocol/errors.js';
import type { RouterScopeIds } from '../protocol/ids.js';
import { MessageType } from '../protocol/message-type.js';
import type { RegisterMessage, UnregisterMessage } from '../protocol/messages.js';
import { ErrorUri, isReservedUri, isValidUri, type MatchPolicy, type UriMode } from '../protocol/uris.js';
import { UriIndex } from './matcher.js';
import { Registration, parseRegisterOptions, type RegistrationDetails } from './registration.js';
import type { RouterSession } from './router-session.js';

export type MetaListener = (topic: string, args: unknown[]) => void;

export interface ProcedureRegistryOptions {
  ids: RouterScopeIds;
  uriMode: UriMode;
  clock: Clock;
  onMeta?: MetaListener;
  random: () => number;
}

/** wamp.registration.list result (advanced/meta_api_registrations.md). */
export interface RegistrationLists {
  exact: number[];
  prefix: number[];
  wildcard: number[];
}

const META = {
  ON_CREATE: 'wamp.registration.on_create',
  ON_REGISTER: 'wamp.registration.on_register',
  ON_UNREGISTER: 'wamp.registration.on_unregister',
  ON_DELETE: 'wamp.registration.on_delete',
} as const;

/**
 * The dealer's registrations: REGISTER/UNREGISTER, the callee side of a leaving session, the
 * registration meta events and the data behind the wamp.registration.* meta procedures.
 * Registrations are found by (URI, match) in a UriIndex, by id, and by callee session.
 */
export class ProcedureRegistry {
  readonly #index = new UriIndex<Registration>();
  readonly #byId = new Map<number, Registration>();
  readonly #bySession = new Map<RouterSession, Set<Registration>>();
  readonly #ids: RouterScopeIds;
  readonly #uriMode: UriMode;
  readonly #clock: Clock;
  readonly #onMeta: MetaListener | undefined;
  readonly #random: () => number;

  constructor(options: ProcedureRegistryOptions) {
    this.#ids = options.ids;
    this.#uriMode = options.uriMode;
    this.#clock = options.clock;
    this.#onMeta = options.onMeta;
    this.#random = options.random;
  }

  /** The registration a CALL to `uri` goes to (exact, then longest prefix, then wildcard). */
  route(uri: string): Registration | undefined {
    return this.#index.matchBest(uri);
  }

  register(session: RouterSession, msg: RegisterMessage): void {
    const [, request, options, uri] = msg;
    const { match, invoke, discloseCaller } = parseRegisterOptions(options);
    if (!isValidUri(uri, this.#uriMode, match)) {
      throw new ApplicationError(ErrorUri.INVALID_URI, [`invalid procedure URI '${uri}' (match ${match})`]);
    }
    if (isReservedUri(uri)) {
      throw new ApplicationError(ErrorUri.INVALID_URI, [`procedure URI '${uri}' is in the reserved wamp. namespace`]);
    }
    let registration = this.#index.get(uri, match);
    const created = registration === undefined;
    if (registration === undefined) {
      registration = new Registration({
        id: this.#ids.next(),
        uri,
        match,
        invoke,
        created: new Date(this.#clock.now()).toISOString(),
        random: this.#random,
      });
    } else {
      registration.checkJoin(session, invoke);
    }
    registration.add({ session, discloseCaller });
    if (created) {
      this.#index.set(uri, match, registration);
      this.#byId.set(registration.id, registration);
    }
    let mine = this.#bySession.get(session);
    if (mine === undefined) {
      mine = new Set();
      this.#bySession.set(session, mine);
    }
    mine.add(registration);

    session.send([MessageType.REGISTERED, request, registration.id]);
    if (created) this.#meta(META.ON_CREATE, session.id, registration.details());
    this.#meta(META.ON_REGISTER, session.id, registration.id);
  }

  unregister(session: RouterSession, msg: UnregisterMessage): void {
    const [, request, id] = msg;
    const registration = this.#byId.get(id);
    if (registration === undefined || !registration.has(session)) {
      throw new ApplicationError(ErrorUri.NO_SUCH_REGISTRATION, [`no registration ${id} for this session`]);
    }
    this.#bySession.get(session)?.delete(registration);
    session.send([MessageType.UNREGISTERED, request]);
    this.#detach(session, registration);
  }

  /** Detaches a leaving session from all its registrations (meta on_unregister/on_delete). */
  removeSession(session: RouterSession): void {
    const mine = this.#bySession.get(session);
    if (mine === undefined) return;
    this.#bySession.delete(session);
    for (const registration of mine) this.#detach(session, registration);
  }

  list(): RegistrationLists {
    const groups = this.#index.byPolicy();
    return { exact: groups.exact.map(idOf), prefix: groups.prefix.map(idOf), wildcard: groups.wildcard.map(idOf) };
  }

  lookup(uri: string, match: MatchPolicy = 'exact'): number | null {
    return this.#index.get(uri, match)?.id ?? null;
  }

  match(uri: string): number | null {
    return this.#index.matchBest(uri)?.id ?? null;
  }

  get(id: number): RegistrationDetails | null {
    return this.#byId.get(id)?.details() ?? null;
  }

  callees(id: number): number[] | null {
    const registration = this.#byId.get(id);
    return registration === undefined ? null : registration.callees.map((c) => c.session.id);
  }

  countCallees(id: number): number | null {
    return this.#byId.get(id)?.size ?? null;
  }

  #detach(session: RouterSession, registration: Registration): void {
    registration.remove(session);
    this.#meta(META.ON_UNREGISTER, session.id, registration.id);
    if (registration.size === 0) {
      this.#index.delete(registration.uri, registration.match);
      this.#byId.delete(registration.id);
      this.#meta(META.ON_DELETE, session.id, registration.id);
    }
  }

  #meta(topic: string, sessionId: number, arg: unknown): void {
    this.#onMeta?.(topic, [sessionId, arg]);
  }
}

function idOf(registration: Registration): number {
  return registration.id;
}
