import { isAbsolute, join } from 'node:path';

/** What the config readers need from outside: where relative paths start, and how files are read. */
export interface ConfigContext {
  /** A path from the config file, resolved against the file's directory when relative. */
  resolvePath(path: string): string;
  /** Reads a UTF-8 text file (secret files); throws like fs.readFileSync. */
  readFile(path: string): string;
}

export function createConfigContext(baseDir: string, readFile: (path: string) => string): ConfigContext {
  return {
    resolvePath: (path) => (isAbsolute(path) ? path : join(baseDir, path)),
    readFile,
  };
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
};

/** A short reason for a failed read, e.g. `no such file` (the path is not repeated). */
export function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return READ_ERRORS[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}
