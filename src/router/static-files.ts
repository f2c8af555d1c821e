import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '../common/logger.js';
import type { HttpHandler } from '../transport/listener.js';
import { CompressedCache, MAX_COMPRESS_BYTES, MIN_COMPRESS_BYTES, negotiateEncoding, type Encoding } from './compressed-cache.js';
import { contentTypeOf, isHashedName, isHtml } from './content-types.js';
import { builtRoot, findFile, INDEX_FILE, requestedFile, type FoundFile } from './static-path.js';

/**
 * The browser UI's static files, served on the HTTP side of universal and websocket
 * listeners: GET and HEAD only, conditional requests (ETag, Last-Modified), br/gzip for text
 * when the browser accepts it, immutable caching for content-hashed names, no-cache for the
 * rest, and the page's security headers on HTML. Nothing outside the root is ever served (see
 * static-path.ts).
 */

/**
 * The package's built UI (`npm run build` writes `dist/web/`). From `src/router/` (vitest) and
 * `dist/router/` alike, `../../dist/web/` is that directory.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page allows only itself: no inline scripts or styles, no third-party requests. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'";
const PAGE_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
};

export const NOT_BUILT_TEXT = 'The switchyard UI is not built: run npm run build';
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>switchyard</title></head>
<body><h1>switchyard</h1><p>${NOT_BUILT_TEXT}</p></body></html>
`;

export interface StaticHandlerOptions {
  /** Directory of index.html and its assets. */
  root: string;
  logger?: Logger;
}

/** An HttpHandler serving `root`, or a placeholder page at `/` while `root` has no index.html. */
export function createStaticHandler(options: StaticHandlerOptions): HttpHandler {
  const logger = options.logger ?? silentLogger;
  const root = resolve(options.root);
  if (existsSync(join(root, INDEX_FILE))) logger.info('serving the web UI', { root });
  else logger.warn('the web UI is not built; serving a placeholder page at /', { root });
  const files = new StaticFiles(root, logger);
  return (req, res) => {
    files.handle(req, res).catch((error: unknown) => {
      logger.warn('web UI request failed', { url: req.url, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendText(req, res, 500, 'internal error\n');
      else res.destroy();
    });
  };
}

class StaticFiles {
  readonly #root: string;
  readonly #logger: Logger;
  readonly #compressed = new CompressedCache();
  /** The root's realpath, once it holds index.html. */
  #realRoot: string | undefined;

  constructor(root: string, logger: Logger) {
    this.#root = root;
    this.#logger = logger;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(req, res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    const wanted = requestedFile(req.url);
    if ('status' in wanted) {
      sendText(req, res, wanted.status, wanted.status === 400 ? 'bad request\n' : 'not found\n');
      return;
    }
    // Checked on every request until it is built, so a UI built after the start is picked up.
    this.#realRoot ??= await builtRoot(this.#root);
    if (this.#realRoot === undefined) {
      this.#placeholder(req, res, wanted.segments);
      return;
    }
    const file = await findFile(this.#realRoot, wanted.segments);
    if (file === undefined) {
      sendText(req, res, 404, 'not found\n');
      return;
    }
    await this.#send(req, res, wanted.segments[wanted.segments.length - 1]!, file);
  }

  async #send(req: IncomingMessage, res: ServerResponse, name: string, file: FoundFile): Promise<void> {
    const { size, mtimeMs } = file.stats;
    const type = contentTypeOf(name);
    const compressible = type.compressible && size >= MIN_COMPRESS_BYTES && size <= MAX_COMPRESS_BYTES;
    const encoding = compressible ? negotiateEncoding(req.headers['accept-encoding']) : undefined;
    const etag = entityTag(size, mtimeMs, encoding);
    const headers: OutgoingHttpHeaders = {
      etag,
      'last-modified': new Date(mtimeMs).toUTCString(),
      'cache-control': isHashedName(name) ? IMMUTABLE : 'no-cache',
      ...(compressible ? { vary: 'Accept-Encoding' } : {}),
    };
    if (notModified(req, etag, mtimeMs)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    Object.assign(headers, { 'content-type': type.type, 'x-content-type-options': 'nosniff' }, isHtml(type) ? PAGE_HEADERS : {});
    if (encoding !== undefined) {
      const stamp = `${mtimeMs}:${size}`;
      const bytes = await this.#compressed.get(file.path, stamp, encoding, () => readFile(file.path));
      res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': size });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(file.path, { start: 0, end: size - 1 }), res);
    } catch (error) {
      // Most often the browser went away mid-file; the response is already under way.
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.debug('web UI file not sent in full', { path: file.path, error: reason });
      res.destroy();
    }
  }

  /** No built web root yet: `/` explains why (503), everything else is 404. */
  #placeholder(req: IncomingMessage, res: ServerResponse, segments: readonly string[]): void {
    if (segments.length !== 1 || segments[0] !== INDEX_FILE) {
      sendText(req, res, 404, 'not found\n');
      return;
    }
    const body = Buffer.from(NOT_BUILT_PAGE);
    res.writeHead(503, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...PAGE_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** A strong ETag from size and mtime; each encoding is its own representation. */
function entityTag(size: number, mtimeMs: number, encoding: Encoding | undefined): string {
  const base = `${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}`;
  return `"${encoding === undefined ? base : `${base}-${encoding}`}"`;
}

/** If-None-Match (weak comparison) decides when present; otherwise If-Modified-Since (1 s resolution). */
function notModified(req: IncomingMessage, etag: string, mtimeMs: number): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
    });
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, extra: OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(text);
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
