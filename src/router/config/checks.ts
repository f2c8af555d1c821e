import type { PathIssue, YamlDocument } from '../../common/yaml-schema.js';
import { isValidUri } from '../../protocol/uris.js';
import type { ConfigContext } from './context.js';
import { checkListeners } from './listener-checks.js';
import { has, type RawMap, rawList, rawMap, rawMaps, rawText, valid } from './raw.js';
import { MATCHES, realmNameSchema, USER_METHODS } from './realm-schema.js';

/**
 * The router config's checks across entries and keys, which the schema cannot make: realm
 * names are unique; a role referenced (anonymous, users) is defined in the realm's roles table
 * when it has one; an authid appears once per method; a ticket or secret is given inline or in
 * a file (exactly one); WAMP-CRA key derivation options come with a salt; role rules' URIs are
 * valid for their match policy under the realm's URI mode; and the listeners' (listener-checks.ts).
 * They run on the data as found, before or despite the schema's verdict, so that all of a file's
 * problems are reported at once; values the schema rejects are skipped. Paths are relative to
 * the router config's root; messages never quote a secret.
 */

export interface RouterCheckOptions {
  ctx: ConfigContext;
  /** Locates lines and prints keys for messages that refer to another entry. */
  doc: YamlDocument;
  /**
   * The realm a device's `local_router:` block is for: what `realms` means when omitted, and
   * a realm that must be among them when given.
   */
  defaultRealm?: string;
}

export function checkRouterConfig(data: unknown, options: RouterCheckOptions): PathIssue[] {
  const root = rawMap(data);
  if (root === undefined) return [];
  const { ctx, doc, defaultRealm } = options;
  const realmsGiven = has(root, 'realms');
  const realmNames = defaultRealm !== undefined && !realmsGiven ? new Set([defaultRealm]) : realmNamesOf(root.realms);
  const issues = [...checkListeners(root.listen, realmNames, ctx, doc), ...checkRealms(root.realms, doc)];
  if (defaultRealm !== undefined && realmsGiven && rawList(root.realms).length > 0 && !realmNames.has(defaultRealm)) {
    issues.push({ path: ['realms'], message: `the device's realm '${defaultRealm}' is not among these realms` });
  }
  return issues;
}

/**
 * Warnings: what is valid but surely not meant. A realm without `anonymous:` and without
 * `users:` refuses every session.
 */
export function warnRouterConfig(data: unknown): PathIssue[] {
  const root = rawMap(data);
  if (root === undefined) return [];
  const warnings: PathIssue[] = [];
  for (const [realm, index] of rawMaps(root.realms)) {
    if (!has(realm, 'anonymous') && rawList(realm.users).length === 0) {
      const name = rawText(realm.name) ?? `#${index}`;
      warnings.push({ path: ['realms', index], message: `nobody can join realm '${name}': it has no anonymous: and no users:` });
    }
  }
  return warnings;
}

/** Valid realm names in the list (for references to realms). */
function realmNamesOf(realms: unknown): Set<string> {
  const names = rawMaps(realms).map(([realm]) => valid(realmNameSchema, realm.name));
  return new Set(names.filter((name): name is string => name !== undefined));
}

function checkRealms(realms: unknown, doc: YamlDocument): PathIssue[] {
  const issues: PathIssue[] = [];
  const firstLines = new Map<string, number>();
  for (const [realm, index] of rawMaps(realms)) {
    const at = ['realms', index];
    const name = valid(realmNameSchema, realm.name);
    if (name !== undefined) {
      const first = firstLines.get(name);
      if (first !== undefined) issues.push({ path: [...at, 'name'], message: `duplicate realm '${name}' (first defined at line ${first})` });
      else firstLines.set(name, doc.lineOf([...at, 'name']));
    }
    const roles = rawMap(realm.roles);
    const roleNames = roles === undefined ? undefined : new Set(Object.keys(roles));
    const anonymous = rawMap(realm.anonymous);
    if (anonymous !== undefined) checkRoleRef(anonymous.role, roleNames, [...at, 'anonymous', 'role'], issues);
    for (const [user, userIndex] of rawMaps(realm.users)) checkRoleRef(user.role, roleNames, [...at, 'users', userIndex, 'role'], issues);
    checkUsers(realm.users, [...at, 'users'], doc, issues);
    if (roles !== undefined) checkRules(roles, realm.strict_uris === true, [...at, 'roles'], issues);
  }
  return issues;
}

/** A `role:` must name a role of the realm's roles table, when the realm has one. */
function checkRoleRef(value: unknown, roles: ReadonlySet<string> | undefined, path: PropertyKey[], issues: PathIssue[]): void {
  const role = rawText(value);
  if (role !== undefined && roles !== undefined && !roles.has(role)) issues.push({ path, message: `role '${role}' is not defined in roles` });
}

/** Each rule's URI must be valid for its match policy, strictly when the realm has strict_uris. */
function checkRules(roles: RawMap, strict: boolean, at: PropertyKey[], issues: PathIssue[]): void {
  for (const [role, rules] of Object.entries(roles)) {
    for (const [rule, index] of rawMaps(rules)) {
      const match = has(rule, 'match') ? MATCHES.find((policy) => policy === rule.match) : 'exact';
      if (typeof rule.uri !== 'string' || match === undefined) continue;
      if (!isValidUri(rule.uri, strict ? 'strict' : 'loose', match)) {
        issues.push({ path: [...at, role, index, 'uri'], message: `'${rule.uri}' is not a valid ${strict ? 'strict ' : ''}${match} URI` });
      }
    }
  }
}

function checkUsers(users: unknown, at: readonly PropertyKey[], doc: YamlDocument, issues: PathIssue[]): void {
  const firstLines = new Map<string, number>();
  for (const [user, index] of rawMaps(users)) {
    const path = [...at, index];
    const method = USER_METHODS.find((candidate) => candidate === user.method);
    if (method === undefined) continue;
    const authid = rawText(user.authid);
    if (authid !== undefined) {
      const key = `${method}\u0000${authid}`;
      const first = firstLines.get(key);
      if (first !== undefined) issues.push({ path: [...path, 'authid'], message: `duplicate ${method} user '${authid}' (first defined at line ${first})` });
      else firstLines.set(key, doc.lineOf([...path, 'authid']));
    }
    if (method === 'ticket') checkSecretSource(user, 'ticket', path, issues);
    if (method === 'wampcra') {
      checkSecretSource(user, 'secret', path, issues);
      if (!has(user, 'salt')) {
        for (const key of ['iterations', 'keylen']) if (has(user, key)) issues.push({ path: [...path, key], message: 'only used together with salt' });
      }
    }
  }
}

/** `ticket` or `ticket_file` (`secret` or `secret_file`): exactly one. */
function checkSecretSource(user: RawMap, key: 'ticket' | 'secret', at: PropertyKey[], issues: PathIssue[]): void {
  const fileKey = `${key}_file`;
  const inline = has(user, key);
  const file = has(user, fileKey);
  if (inline && file) issues.push({ path: [...at, fileKey], message: `give either ${key} or ${fileKey}, not both` });
  if (!inline && !file) issues.push({ path: [...at, key], message: `missing required key (or ${fileKey})` });
}
