import { createRequire } from 'node:module';
import type { RouterAddress, SerializerName, TransportName } from './py-peer.js';
import { withTimeout } from './timeouts.js';

type Dict = Record<string, unknown>;

/** Autobahn|JS 22.11.1 ships no types: the slice of its API these tests use. */
interface AutobahnModule {
  Connection: new (options: Dict) => AbConnection;
  Error: new (error: string, args?: unknown[], kwargs?: Dict) => AbError;
  Result: new (args?: unknown[], kwargs?: Dict) => AbResult;
  serializer: Record<'JSONSerializer' | 'MsgpackSerializer' | 'CBORSerializer', new () => unknown>;
  auth_cra: {
    sign(key: string, challenge: string): string;
    derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string;
  };
  auth_cryptosign: { sign_challenge(pkey: NaclKeyPair, extra: Dict): string; public_key(pkey: NaclKeyPair): string };
  nacl: { sign: { keyPair: { fromSeed(seed: Uint8Array): NaclKeyPair } } };
  log: { warn: (...args: unknown[]) => void };
}

interface NaclKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

interface AbConnection {
  onopen: (session: AbSession, details: AbWelcome) => void;
  onclose: (reason: string, details: { reason: string | null; message: string | null }) => boolean;
  open(): void;
  close(reason?: string, message?: string): void;
}

/** ERROR payload as Autobahn|JS surfaces it (rejection value of a call, thrown by an endpoint). */
export interface AbError {
  error: string;
  args: unknown[];
  kwargs: Dict;
}

/** A multi-value result: more than one positional value, or any keyword values. */
export interface AbResult {
  args: unknown[];
  kwargs: Dict;
}

/** when.js promise of a call: thenable with a progress callback, plus cancel(). */
export interface AbCall<T> {
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
    onProgress?: (progress: unknown) => void,
  ): PromiseLike<R1 | R2>;
  cancel(options?: { mode?: 'skip' | 'kill' | 'killnowait' }): void;
}

export interface AbEventDetails {
  publication: number;
  topic: string;
  publisher?: number;
}

export interface AbInvocation {
  procedure: string;
  progress: ((args?: unknown[], kwargs?: Dict) => void) | null;
  caller?: number;
}

export interface AbSession {
  readonly id: number;
  call<T = unknown>(procedure: string, args?: unknown[], kwargs?: Dict, options?: Dict): AbCall<T>;
  publish(topic: string, args?: unknown[], kwargs?: Dict, options?: Dict): PromiseLike<{ id: number } | undefined>;
  subscribe(topic: string, handler: (args: unknown[], kwargs: Dict, details: AbEventDetails) => void, options?: Dict): PromiseLike<{ id: number }>;
  register(procedure: string, endpoint: (args: unknown[], kwargs: Dict, details: AbInvocation) => unknown, options?: Dict): PromiseLike<{ id: number }>;
}

/** WELCOME.Details plus Autobahn's transport info (`protocol` is the negotiated subprotocol). */
export interface AbWelcome extends Dict {
  authid: string;
  authrole: string;
  authmethod: string;
  transport: { type: string; protocol: string };
}

export type AbAuth =
  | { method: 'ticket'; authid: string; secret: string }
  | { method: 'wampcra'; authid: string; secret: string }
  | { method: 'cryptosign'; authid: string; seed: string };

export interface AbOpenOptions {
  transport: TransportName;
  /** WebSocket only; Autobahn|JS RawSocket is JSON-only. */
  serializer?: SerializerName;
  realm?: string;
  auth?: AbAuth;
}

/** The router ended the session before WELCOME (ABORT) or the transport failed. */
export class AutobahnOpenError extends Error {
  constructor(
    readonly reason: string,
    readonly uri: string | null,
  ) {
    super(`Autobahn|JS session not opened: ${reason} ${uri ?? ''}`.trim());
    this.name = 'AutobahnOpenError';
  }
}

export interface AutobahnPeer {
  session: AbSession;
  welcome: AbWelcome;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
export const autobahn = require('autobahn') as AutobahnModule;
autobahn.log.warn = () => {}; // "connection closed" etc. would clutter the test output

const SERIALIZER_CLASS = { json: 'JSONSerializer', msgpack: 'MsgpackSerializer', cbor: 'CBORSerializer' } as const;

/** Opens an Autobahn|JS session (no auto-reconnect) and resolves once it has joined. */
export async function openAutobahn(router: RouterAddress, options: AbOpenOptions): Promise<AutobahnPeer> {
  const transport = options.transport === 'rawsocket'
    ? { type: 'rawsocket', host: router.host, port: router.rawsocketPort }
    : { type: 'websocket', url: router.wsUrl, serializers: [new autobahn.serializer[SERIALIZER_CLASS[options.serializer ?? 'json']]()] };
  const connection = new autobahn.Connection({
    url: router.wsUrl,
    realm: options.realm ?? 'home',
    transports: [transport],
    max_retries: 0,
    retry_if_unreachable: false,
    on_user_error: () => {}, // endpoints that throw on purpose would log to stderr
    ...authOptions(options.auth),
  });
  let closed!: () => void;
  const gone = new Promise<void>((resolve) => (closed = resolve));
  const joined = new Promise<AutobahnPeer>((resolve, reject) => {
    connection.onopen = (session, welcome) => resolve({ session, welcome, close: () => closeConnection(connection, gone) });
    connection.onclose = (reason, details) => {
      reject(new AutobahnOpenError(reason, details.reason));
      closed();
      return true; // never retry
    };
  });
  connection.open();
  try {
    return await withTimeout(joined, 'Autobahn|JS join');
  } catch (error) {
    await closeConnection(connection, gone);
    throw error;
  }
}

async function closeConnection(connection: AbConnection, gone: Promise<void>): Promise<void> {
  try {
    connection.close();
  } catch {
    // "connection already closed"
  }
  await withTimeout(gone, 'Autobahn|JS close', 2_000).catch(() => undefined);
}

function authOptions(auth: AbAuth | undefined): Dict {
  if (auth === undefined) return {};
  const base = { authmethods: [auth.method], authid: auth.authid };
  switch (auth.method) {
    case 'ticket':
      return { ...base, onchallenge: () => auth.secret };
    case 'wampcra':
      return {
        ...base,
        onchallenge: (_session: unknown, _method: string, extra: Dict) => {
          const salt = extra.salt as string | undefined;
          const key = salt === undefined
            ? auth.secret
            : autobahn.auth_cra.derive_key(auth.secret, salt, extra.iterations as number, extra.keylen as number);
          return autobahn.auth_cra.sign(key, extra.challenge as string);
        },
      };
    case 'cryptosign': {
      const pkey = autobahn.nacl.sign.keyPair.fromSeed(new Uint8Array(Buffer.from(auth.seed, 'hex')));
      return {
        ...base,
        authextra: { pubkey: autobahn.auth_cryptosign.public_key(pkey) },
        onchallenge: (_session: unknown, _method: string, extra: Dict) => autobahn.auth_cryptosign.sign_challenge(pkey, extra),
      };
    }
  }
}

/** Rejection value of an Autobahn|JS call, narrowed. */
export function asAbError(reason: unknown): AbError {
  if (reason instanceof autobahn.Error) return reason;
  throw new Error(`expected an autobahn.Error, got ${String(reason)}`);
}
