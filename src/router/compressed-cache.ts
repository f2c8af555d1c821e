import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * Compressed copies of the web UI's files, made once and kept in memory: a file is compressed
 * on its first request in an encoding, and again only when its mtime or size changes. The
 * cache holds at most one copy per file and encoding, and at most MAX_CACHED_BYTES in all
 * (the oldest entries go first).
 */

export type Encoding = 'br' | 'gzip';

/** Files smaller than this go out as they are: compressing saves too little. */
export const MIN_COMPRESS_BYTES = 1024;
/** Files larger than this are streamed as they are rather than held in memory. */
export const MAX_COMPRESS_BYTES = 16 * 1024 * 1024;
const MAX_CACHED_BYTES = 64 * 1024 * 1024;
/** Brotli's best quality costs seconds on a large bundle on a small board; large files get less. */
const BEST_QUALITY_UP_TO_BYTES = 512 * 1024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * The encoding to send for an `Accept-Encoding` header: br or gzip, whichever has the higher
 * q-value (br on a tie, `*` counting for both), or undefined (identity) when neither is accepted.
 */
export function negotiateEncoding(header: string | undefined): Encoding | undefined {
  if (header === undefined) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name === '') continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const wildcard = q.get('*') ?? 0;
  const br = q.get('br') ?? wildcard;
  const gz = q.get('gzip') ?? q.get('x-gzip') ?? wildcard;
  if (br <= 0 && gz <= 0) return undefined;
  return br >= gz ? 'br' : 'gzip';
}

export function compress(bytes: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'gzip') return gzip(bytes, { level: zlib.constants.Z_BEST_COMPRESSION });
  const quality = bytes.length <= BEST_QUALITY_UP_TO_BYTES ? zlib.constants.BROTLI_MAX_QUALITY : 9;
  return brotli(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

interface Entry {
  /** mtime and size of the file the copy was made from. */
  stamp: string;
  bytes: Promise<Buffer>;
  /** Known once compressed. */
  size: number;
}

export class CompressedCache {
  readonly #entries = new Map<string, Entry>();
  #total = 0;

  /**
   * The `encoding` copy of the file at `path` whose mtime and size make `stamp`; `read` gives its
   * bytes when there is no such copy yet. Concurrent requests share one compression.
   */
  get(path: string, stamp: string, encoding: Encoding, read: () => Promise<Buffer>): Promise<Buffer> {
    const key = `${encoding}:${path}`;
    const cached = this.#entries.get(key);
    if (cached !== undefined && cached.stamp === stamp) {
      // Most recently used last: eviction takes the first entries.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached.bytes;
    }
    if (cached !== undefined) this.#remove(key, cached);
    const entry: Entry = { stamp, size: 0, bytes: read().then((bytes) => compress(bytes, encoding)) };
    this.#entries.set(key, entry);
    entry.bytes.then(
      (bytes) => {
        if (this.#entries.get(key) !== entry) return;
        entry.size = bytes.length;
        this.#total += bytes.length;
        this.#evict();
      },
      () => this.#remove(key, entry), // the next request tries again
    );
    return entry.bytes;
  }

  /** Bytes of compressed copies held (tests). */
  get totalBytes(): number {
    return this.#total;
  }

  #remove(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#total -= entry.size;
  }

  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#total <= MAX_CACHED_BYTES) return;
      this.#remove(key, entry);
    }
  }
}
