import http from 'node:http';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { negotiateEncoding } from '../../src/router/compressed-cache.js';
import { isHashedName } from '../../src/router/content-types.js';
import { CONTENT_SECURITY_POLICY, createStaticHandler, IMMUTABLE, NOT_BUILT_TEXT } from '../../src/router/static-files.js';
import type { HttpHandler } from '../../src/transport/listener.js';

const SECRET = 'TOP-SECRET-CONTENT';
const INDEX = `<!doctype html><html><head><link rel="stylesheet" href="a.css">
<script type="module" src="assets/app-0123abcd.js"></script></head><body>${'<p>switchyard</p>\n'.repeat(100)}</body></html>\n`;
const APP = `export const greeting = 'hello';\n${'console.log(greeting);\n'.repeat(200)}`;
const CSS = 'body { margin: 0 }\n';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4000, 7)]);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let base: string;
let root: string;
let port: number;
const servers: http.Server[] = [];

/** A real HTTP server on 127.0.0.1 running `handler`; its port. */
async function serve(handler: HttpHandler): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function request(port: number, path: string, options: { method?: string; headers?: http.OutgoingHttpHeaders } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request written byte for byte (no client-side normalisation); the whole raw reply. */
function rawRequest(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1');
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'switchyard-web-'));
  root = join(base, 'web');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(base, 'secret.txt'), SECRET);
  await writeFile(join(root, 'index.html'), INDEX);
  await writeFile(join(root, 'assets', 'app-0123abcd.js'), APP);
  await writeFile(join(root, 'a.css'), CSS);
  await writeFile(join(root, 'logo.png'), PNG);
  await writeFile(join(root, 'data.bin'), 'xyz');
  await writeFile(join(root, 'empty.txt'), '');
  await writeFile(join(root, '.hidden'), SECRET);
  await symlink(join(base, 'secret.txt'), join(root, 'link.txt'));
  await symlink(base, join(root, 'outside'));
  await symlink(join(root, 'assets', 'app-0123abcd.js'), join(root, 'inside.js'));
  port = await serve(createStaticHandler({ root }));
});

afterAll(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await rm(base, { recursive: true, force: true });
});

describe('static files: what is served', () => {
  it('serves index.html at / with the page security headers and no-cache', async () => {
    const reply = await request(port, '/');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe(INDEX);
    expect(reply.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(INDEX)),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'referrer-policy': 'no-referrer',
      vary: 'Accept-Encoding',
    });
    expect(reply.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Date.parse(reply.headers['last-modified']!)).not.toBeNaN();
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect((await request(port, '/index.html?v=1')).body.toString()).toBe(INDEX);
  });

  it.each([
    ['/assets/app-0123abcd.js', 'text/javascript; charset=utf-8', IMMUTABLE],
    ['/a.css', 'text/css; charset=utf-8', 'no-cache'],
    ['/logo.png', 'image/png', 'no-cache'],
    ['/data.bin', 'application/octet-stream', 'no-cache'],
    ['/inside.js', 'text/javascript; charset=utf-8', 'no-cache'],
  ])('serves %s as %s with cache-control %s', async (path, type, cache) => {
    const reply = await request(port, path);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(type);
    expect(reply.headers['cache-control']).toBe(cache);
    expect(reply.headers['content-security-policy']).toBeUndefined();
  });

  it('tells content-hashed names from others', () => {
    const hashed = ['main-3f2a9c1b.js', 'app.0123abcd.css', 'chunk-5Q2ZJXWD.js', 'main-3F2A9C1B.js', 'main-3f2a9c1b.js.map', 'f-0123456789abcdef.woff2'];
    for (const name of hashed) {
      expect(isHashedName(name), name).toBe(true);
    }
    for (const name of ['index.html', 'app.js', 'icons-material.css', 'favicon-32x32.png', 'app-123.js', 'main-3f2a9c1b']) {
      expect(isHashedName(name), name).toBe(false);
    }
  });

  it('sends an empty file with Content-Length 0', async () => {
    const reply = await request(port, '/empty.txt');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe('0');
    expect(reply.body.length).toBe(0);
  });
});

