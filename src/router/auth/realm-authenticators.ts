import { WampError } from '../../protocol/errors.js';
import { ErrorUri } from '../../protocol/uris.js';
import { AnonymousAuthenticator } from './anonymous.js';
import type { AuthRequest, Authenticator } from './authenticator.js';
import {
  type CryptosignUserConfig,
  type RealmAuthConfig,
  type TicketUserConfig,
  type WampCraUserConfig,
  ED25519_PUBKEY_HEX,
  validateRealmAuthConfig,
} from './auth-config.js';
import { type CryptosignOptions, CryptosignAuthenticator } from './cryptosign.js';
import { TicketAuthenticator } from './ticket.js';
import { type WampCraOptions, WampCraAuthenticator } from './wampcra.js';

/** Picks, for one HELLO, the method a realm will authenticate the client with. */
export interface RealmAuthenticators {
  /** Throws WampError `wamp.error.no_matching_auth_method` when no offered method is acceptable. */
  select(req: AuthRequest): Authenticator;
}

/** Injected time and randomness (tests). */
export type RealmAuthOptions = WampCraOptions & CryptosignOptions;

/**
 * Builds the authenticators of one realm from its configuration (validated here; throws
 * AuthConfigError). Selection walks `HELLO.authmethods` in the client's order (no list means
 * `["anonymous"]`) and takes the first method that:
 * - is `anonymous` and the realm allows anonymous; or
 * - has configured users in the realm, the request carries what it needs (an authid for ticket
 *   and wampcra; `authextra.pubkey` and no channel binding for cryptosign), and, when the authid
 *   is a configured one, is a method configured for that authid.
 * An authid the realm does not know is offered every configured method, so it gets a challenge
 * like anyone else and fails at verify (the realm does not reveal which authids exist).
 */
export function createRealmAuthenticators(realm: RealmAuthConfig, options: RealmAuthOptions = {}): RealmAuthenticators {
  validateRealmAuthConfig(realm);
  const methodsByAuthid = new Map<string, Set<string>>();
  for (const user of realm.users) {
    let methods = methodsByAuthid.get(user.authid);
    if (methods === undefined) methodsByAuthid.set(user.authid, (methods = new Set()));
    methods.add(user.method);
  }
  const byMethod = new Map<string, Authenticator>();
  const ticket = realm.users.filter((u): u is TicketUserConfig => u.method === 'ticket');
  const cra = realm.users.filter((u): u is WampCraUserConfig => u.method === 'wampcra');
  const cryptosign = realm.users.filter((u): u is CryptosignUserConfig => u.method === 'cryptosign');
  if (ticket.length > 0) byMethod.set('ticket', new TicketAuthenticator(ticket));
  if (cra.length > 0) byMethod.set('wampcra', new WampCraAuthenticator(cra, options));
  if (cryptosign.length > 0) byMethod.set('cryptosign', new CryptosignAuthenticator(cryptosign, options));
  if (realm.anonymous !== undefined) byMethod.set('anonymous', new AnonymousAuthenticator(realm.anonymous.role));
  return new MethodSelector(byMethod, methodsByAuthid);
}

class MethodSelector implements RealmAuthenticators {
  readonly #byMethod: ReadonlyMap<string, Authenticator>;
  readonly #methodsByAuthid: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(byMethod: ReadonlyMap<string, Authenticator>, methodsByAuthid: ReadonlyMap<string, ReadonlySet<string>>) {
    this.#byMethod = byMethod;
    this.#methodsByAuthid = methodsByAuthid;
  }

  select(req: AuthRequest): Authenticator {
    const wanted = req.authmethods.length > 0 ? req.authmethods : ['anonymous'];
    const known = req.authid === undefined ? undefined : this.#methodsByAuthid.get(req.authid);
    for (const method of wanted) {
      if (typeof method !== 'string') continue;
      const authenticator = this.#byMethod.get(method);
      if (authenticator === undefined || !hasPrerequisites(method, req)) continue;
      if (method !== 'anonymous' && known !== undefined && !known.has(method)) continue;
      return authenticator;
    }
    throw new WampError(ErrorUri.NO_MATCHING_AUTH_METHOD, [
      'no authentication method offered by the client is acceptable',
    ]);
  }
}

/** What a method needs from HELLO before it can start. */
function hasPrerequisites(method: string, req: AuthRequest): boolean {
  switch (method) {
    case 'ticket':
    case 'wampcra':
      return typeof req.authid === 'string' && req.authid !== '';
    case 'cryptosign': {
      // Channel binding needs the TLS channel id, which this router does not have: skip ahead.
      const pubkey = req.authextra['pubkey'];
      const binding = req.authextra['channel_binding'];
      return typeof pubkey === 'string' && ED25519_PUBKEY_HEX.test(pubkey) && (binding === undefined || binding === null);
    }
    default:
      return true;
  }
}
