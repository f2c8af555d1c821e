/**
 * The authentication part of one realm's configuration, as the router's auth code consumes it.
 * The file-level config loader is mapped onto these types elsewhere.
 */

export interface TicketUserConfig {
  authid: string;
  method: 'ticket';
  ticket: string;
  role: string;
}

export interface WampCraUserConfig {
  authid: string;
  method: 'wampcra';
  /** The shared secret; with `salt` set, the password that PBKDF2 derives the key from. */
  secret: string;
  role: string;
  salt?: string;
  /** PBKDF2 iterations when salted; default 1000 (Autobahn's default). */
  iterations?: number;
  /** Derived key length in bytes when salted; default 32. */
  keylen?: number;
}

export interface CryptosignUserConfig {
  authid: string;
  method: 'cryptosign';
  /** The Ed25519 public key, 32 bytes as 64 hex characters. */
  pubkey: string;
  role: string;
}

export type UserConfig = TicketUserConfig | WampCraUserConfig | CryptosignUserConfig;

export interface RealmAuthConfig {
  /** When absent, anonymous sessions are refused. */
  anonymous?: { role: string };
  users: UserConfig[];
}

/** A realm's auth configuration is unusable; the message names the entry, never a secret. */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

export const DEFAULT_CRA_ITERATIONS = 1000;
export const DEFAULT_CRA_KEYLEN = 32;

/** An Ed25519 public key as configured and as sent in `authextra.pubkey`: 32 bytes, 64 hex characters. */
export const ED25519_PUBKEY_HEX = /^[0-9a-fA-F]{64}$/;

/** Checks a realm's auth configuration; throws AuthConfigError on the first problem found. */
export function validateRealmAuthConfig(config: RealmAuthConfig): void {
  if (config.anonymous !== undefined) requireText(config.anonymous.role, 'anonymous.role');
  if (!Array.isArray(config.users)) throw new AuthConfigError('users must be a list');
  const seen = new Set<string>();
  config.users.forEach((user, index) => {
    const where = `users[${index}]`;
    requireText(user.authid, `${where}.authid`);
    const who = `${where} (authid '${user.authid}')`;
    requireText(user.role, `${who}.role`);
    const key = `${user.method}\u0000${user.authid}`;
    if (seen.has(key)) throw new AuthConfigError(`${who}: duplicate ${user.method} user`);
    seen.add(key);
    validateUser(user, who);
  });
}

function validateUser(user: UserConfig, who: string): void {
  switch (user.method) {
    case 'ticket':
      requireText(user.ticket, `${who}.ticket`);
      return;
    case 'wampcra':
      requireText(user.secret, `${who}.secret`);
      if (user.salt !== undefined) requireText(user.salt, `${who}.salt`);
      requirePositiveInt(user.iterations, `${who}.iterations`);
      requirePositiveInt(user.keylen, `${who}.keylen`);
      return;
    case 'cryptosign':
      if (typeof user.pubkey !== 'string' || !ED25519_PUBKEY_HEX.test(user.pubkey)) {
        throw new AuthConfigError(`${who}.pubkey: must be 64 hex characters (an Ed25519 public key)`);
      }
      return;
    default:
      throw new AuthConfigError(`${who}.method: unknown method '${String((user as { method: unknown }).method)}'`);
  }
}

function requireText(value: unknown, where: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AuthConfigError(`${where}: must be a non-empty string`);
  }
}

function requirePositiveInt(value: unknown, where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AuthConfigError(`${where}: must be a positive integer`);
  }
}
