import type { YamlMap, YamlValue } from '../../common/yaml-value.js';
import { DEFAULT_CRA_ITERATIONS, DEFAULT_CRA_KEYLEN, ED25519_PUBKEY_HEX, type UserConfig } from '../auth/auth-config.js';
import { type ConfigContext, describeReadError } from './context.js';

type Method = UserConfig['method'];

/** Keys each authentication method takes. */
const USER_KEYS: Readonly<Record<Method, readonly string[]>> = {
  ticket: ['authid', 'method', 'role', 'ticket', 'ticket_file'],
  wampcra: ['authid', 'method', 'role', 'secret', 'secret_file', 'salt', 'iterations', 'keylen'],
  cryptosign: ['authid', 'method', 'role', 'pubkey'],
};
const METHODS = Object.keys(USER_KEYS) as Method[];

/**
 * A realm's `users` list. `roles` holds the role names the realm defines (undefined when the
 * realm has no `roles` table, so any role is accepted). The same authid may appear once per method.
 */
export function readUsers(value: YamlValue, ctx: ConfigContext, roles: ReadonlySet<string> | undefined): UserConfig[] {
  const seen = new Map<string, number>();
  const users = value.list((item) => readUser(item, ctx, roles, seen));
  return users ?? [];
}

/** A `role:` value that must name a role of the realm's `roles` table (when it has one). */
export function readRoleRef(value: YamlValue, roles: ReadonlySet<string> | undefined): string | undefined {
  const role = value.string({ nonEmpty: true });
  if (role !== undefined && roles !== undefined && !roles.has(role)) {
    return value.problem(`role '${role}' is not defined in roles`);
  }
  return role;
}

function readUser(
  item: YamlValue,
  ctx: ConfigContext,
  roles: ReadonlySet<string> | undefined,
  seen: Map<string, number>,
): UserConfig | undefined {
  const at = item.map();
  if (at === undefined) return undefined;
  const method = at.require('method').oneOf(METHODS);
  if (method !== undefined) at.allowOnly(USER_KEYS[method]);
  const authidValue = at.require('authid');
  const authid = authidValue.string({ nonEmpty: true });
  const role = readRoleRef(at.require('role'), roles);
  if (authid !== undefined && method !== undefined) {
    const key = `${method}\u0000${authid}`;
    const first = seen.get(key);
    if (first !== undefined) authidValue.problem(`duplicate ${method} user '${authid}' (first defined at line ${first})`);
    else seen.set(key, authidValue.line);
  }
  if (method === undefined) return undefined;
  const user = readCredentials(at, method, ctx);
  return authid === undefined || role === undefined || user === undefined ? undefined : { ...user, authid, role };
}

type Credentials = DistributiveOmit<UserConfig, 'authid' | 'role'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The method-specific keys of a user (read even when authid or role is wrong, so all problems show). */
function readCredentials(at: YamlMap, method: Method, ctx: ConfigContext): Credentials | undefined {
  switch (method) {
    case 'ticket': {
      const ticket = readSecret(at, 'ticket', ctx);
      return ticket === undefined ? undefined : { method, ticket };
    }
    case 'wampcra':
      return readWampCra(at, ctx);
    case 'cryptosign': {
      const pubkey = at.require('pubkey').string({ pattern: ED25519_PUBKEY_HEX, expected: '64 hex characters (an Ed25519 public key)' });
      return pubkey === undefined ? undefined : { method, pubkey: pubkey.toLowerCase() };
    }
  }
}

function readWampCra(at: YamlMap, ctx: ConfigContext): Credentials | undefined {
  const secret = readSecret(at, 'secret', ctx);
  const salt = at.get('salt').string({ nonEmpty: true });
  const iterations = at.get('iterations').integer({ min: 1 });
  const keylen = at.get('keylen').integer({ min: 1, max: 1024 });
  if (!at.has('salt')) {
    for (const key of ['iterations', 'keylen']) if (at.has(key)) at.get(key).problem('only used together with salt');
  }
  if (secret === undefined) return undefined;
  if (salt === undefined) return { method: 'wampcra', secret };
  return {
    method: 'wampcra',
    secret,
    salt,
    iterations: iterations ?? DEFAULT_CRA_ITERATIONS,
    keylen: keylen ?? DEFAULT_CRA_KEYLEN,
  };
}

/**
 * A secret given inline (`ticket: …`, possibly `${ENV}`) or in a file (`ticket_file: path`, read
 * and stripped of its trailing newline). Exactly one of the two is required.
 */
function readSecret(at: YamlMap, key: 'ticket' | 'secret', ctx: ConfigContext): string | undefined {
  const fileKey = `${key}_file`;
  const inline = at.get(key);
  const file = at.get(fileKey);
  if (inline.present && file.present) return file.problem(`give either ${key} or ${fileKey}, not both`);
  if (inline.present) return inline.string({ nonEmpty: true });
  if (!file.present) {
    at.require(key, `missing required key (or ${fileKey})`);
    return undefined;
  }
  const path = file.string({ nonEmpty: true });
  if (path === undefined) return undefined;
  const resolved = ctx.resolvePath(path);
  let text: string;
  try {
    text = ctx.readFile(resolved);
  } catch (error) {
    return file.problem(`cannot read ${resolved}: ${describeReadError(error)}`);
  }
  const secret = text.replace(/[\r\n]+$/, '');
  return secret === '' ? file.problem(`${resolved} is empty`) : secret;
}
