import { extname } from 'node:path';

/**
 * What the web UI's static files are, by extension: the Content-Type sent, and whether the
 * bytes are worth compressing (text, SVG, source maps, wasm, uncompressed fonts). Images and
 * woff/woff2 fonts are already compressed and go out as they are.
 */
export interface ContentType {
  type: string;
  compressible: boolean;
}

const TEXT = (type: string): ContentType => ({ type: `${type}; charset=utf-8`, compressible: true });
const BINARY = (type: string, compressible = false): ContentType => ({ type, compressible });

const BY_EXTENSION: ReadonlyMap<string, ContentType> = new Map([
  ['.html', TEXT('text/html')],
  ['.htm', TEXT('text/html')],
  ['.js', TEXT('text/javascript')],
  ['.mjs', TEXT('text/javascript')],
  ['.css', TEXT('text/css')],
  ['.json', TEXT('application/json')],
  ['.map', TEXT('application/json')],
  ['.webmanifest', TEXT('application/manifest+json')],
  ['.txt', TEXT('text/plain')],
  ['.xml', TEXT('application/xml')],
  ['.svg', TEXT('image/svg+xml')],
  ['.wasm', BINARY('application/wasm', true)],
  ['.ico', BINARY('image/x-icon', true)],
  ['.ttf', BINARY('font/ttf', true)],
  ['.otf', BINARY('font/otf', true)],
  ['.woff', BINARY('font/woff')],
  ['.woff2', BINARY('font/woff2')],
  ['.png', BINARY('image/png')],
  ['.jpg', BINARY('image/jpeg')],
  ['.jpeg', BINARY('image/jpeg')],
  ['.gif', BINARY('image/gif')],
  ['.webp', BINARY('image/webp')],
  ['.avif', BINARY('image/avif')],
]);

const UNKNOWN: ContentType = BINARY('application/octet-stream');

/** The content type of a file by its name (case-insensitive extension); unknown: octet-stream. */
export function contentTypeOf(fileName: string): ContentType {
  return BY_EXTENSION.get(extname(fileName).toLowerCase()) ?? UNKNOWN;
}

/** Whether a type is HTML (it gets the page's security headers). */
export function isHtml(type: ContentType): boolean {
  return type.type.startsWith('text/html');
}

/**
 * Whether a file name carries a content hash, so its bytes never change under that name:
 * `main-3f2a9c1b.js`, `app.0123abcd.css`, `chunk-5Q2ZJXWD.js` (esbuild's default
 * `[name]-[hash]`), `main-3f2a9c1b.js.map`. The hash is 8+ hex digits (one case) or 8
 * upper-case base32 characters, after `-` or `.` and before the extension(s).
 */
const HASHED = /[.-](?:[0-9a-f]{8,}|[0-9A-F]{8,}|[A-Z2-7]{8})(?:\.[A-Za-z0-9]+)+$/;

export function isHashedName(fileName: string): boolean {
  return HASHED.test(fileName);
}
