import type { PathIssue, YamlDocument } from '../../common/yaml-schema.js';
import type { ConfigContext } from './context.js';
import { port, text } from './fields.js';
import { defaultPort, LISTENER_TYPES } from './listener-schema.js';
import { has, type RawMap, rawMaps, rawText, valid } from './raw.js';
import { DEFAULT_HOST, DEFAULT_REALM, type ListenerType } from './types.js';

/**
 * Checks of the `listen:` list that the schema cannot make: a Unix socket listener takes no
 * host, port or tls, and only it takes mode and group; an mqtt listener's realm must be defined; no two listeners may use the
 * same port (on overlapping hosts) or Unix socket. Run on the data as found, so they report
 * alongside the schema's problems; entries or values the schema rejects are skipped.
 */
export function checkListeners(listen: unknown, realmNames: ReadonlySet<string>, ctx: ConfigContext, doc: YamlDocument): PathIssue[] {
  const issues: PathIssue[] = [];
  const taken: Bound[] = [];
  for (const [entry, index] of rawMaps(listen)) {
    const at = ['listen', index];
    const type = LISTENER_TYPES.find((candidate) => candidate === entry.type);
    if (type === undefined) continue;
    if (type === 'mqtt') checkMqttRealm(entry, realmNames, [...at, 'realm'], issues);
    // serve.ts refuses it at start-up; say so here, so that check does not pass it.
    if (type === 'universal' && has(entry, 'tls')) issues.push({ path: [...at, 'tls'], message: 'TLS is not available on a universal listener; use type: websocket or rawsocket' });
    const bound = boundOf(type, entry, at, ctx, issues);
    if (bound === undefined) continue;
    const clash = taken.find((other) => clashes(other, bound));
    if (clash !== undefined) {
      const what = bound.unix ? `path ${bound.path}` : `port ${bound.port}`;
      issues.push({ path: [...at, bound.unix ? 'path' : 'port'], message: `${what} is already used by ${doc.key(clash.at)}` });
    }
    taken.push(bound);
  }
  return issues;
}

/** What a listener occupies: a Unix socket path, or a port on a host. */
type Bound = { at: PropertyKey[] } & ({ unix: true; path: string } | { unix: false; host: string; port: number });

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const HOST = text('Listener host.');
const PORT = port('Listener port.');
const UNIX_ONLY = ['host', 'port', 'tls'];
const SOCKET_FILE_KEYS = ['mode', 'group'];

function checkMqttRealm(entry: RawMap, realmNames: ReadonlySet<string>, path: PropertyKey[], issues: PathIssue[]): void {
  const given = has(entry, 'realm');
  const realm = given ? rawText(entry.realm) : DEFAULT_REALM;
  if (realm !== undefined && !realmNames.has(realm)) {
    issues.push({ path, message: `realm '${realm}'${given ? '' : ' (the default)'} is not defined in realms` });
  }
}

function boundOf(type: ListenerType, entry: RawMap, at: PropertyKey[], ctx: ConfigContext, issues: PathIssue[]): Bound | undefined {
  if (type === 'rawsocket' && has(entry, 'path')) {
    for (const key of UNIX_ONLY) {
      if (has(entry, key)) issues.push({ path: [...at, key], message: 'a Unix socket listener (with path) takes no host, port or tls' });
    }
    const path = rawText(entry.path);
    return path === undefined ? undefined : { at, unix: true, path: ctx.resolvePath(path) };
  }
  for (const key of type === 'rawsocket' ? SOCKET_FILE_KEYS : []) {
    if (has(entry, key)) issues.push({ path: [...at, key], message: 'only for a Unix socket listener (type: rawsocket with path)' });
  }
  const host = has(entry, 'host') ? valid(HOST, entry.host) : DEFAULT_HOST;
  const number = has(entry, 'port') ? valid(PORT, entry.port) : defaultPort(type, has(entry, 'tls'));
  return host === undefined || number === undefined ? undefined : { at, unix: false, host, port: number };
}

function clashes(a: Bound, b: Bound): boolean {
  if (a.unix || b.unix) return a.unix && b.unix && a.path === b.path;
  if (a.port === 0 || a.port !== b.port) return false;
  return a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host);
}
