import { type MatchPolicy, isValidUri } from '../../protocol/uris.js';
import { AuthConfigError } from './auth-config.js';

/**
 * Static, role-based authorization (the permission tables of Crossbar's `match` rules, behind a
 * one-method interface like nexus router/authorizer.go). The realm asks before each
 * CALL/REGISTER/PUBLISH/SUBSCRIBE and answers `wamp.error.not_authorized` on `false`.
 */

export type Action = 'call' | 'register' | 'publish' | 'subscribe';

export interface RoleRule {
  uri: string;
  match: MatchPolicy;
  allow: Action[];
}

export interface Authorizer {
  authorize(authrole: string, action: Action, uri: string): boolean;
}

/** Each action as one bit of a rule's mask; 0 for anything that is not an Action. */
function actionBit(action: unknown): number {
  switch (action) {
    case 'call':
      return 1;
    case 'register':
      return 2;
    case 'publish':
      return 4;
    case 'subscribe':
      return 8;
    default:
      return 0;
  }
}

/** Allows everything: the authorizer of a realm with no `roles` table. */
const OPEN: Authorizer = { authorize: () => true };

/**
 * `roles` absent: everything is allowed (open realm). Otherwise a role not in the table may do
 * nothing, and for a listed role the most specific rule whose pattern matches the URI decides:
 * an exact rule, else the longest matching prefix, else the wildcard with the most non-empty
 * leading components (then the most non-empty components, then the earlier rule). No matching
 * rule: denied. Rules are compiled once (validated here; throws AuthConfigError); `authorize`
 * allocates nothing.
 */
export function createAuthorizer(roles?: Readonly<Record<string, readonly RoleRule[]>>): Authorizer {
  if (roles === undefined) return OPEN;
  const compiled = new Map<string, RolePermissions>();
  for (const [role, rules] of Object.entries(roles)) compiled.set(role, new RolePermissions(role, rules));
  return new TableAuthorizer(compiled);
}

class TableAuthorizer implements Authorizer {
  readonly #roles: ReadonlyMap<string, RolePermissions>;

  constructor(roles: ReadonlyMap<string, RolePermissions>) {
    this.#roles = roles;
  }

  authorize(authrole: string, action: Action, uri: string): boolean {
    const permissions = this.#roles.get(authrole);
    if (permissions === undefined) return false;
    return (permissions.allowed(uri) & actionBit(action)) !== 0;
  }
}

interface PrefixRule {
  prefix: string;
  mask: number;
}

interface WildcardRule {
  /** Pattern components; '' matches any one component. */
  parts: string[];
  mask: number;
}

/** One role's rules, indexed by match policy and sorted most-specific first. */
class RolePermissions {
  readonly #exact = new Map<string, number>();
  readonly #prefixes: PrefixRule[] = [];
  readonly #wildcards: WildcardRule[] = [];

  constructor(role: string, rules: readonly RoleRule[]) {
    if (!Array.isArray(rules)) throw new AuthConfigError(`roles.${role}: must be a list of rules`);
    const wildcards: Array<WildcardRule & { leading: number; fixed: number; order: number }> = [];
    rules.forEach((rule, index) => {
      const mask = actionMask(rule, `roles.${role}[${index}]`);
      switch (rule.match) {
        case 'exact':
          this.#exact.set(rule.uri, (this.#exact.get(rule.uri) ?? 0) | mask);
          return;
        case 'prefix': {
          const same = this.#prefixes.find((p) => p.prefix === rule.uri);
          if (same !== undefined) same.mask |= mask;
          else this.#prefixes.push({ prefix: rule.uri, mask });
          return;
        }
        case 'wildcard': {
          const parts = rule.uri.split('.');
          const same = wildcards.find((w) => w.parts.join('.') === rule.uri);
          if (same !== undefined) same.mask |= mask;
          else wildcards.push({ parts, mask, leading: leadingFixed(parts), fixed: countFixed(parts), order: index });
          return;
        }
      }
    });
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    wildcards.sort((a, b) => b.leading - a.leading || b.fixed - a.fixed || a.order - b.order);
    for (const { parts, mask } of wildcards) this.#wildcards.push({ parts, mask });
  }

  /** The action bits of the most specific rule matching `uri`, 0 when none does. */
  allowed(uri: string): number {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) return exact;
    for (const rule of this.#prefixes) if (uri.startsWith(rule.prefix)) return rule.mask;
    for (const rule of this.#wildcards) if (matchesWildcard(rule.parts, uri)) return rule.mask;
    return 0;
  }
}

function actionMask(rule: RoleRule, where: string): number {
  if (rule === null || typeof rule !== 'object') throw new AuthConfigError(`${where}: must be a rule object`);
  if (rule.match !== 'exact' && rule.match !== 'prefix' && rule.match !== 'wildcard') {
    throw new AuthConfigError(`${where}.match: must be exact, prefix or wildcard`);
  }
  if (typeof rule.uri !== 'string' || !isValidUri(rule.uri, 'loose', rule.match)) {
    throw new AuthConfigError(`${where}.uri: '${String(rule.uri)}' is not a valid ${rule.match} URI`);
  }
  if (!Array.isArray(rule.allow)) throw new AuthConfigError(`${where}.allow: must be a list of actions`);
  let mask = 0;
  for (const action of rule.allow) {
    const bit = actionBit(action);
    if (bit === 0) {
      const known = 'call, register, publish, subscribe';
      throw new AuthConfigError(`${where}.allow: unknown action '${String(action)}' (${known})`);
    }
    mask |= bit;
  }
  return mask;
}

function leadingFixed(parts: readonly string[]): number {
  let n = 0;
  while (n < parts.length && parts[n] !== '') n++;
  return n;
}

function countFixed(parts: readonly string[]): number {
  let n = 0;
  for (const part of parts) if (part !== '') n++;
  return n;
}

/** Same number of components; each non-empty pattern component equals the URI's. No allocation. */
function matchesWildcard(parts: readonly string[], uri: string): boolean {
  let start = 0;
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const dot = uri.indexOf('.', start);
    if (i < last ? dot === -1 : dot !== -1) return false;
    const end = i < last ? dot : uri.length;
    const part = parts[i]!;
    if (part !== '' && (end - start !== part.length || !uri.startsWith(part, start))) return false;
    start = end + 1;
  }
  return true;
}
