import type { PathIssue } from '../../common/yaml-schema.js';
import { readSecretFile } from '../../common/config-problem.js';
import type { ConfigContext } from './context.js';
import { has, rawMaps, rawText } from './raw.js';

/** The secrets read from files, and the problems with the files. */
export interface SecretFiles {
  /** The secret read for user `user` of realm `realm`, if it has a file. */
  get(realm: number, user: number): string | undefined;
  issues: PathIssue[];
}

/** Per method: the inline key and the file key. */
const SOURCES = { ticket: ['ticket', 'ticket_file'], wampcra: ['secret', 'secret_file'] } as const;

/**
 * Reads the secrets users keep in files (`ticket_file`, `secret_file`) instead of inline:
 * relative paths start at the config file's directory, the trailing newline is dropped. A file
 * that cannot be read or is empty is a problem at its key; the message names the file, never
 * its content. `skip(path)` tells which values are already known to be wrong (an unset
 * `${NAME}` in the path): those are not read. Runs on the data as found, like checks.ts.
 */
export function readSecretFiles(realms: unknown, ctx: ConfigContext, skip: (path: readonly PropertyKey[]) => boolean): SecretFiles {
  const secrets = new Map<string, string>();
  const issues: PathIssue[] = [];
  for (const [realm, realmIndex] of rawMaps(realms)) {
    for (const [user, userIndex] of rawMaps(realm.users)) {
      const source = user.method === 'ticket' || user.method === 'wampcra' ? SOURCES[user.method] : undefined;
      if (source === undefined || has(user, source[0])) continue;
      const fileKey = source[1];
      const at = ['realms', realmIndex, 'users', userIndex, fileKey];
      const file = rawText(user[fileKey]);
      if (file === undefined || skip(at)) continue;
      const secret = readSecret(ctx, file, at, issues);
      if (secret !== undefined) secrets.set(`${realmIndex}/${userIndex}`, secret);
    }
  }
  return { get: (realm, user) => secrets.get(`${realm}/${user}`), issues };
}

function readSecret(ctx: ConfigContext, file: string, at: PropertyKey[], issues: PathIssue[]): string | undefined {
  const read = readSecretFile(ctx.resolvePath(file), ctx.readFile);
  if (read.problem !== undefined) issues.push({ path: at, message: read.problem });
  return read.text;
}
