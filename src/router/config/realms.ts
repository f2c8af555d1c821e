import type { YamlValue } from '../../common/yaml-value.js';
import { isValidUri, type MatchPolicy } from '../../protocol/uris.js';
import type { Action, RoleRule } from '../auth/authorizer.js';
import type { ConfigContext } from './context.js';
import type { RealmConfig } from './types.js';
import { readRoleRef, readUsers } from './users.js';

const REALM_KEYS = ['name', 'anonymous', 'strict_uris', 'users', 'roles'];
const RULE_KEYS = ['uri', 'match', 'allow'];
const MATCHES: readonly MatchPolicy[] = ['exact', 'prefix', 'wildcard'];
const ACTIONS: readonly Action[] = ['call', 'register', 'publish', 'subscribe'];

/** The `realms` list: at least one realm, names unique. */
export function readRealms(value: YamlValue, ctx: ConfigContext): RealmConfig[] | undefined {
  const lines = new Map<string, number>();
  let count = 0;
  const realms = value.list((item) => {
    count++;
    return readRealm(item, ctx, lines);
  });
  if (realms !== undefined && count === 0) value.problem('expected at least one realm');
  return realms;
}

/** A realm open to anonymous sessions, with no roles table (everything allowed). */
export function openRealm(name: string): RealmConfig {
  return { name, anonymous: { role: 'anonymous' }, users: [], strictUris: false };
}

function readRealm(item: YamlValue, ctx: ConfigContext, lines: Map<string, number>): RealmConfig | undefined {
  const at = item.map();
  if (at === undefined) return undefined;
  at.allowOnly(REALM_KEYS);
  const nameValue = at.require('name');
  const name = readRealmName(nameValue);
  if (name !== undefined) {
    const first = lines.get(name);
    if (first !== undefined) nameValue.problem(`duplicate realm '${name}' (first defined at line ${first})`);
    else lines.set(name, nameValue.line);
  }
  const strictUris = at.get('strict_uris').boolean() ?? false;
  const rolesValue = at.get('roles');
  const roles = readRoles(rolesValue, strictUris);
  // Role references are checked against the names even when some rules are invalid.
  const roleNames = roles === undefined ? undefined : new Set(Object.keys(roles));
  const anonymous = readAnonymous(at.get('anonymous'), roleNames);
  const users = readUsers(at.get('users'), ctx, roleNames);
  if (name === undefined) return undefined;
  const realm: RealmConfig = { name, users, strictUris };
  if (anonymous !== undefined) realm.anonymous = anonymous;
  if (roles !== undefined) realm.roles = roles;
  return realm;
}

function readRealmName(value: YamlValue): string | undefined {
  const name = value.string({ nonEmpty: true });
  if (name === undefined || isValidUri(name, 'loose', 'exact')) return name;
  return value.problem('expected a realm name such as home or com.example.home (no spaces, # or empty parts)');
}

function readAnonymous(value: YamlValue, roles: ReadonlySet<string> | undefined): { role: string } | undefined {
  const at = value.map();
  if (at === undefined) return undefined;
  at.allowOnly(['role']);
  const role = readRoleRef(at.require('role'), roles);
  return role === undefined ? undefined : { role };
}

/** `roles: { name: [rule, …] }`; undefined when absent or not a mapping. */
function readRoles(value: YamlValue, strict: boolean): Record<string, RoleRule[]> | undefined {
  const at = value.map();
  if (at === undefined) return undefined;
  // fromEntries defines own properties, so a role named __proto__ stays a role.
  return Object.fromEntries(at.entries().map(([role, rules]) => [role, rules.list((rule) => readRule(rule, strict)) ?? []]));
}

function readRule(value: YamlValue, strict: boolean): RoleRule | undefined {
  const at = value.map();
  if (at === undefined) return undefined;
  at.allowOnly(RULE_KEYS);
  const uriValue = at.require('uri');
  const uri = uriValue.string();
  const matchValue = at.get('match');
  const given = matchValue.oneOf(MATCHES);
  const allow = at.require('allow').list((action) => action.oneOf(ACTIONS));
  if (uri === undefined || allow === undefined || (matchValue.present && given === undefined)) return undefined;
  const match = given ?? 'exact';
  if (!isValidUri(uri, strict ? 'strict' : 'loose', match)) {
    return uriValue.problem(`'${uri}' is not a valid ${strict ? 'strict ' : ''}${match} URI`);
  }
  return { uri, match, allow };
}
