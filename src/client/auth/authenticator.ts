import type { Dict } from '../../protocol/messages.js';
import type { AuthOptions } from '../types.js';
import { cryptosignAuthenticator } from './cryptosign.js';
import { ticketAuthenticator } from './ticket.js';
import { wampCraAuthenticator } from './wampcra.js';

/**
 * One authentication method as the client uses it (advanced/authentication.md): what HELLO
 * announces (`authmethods: [method]`, `authid`, `authextra`) and how a CHALLENGE is answered.
 * Secrets stay inside; nothing here is ever logged.
 */
export interface ClientAuthenticator {
  readonly method: string;
  readonly authid: string | undefined;
  /** HELLO.Details.authextra contributed by the method (e.g. cryptosign's pubkey). */
  readonly authextra: Dict;
  /** The AUTHENTICATE signature for CHALLENGE.Extra; throws when it cannot answer. */
  answer(extra: Dict): Promise<string>;
}

/** Builds the authenticator for `auth` (anonymous when absent); may import keys (async). */
export async function createAuthenticator(auth: AuthOptions | undefined): Promise<ClientAuthenticator> {
  switch (auth?.method) {
    case undefined:
    case 'anonymous':
      return anonymous(auth?.authid);
    case 'ticket':
      return ticketAuthenticator(auth.authid, auth.ticket);
    case 'wampcra':
      return wampCraAuthenticator(auth.authid, auth.secret);
    case 'cryptosign':
      return cryptosignAuthenticator(auth.privateKey, auth.authid);
    default:
      throw new TypeError(`unknown authentication method ${JSON.stringify((auth as { method: unknown }).method)}`);
  }
}

function anonymous(authid: string | undefined): ClientAuthenticator {
  return {
    method: 'anonymous',
    authid,
    authextra: {},
    answer: () => Promise.reject(new Error('anonymous authentication expects no challenge')),
  };
}
