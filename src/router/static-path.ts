import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * Which file under the web root a request names, refusing anything that could reach outside
 * it. Two layers: the URL path must decode to plain names (no `.`/`..`/hidden or empty
 * segments, no backslash, control character or leftover `%` from double encoding), and the
 * file found must still be inside the root once symlinks are resolved (realpath).
 */

/** The request's file as path segments under the root, or the status to answer (400, 404). */
export type RequestedFile = { segments: string[] } | { status: 400 | 404 };

const CONTROL = /[\u0000-\u001f\u007f]/;

export function requestedFile(url: string | undefined): RequestedFile {
  // Only origin-form targets (`/path?query`); `*` and absolute URLs are not files.
  if (url === undefined || !url.startsWith('/')) return { status: 400 };
  const end = url.search(/[?#]/);
  const raw = end === -1 ? url : url.slice(0, end);
  if (raw.includes('\\') || CONTROL.test(raw)) return { status: 400 };
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return { status: 400 }; // malformed percent-encoding
  }
  // Encoded backslashes and control characters; a `%` left after decoding was encoded twice.
  if (path.includes('\\') || path.includes('%') || CONTROL.test(path)) return { status: 400 };
  if (path === '/') return { segments: [INDEX_FILE] };
  const segments = path.slice(1).split('/');
  // '' (`//`, a trailing slash), '.', '..' and hidden files are never served.
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return { status: 404 };
  return { segments };
}

/** Errors that mean "no such file here" rather than a fault worth a 500. */
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES', 'EPERM']);

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NOT_FOUND_CODES.has(code);
}

/** Whether `path` (a realpath) is `root` (a realpath) or below it. */
export function isInside(root: string, path: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path === root || path.startsWith(prefix);
}

export interface FoundFile {
  /** The file's realpath, inside the root. */
  path: string;
  stats: Stats;
}

/**
 * The regular file at `segments` under `root` (a realpath), following symlinks only where
 * they stay inside the root; undefined when there is none.
 */
export async function findFile(root: string, segments: readonly string[]): Promise<FoundFile | undefined> {
  try {
    const path = await realpath(join(root, ...segments));
    if (!isInside(root, path)) return undefined;
    const stats = await stat(path);
    return stats.isFile() ? { path, stats } : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The page at `/`; a web root without it is not built (yet). */
export const INDEX_FILE = 'index.html';

/** The realpath of a web root that holds index.html; undefined when it is missing or not built. */
export async function builtRoot(root: string): Promise<string | undefined> {
  try {
    const path = await realpath(root);
    return (await stat(join(path, INDEX_FILE))).isFile() ? path : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
