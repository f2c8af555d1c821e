import type { Dict } from '../../protocol/messages.js';
import type { AuthOptions } from '../types.js';
import { cryptosignAuthenticator } from './cryptosign.js';
import { cryptosignSeedHex } from './cryptosign-key.js';
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

const METHODS = ['anonymous', 'ticket', 'wampcra', 'cryptosign'];

/**
 * Checks `auth` the way createAuthenticator will use it, synchronously, so that connect() can
 * reject a mistake in the options at once instead of retrying it: an unknown method, a missing
 * authid, ticket or secret, a private key in no format cryptosign reads. Throws TypeError.
 */
export function checkAuthOptions(auth: unknown, where = 'auth'): void {
  if (auth === undefined) return;
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) throw new TypeError(`${where} must be an object such as { method: 'ticket', authid, ticket }`);
  const { method, authid } = auth as Record<string, unknown>;
  if (typeof method !== 'string' || !METHODS.includes(method)) {
    throw new TypeError(`${where}.method: unknown authentication method ${JSON.stringify(method)} (${METHODS.join(', ')})`);
  }
  const needsAuthid = method === 'ticket' || method === 'wampcra';
  if (authid !== undefined || needsAuthid) {
    if (typeof authid !== 'string' || authid === '') throw new TypeError(`${where}.authid: ${method} authentication needs a non-empty authid`);
  }
  const field = method === 'ticket' ? 'ticket' : method === 'wampcra' ? 'secret' : undefined;
  if (field !== undefined) {
    const value = (auth as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value === '') throw new TypeError(`${where}.${field}: ${method} authentication needs a non-empty ${field}`);
  }
  if (method === 'cryptosign') {
    try {
      cryptosignSeedHex((auth as Record<string, unknown>)['privateKey']);
    } catch (error) {
      throw new TypeError(`${where}.privateKey: ${(error as Error).message.replace(/^cryptosign privateKey:? ?/, '')}`);
    }
  }
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
