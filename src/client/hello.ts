import type { Dict } from '../protocol/messages.js';
import { isDict } from '../protocol/parse.js';
import type { ClientAuthenticator } from './auth/authenticator.js';
import { clientRoles } from './features.js';

export interface HelloOptions {
  /** HELLO.Details.agent (default `switchyard`). */
  agent?: string;
  /** Merged into HELLO.Details.authextra; the auth method's own entries win. */
  authextra?: Dict;
}

/** HELLO.Details (basic/sessions.md, advanced/authentication.md): agent, roles, authmethods, authid, authextra. */
export function helloDetails(auth: ClientAuthenticator, options: HelloOptions): Dict {
  const details: Dict = { agent: options.agent ?? 'switchyard', roles: clientRoles(), authmethods: [auth.method] };
  if (auth.authid !== undefined) details['authid'] = auth.authid;
  const authextra = { ...options.authextra, ...auth.authextra };
  if (Object.keys(authextra).length > 0) details['authextra'] = authextra;
  return details;
}

/** What WELCOME.Details.roles announces: the router's broker and dealer features set to true. */
export class RouterFeatures {
  static readonly NONE = new RouterFeatures({});
  readonly #broker: ReadonlySet<string>;
  readonly #dealer: ReadonlySet<string>;

  constructor(welcomeDetails: Dict) {
    const roles = welcomeDetails['roles'];
    this.#broker = featureNames(isDict(roles) ? roles['broker'] : undefined);
    this.#dealer = featureNames(isDict(roles) ? roles['dealer'] : undefined);
  }

  supports(role: 'broker' | 'dealer', feature: string): boolean {
    return (role === 'broker' ? this.#broker : this.#dealer).has(feature);
  }
}

function featureNames(role: unknown): ReadonlySet<string> {
  const names = new Set<string>();
  const features = isDict(role) ? role['features'] : undefined;
  if (isDict(features)) for (const name in features) if (features[name] === true) names.add(name);
  return names;
}
