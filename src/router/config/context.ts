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
