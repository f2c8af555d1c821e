import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, describeReadError } from '../common/config-problem.js';
import { SocketAccessError } from '../transport/unix-socket-access.js';
import { isUnixListener, type ListenerConfig } from './config/types.js';

/**
 * A listener that could not start, as one line naming its config key like `switchyard check`
 * does (`router.yaml:4: listen[1].port: 0.0.0.0:8080 is already in use`), instead of a bare
 * `EADDRINUSE` or an OpenSSL code. The router's start-up errors are ConfigErrors: the fix is in
 * the config (or in what else runs on the machine), and `switchyard` exits 1 with the line.
 */

/** A TLS file of a listener could not be read; `key` is `cert`, `key` or `ca`. */
export class TlsFileError extends Error {
  readonly key: 'cert' | 'key' | 'ca';

  constructor(key: 'cert' | 'key' | 'ca', file: string, cause: unknown) {
    super(`cannot read ${file}: ${describeReadError(cause)}`, { cause });
    this.key = key;
  }
}

/**
 * Where a listener came from, so that the router's start-up errors name it as `switchyard
 * check` would: `router.yaml:12: listen[2].tls.cert: cannot read …`. The config reader records
 * each listener of a file; `switchyard router --listen` records its flag. Kept beside the
 * config objects (a WeakMap), so RouterConfig stays plain data.
 */

/** Names a key of the listener: `file:line: listen[2].tls.cert`, or `--listen 0.0.0.0:9000`. */
export type ListenerOrigin = (key: readonly PropertyKey[]) => string;

const origins = new WeakMap<ListenerConfig, ListenerOrigin>();

export function setListenerOrigin(listener: ListenerConfig, origin: ListenerOrigin): void {
  origins.set(listener, origin);
}

/** Every key a listen failure can name (see `explain`). */
const FAILURE_KEYS: readonly (readonly string[])[] = [[], ['host'], ['port'], ['path'], ['mode'], ['group'], ['tls'], ['tls', 'cert'], ['tls', 'key'], ['tls', 'ca']];

/**
 * The listeners' origins as data: per listener, the name its origin gives each key a failure can
 * name (`{}` without an origin). An origin is a function in a WeakMap, so it does not survive a
 * structured clone; a config read in a worker thread travels with this and gets its origins back
 * through restoreListenerOrigins.
 */
export function listenerOriginNames(listeners: readonly ListenerConfig[]): Record<string, string>[] {
  return listeners.map((listener) => {
    const origin = origins.get(listener);
    return origin === undefined ? {} : Object.fromEntries(FAILURE_KEYS.map((key) => [key.join('.'), origin(key)]));
  });
}

/** Records the origins listenerOriginNames wrote down, on copies of the listeners it read them from. */
export function restoreListenerOrigins(listeners: readonly ListenerConfig[], names: readonly Record<string, string>[]): void {
  listeners.forEach((listener, index) => {
    const table = names[index];
    if (table === undefined || table[''] === undefined) return;
    setListenerOrigin(listener, (key) => table[key.join('.')] ?? `${table['']}.${key.join('.')}`);
  });
}

/**
 * How to name a key of `listener` in an error: its recorded origin, else a description such as
 * `listener rawsocket 0.0.0.0:8081 (tls.cert)`.
 */
export function listenerKey(listener: ListenerConfig, key: readonly PropertyKey[]): string {
  const origin = origins.get(listener);
  if (origin !== undefined) return origin(key);
  const where = isUnixListener(listener) ? listener.path : `${listener.host}:${listener.port}`;
  return `listener ${listener.type} ${where}${key.length > 0 ? ` (${key.join('.')})` : ''}`;
}

/** The error for `listener`, which could not start because of `error`. */
export function listenFailure(listener: ListenerConfig, error: unknown): ConfigError {
  const { key, message } = explain(listener, error);
  return new ConfigError(`${listenerKey(listener, key)}: ${message}`);
}

function explain(listener: ListenerConfig, error: unknown): { key: PropertyKey[]; message: string } {
  if (error instanceof TlsFileError) return { key: ['tls', error.key], message: error.message };
  if (error instanceof SocketAccessError) return { key: [error.key], message: error.message };
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  if (isUnixListener(listener)) {
    const dir = dirname(listener.path);
    switch (code) {
      case 'EADDRINUSE':
        return { key: ['path'], message: `another process is listening on ${listener.path}` };
      case 'EACCES':
      case 'EPERM':
      case 'ENOENT':
        // Node reports a missing directory as EACCES on some systems: look.
        if (!existsSync(dir)) return { key: ['path'], message: `cannot create ${listener.path}: directory ${dir} does not exist` };
        return { key: ['path'], message: `cannot create ${listener.path}: ${dir} is not writable by this user` };
    }
    return { key: ['path'], message: text };
  }
  const address = `${listener.host}:${listener.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return { key: ['port'], message: `${address} is already in use (another router or program listens there)` };
    case 'EACCES':
      return { key: ['port'], message: `permission denied for ${address}: ports below 1024 need root or CAP_NET_BIND_SERVICE` };
    case 'EADDRNOTAVAIL':
      return { key: ['host'], message: `${listener.host} is not an address of this machine` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { key: ['host'], message: `cannot resolve host name ${listener.host}` };
  }
  if (listener.tls !== undefined && isTlsSetupError(code, text)) return { key: ['tls'], message: tlsMessage(text) };
  return { key: [], message: text };
}

function isTlsSetupError(code: unknown, text: string): boolean {
  return (typeof code === 'string' && code.startsWith('ERR_OSSL')) || /routines|PEM|certificate|private key/i.test(text);
}

function tlsMessage(text: string): string {
  if (/key values mismatch/i.test(text)) return 'the certificate and the key do not belong together';
  if (/no start line|unsupported|bad decrypt|DECODER/i.test(text)) return 'cert or key is not valid PEM (cert: a CERTIFICATE, key: a PRIVATE KEY)';
  return text;
}
