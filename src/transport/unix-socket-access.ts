import { readFileSync } from 'node:fs';
import { chmod, chown } from 'node:fs/promises';

/**
 * Who may connect to a Unix socket listener: the socket file's permissions and group, set right
 * after it is bound. A client needs write permission on the socket file, so `mode: 0o660` with
 * a group lets that group's users connect without root.
 */
export interface UnixSocketAccess {
  /** Permissions of the socket file, e.g. 0o660. */
  mode?: number;
  /** Group id of the socket file; the process must be a member of it (or root). */
  gid?: number;
}

/** A socket file's mode or group could not be set; `key` says which (`mode` or `group`). */
export class SocketAccessError extends Error {
  readonly key: 'mode' | 'group';
  readonly code: string | undefined;

  constructor(key: 'mode' | 'group', message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'SocketAccessError';
    this.key = key;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** Sets the group first, then the mode (so the file is never open to a wrong group). */
export async function applySocketAccess(path: string, access: UnixSocketAccess): Promise<void> {
  if (access.gid !== undefined) {
    try {
      await chown(path, -1, access.gid);
    } catch (error) {
      const why = (error as { code?: unknown }).code === 'EPERM' ? 'this user is not a member of that group' : String((error as Error).message);
      throw new SocketAccessError('group', `cannot give ${path} to group ${access.gid}: ${why}`, error);
    }
  }
  if (access.mode !== undefined) {
    try {
      await chmod(path, access.mode);
    } catch (error) {
      throw new SocketAccessError('mode', `cannot set mode 0${access.mode.toString(8)} on ${path}: ${(error as Error).message}`, error);
    }
  }
}

/**
 * The gid of a group given as a name or a number ("dialout", "20"); undefined when no such
 * group is in /etc/group (`groupFile` for tests).
 */
export function groupIdOf(group: string, groupFile: () => string = () => readFileSync('/etc/group', 'utf8')): number | undefined {
  if (/^\d+$/.test(group)) return Number(group);
  let text: string;
  try {
    text = groupFile();
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}
