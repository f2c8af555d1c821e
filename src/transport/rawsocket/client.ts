import net from 'node:net';
import tls from 'node:tls';
import type { ParseOptions } from '../../protocol/parse.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import { probeTls, speaksTlsError } from '../connect-errors.js';
import { describePeer } from '../socket-peer.js';
import { RawSocketError, RawSocketHandshakeError } from './errors.js';
import {
  decodeRouterHandshake,
  encodeHandshake,
  HANDSHAKE_LENGTH,
  lengthExponentFor,
  maxLengthOf,
} from './handshake.js';
import { RawSocketTransport } from './rawsocket-transport.js';

export type RawSocketTarget = { host: string; port: number } | { path: string };

export interface RawSocketConnectOptions {
  serializer: Serializer;
  /** This side's receive limit, announced as LLLL (default 2^24, L=15). */
  maxMessageSize?: number;
  /** Connect over TLS with these options (`{}` for the defaults; `rejectUnauthorized`, `ca`…). */
  tls?: tls.ConnectionOptions;
  /** Limit for connecting plus the handshake (default 10 s). */
  timeoutMs?: number;
  parse?: ParseOptions;
  /**
   * Plain TCP only: when the router has not answered the handshake after this long, check
   * whether the port speaks TLS (connect-errors.ts probeTls) and fail at once if it does (default 500 ms).
   */
  tlsProbeAfterMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TLS_PROBE_AFTER_MS = 500;

/**
 * Dials a RawSocket router (TCP, TLS or Unix socket) and runs the client handshake. Rejects with
 * RawSocketHandshakeError (naming the router's error code and its meaning) when the router
 * refuses, and with RawSocketError when it echoes another serializer or does not answer in time.
 */
export function connectRawSocket(
  target: RawSocketTarget,
  options: RawSocketConnectOptions,
): Promise<RawSocketTransport> {
  return new Promise((resolve, reject) => {
    const socket = dial(target, options.tls);
    new ClientHandshake(socket, target, options, resolve, reject);
  });
}

function dial(target: RawSocketTarget, tlsOptions: tls.ConnectionOptions | undefined): net.Socket {
  if (tlsOptions === undefined) return 'path' in target ? net.connect({ path: target.path }) : net.connect(target);
  if ('path' in target) return tls.connect({ ...tlsOptions, path: target.path });
  return tls.connect({ servername: net.isIP(target.host) === 0 ? target.host : undefined, ...tlsOptions, ...target });
}

class ClientHandshake {
  readonly #socket: net.Socket;
  readonly #target: RawSocketTarget;
  readonly #options: RawSocketConnectOptions;
  readonly #resolve: (transport: RawSocketTransport) => void;
  readonly #reject: (error: Error) => void;
  readonly #timer: ReturnType<typeof setTimeout>;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #probe: AbortController | undefined;
  readonly #exponent: number;
  #received: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(
    socket: net.Socket,
    target: RawSocketTarget,
    options: RawSocketConnectOptions,
    resolve: (transport: RawSocketTransport) => void,
    reject: (error: Error) => void,
  ) {
    this.#socket = socket;
    this.#target = target;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#exponent = lengthExponentFor(options.maxMessageSize ?? 2 ** 24);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#timer = setTimeout(this.#onTimeout, timeoutMs, timeoutMs);
    if (options.tls === undefined && 'host' in target) {
      const probeAfter = options.tlsProbeAfterMs ?? DEFAULT_TLS_PROBE_AFTER_MS;
      if (probeAfter < timeoutMs) this.#probeTimer = setTimeout(() => this.#probeTls(target, timeoutMs - probeAfter), probeAfter);
    }
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    // Written once connected (TLS: once secure); net and tls buffer it until then.
    socket.write(encodeHandshake(options.serializer.rawSocketId, this.#exponent));
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#done) return;
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    if (this.#received.length < HANDSHAKE_LENGTH) return;
    const bytes = this.#received;
    const reply = decodeRouterHandshake(bytes);
    switch (reply.kind) {
      case 'invalid':
        this.#fail(new RawSocketError('RAWSOCKET_HANDSHAKE_FAILED', `invalid handshake reply: ${reply.reason}`));
        return;
      case 'error':
        this.#fail(new RawSocketHandshakeError(reply.code, reply.meaning));
        return;
      case 'accept':
        break;
    }
    const serializer = this.#options.serializer;
    if (reply.serializerId !== serializer.rawSocketId) {
      this.#fail(
        new RawSocketError(
          'RAWSOCKET_SERIALIZER_MISMATCH',
          `router echoed serializer ${reply.serializerId}, ` +
            `but ${serializer.rawSocketId} (${serializer.name}) was requested`,
        ),
      );
      return;
    }
    this.#finish();
    const socket = this.#socket;
    const transport = new RawSocketTransport(socket, {
      serializer,
      info: {
        kind: 'rawsocket',
        peer: describePeer(socket, 'path' in this.#target ? this.#target.path : undefined),
        serializer: serializer.name,
        tls: this.#options.tls !== undefined,
      },
      maxOutgoingSize: reply.maxLength,
      maxIncomingSize: maxLengthOf(this.#exponent),
      head: bytes.subarray(HANDSHAKE_LENGTH),
      parse: this.#options.parse,
    });
    this.#resolve(transport);
  };

  /** No answer yet: a TLS server would wait for more bytes forever, so ask whether this is one. */
  #probeTls(target: { host: string; port: number }, timeoutMs: number): void {
    this.#probeTimer = undefined;
    this.#probe = new AbortController();
    void probeTls(target.host, target.port, timeoutMs, this.#probe.signal).then((speaksTls) => {
      if (speaksTls) this.#fail(speaksTlsError({ kind: 'rawsocket', tls: false, host: target.host, port: target.port }));
    });
  }

  readonly #onTimeout = (timeoutMs: number): void => {
    this.#fail(new RawSocketError('RAWSOCKET_TIMEOUT', `no RawSocket handshake reply within ${timeoutMs} ms`));
  };

  readonly #onError = (error: Error): void => {
    this.#fail(error);
  };

  readonly #onClose = (): void => {
    this.#fail(new RawSocketError('RAWSOCKET_HANDSHAKE_FAILED', 'connection closed during the RawSocket handshake'));
  };

  #fail(error: Error): void {
    if (this.#done) return;
    this.#finish();
    this.#socket.on('error', ignoreError);
    this.#socket.destroy();
    this.#reject(error);
  }

  #finish(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    if (this.#probeTimer !== undefined) clearTimeout(this.#probeTimer);
    this.#probe?.abort();
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onError);
    this.#socket.off('close', this.#onClose);
  }
}

function ignoreError(): void {}