describe('static files: compression', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip', 'gzip'],
    ['*', 'br'],
  ])('answers Accept-Encoding %s with %s, and the bytes decompress to the file', async (accept, encoding) => {
    const reply = await request(port, '/assets/app-0123abcd.js', { headers: { 'accept-encoding': accept } });
    expect(reply.headers['content-encoding']).toBe(encoding);
    expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(reply.headers['content-length']).toBe(String(reply.body.length));
    expect(reply.body.length).toBeLessThan(Buffer.byteLength(APP));
    const plain = encoding === 'br' ? zlib.brotliDecompressSync(reply.body) : zlib.gunzipSync(reply.body);
    expect(plain.toString()).toBe(APP);
    expect(reply.headers.etag).toMatch(new RegExp(`-${encoding}"$`));
  });

  it('sends tiny files, already-compressed types and refused encodings as they are', async () => {
    const all = { 'accept-encoding': 'br, gzip' };
    const css = await request(port, '/a.css', { headers: all });
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.toString()).toBe(CSS);
    const png = await request(port, '/logo.png', { headers: all });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect(png.body).toEqual(PNG);
    for (const accept of ['identity', 'br;q=0, gzip;q=0', '*;q=0', 'deflate']) {
      const reply = await request(port, '/', { headers: { 'accept-encoding': accept } });
      expect(reply.headers['content-encoding'], accept).toBeUndefined();
      expect(reply.body.toString()).toBe(INDEX);
    }
  });

  it('prefers br, honours q-values, and falls back to identity', () => {
    expect(negotiateEncoding(undefined)).toBeUndefined();
    expect(negotiateEncoding('')).toBeUndefined();
    expect(negotiateEncoding('gzip, br')).toBe('br');
    expect(negotiateEncoding('br;q=0.2, gzip;q=0.8')).toBe('gzip');
    expect(negotiateEncoding('x-gzip')).toBe('gzip');
    expect(negotiateEncoding('*;q=0.1, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('br;q=abc')).toBeUndefined();
  });

  it('compresses a file again when it changes', async () => {
    const path = join(root, 'changing.js');
    await writeFile(path, 'a'.repeat(5000));
    const first = await request(port, '/changing.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(zlib.gunzipSync(first.body).toString()).toBe('a'.repeat(5000));
    await writeFile(path, 'b'.repeat(6000));
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const second = await request(port, '/changing.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(zlib.gunzipSync(second.body).toString()).toBe('b'.repeat(6000));
    expect(second.headers.etag).not.toBe(first.headers.etag);
  });
});

describe('static files: HEAD and conditional requests', () => {
  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await request(port, '/', { headers: { 'accept-encoding': 'br' } });
    const head = await request(port, '/', { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(get.body.length));
    for (const key of ['content-type', 'content-encoding', 'etag', 'last-modified', 'cache-control', 'content-security-policy']) {
      expect(head.headers[key], key).toBe(get.headers[key]);
    }
    const plain = await request(port, '/logo.png', { method: 'HEAD' });
    expect([plain.headers['content-length'], plain.body.length]).toEqual([String(PNG.length), 0]);
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const first = await request(port, '/assets/app-0123abcd.js', { headers: { 'accept-encoding': 'gzip' } });
    const etag = first.headers.etag!;
    for (const ifNoneMatch of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
      const headers = { 'accept-encoding': 'gzip', 'if-none-match': ifNoneMatch };
      const again = await request(port, '/assets/app-0123abcd.js', { headers });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['cache-control']).toBe(IMMUTABLE);
    }
    const headers = { 'if-none-match': '"nope"', 'if-modified-since': new Date(Date.now() + 60_000).toUTCString() };
    const other = await request(port, '/assets/app-0123abcd.js', { headers });
    expect(other.status).toBe(200); // If-None-Match decides when present
  });

  it('answers If-Modified-Since with 304 unless the file is newer', async () => {
    const first = await request(port, '/a.css');
    const lastModified = first.headers['last-modified']!;
    expect((await request(port, '/a.css', { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await request(port, '/a.css', { headers: { 'if-modified-since': 'Thu, 01 Jan 2000 00:00:00 GMT' } })).status).toBe(200);
    expect((await request(port, '/a.css', { headers: { 'if-modified-since': 'garbage' } })).status).toBe(200);
  });
});

describe('static files: refusals', () => {
  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])('answers %s with 405 and Allow', async (method) => {
    const reply = await request(port, '/', { method });
    expect([reply.status, reply.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  const MISSING = ['/nope', '/nope.js', '/assets', '/assets/', '/settings/devices', '/.hidden', '/index.html/x'];
  it.each(MISSING)('answers %s with 404 in plain text', async (path) => {
    const reply = await request(port, path);
    expect([reply.status, reply.headers['content-type']]).toEqual([404, 'text/plain; charset=utf-8']);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/%252e%252e%252fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..\\secret.txt',
    '/..%5csecret.txt',
    '//etc/passwd',
    `/${base}/secret.txt`,
    '/%00',
    '/index.html%00.png',
    '/%',
    '/link.txt',
    '/outside/secret.txt',
    '/.hidden',
    'secret.txt',
    `http://127.0.0.1/../secret.txt`,
  ])('never serves a file outside the root for %s', async (target) => {
    const reply = await rawRequest(port, target);
    expect(reply).toMatch(/^HTTP\/1\.1 40[04] /);
    expect(reply).not.toContain(SECRET);
    expect(reply).not.toContain('root:');
  });
});

describe('static files: no web root', () => {
  it.each([
    ['does not exist', false],
    ['has no index.html', true],
  ])('answers / with 503 and a page saying the UI is not built while the root %s, other paths with 404', async (_what, exists) => {
    const missing = join(base, `not-built-${String(exists)}`);
    if (exists) await mkdir(join(missing, 'model'), { recursive: true });
    const lines: string[] = [];
    const fallback = await serve(createStaticHandler({ root: missing, logger: createLogger({ write: (line) => lines.push(line) }) }));
    expect(lines).toEqual([`warn the web UI is not built; serving a placeholder page at / root=${missing}`]);
    const page = await request(fallback, '/');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.body.toString()).toContain(NOT_BUILT_TEXT);
    expect((await request(fallback, '/', { method: 'HEAD' })).body.length).toBe(0);
    expect((await request(fallback, '/assets/app-0123abcd.js')).status).toBe(404);
    // Built after the start: served from then on.
    await mkdir(missing, { recursive: true });
    await writeFile(join(missing, 'index.html'), INDEX);
    expect((await request(fallback, '/')).body.toString()).toBe(INDEX);
  });
});
