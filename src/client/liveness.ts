import type { Clock, TimerHandle } from '../common/clock.js';
import type { ProtocolError } from '../protocol/errors.js';
import type { WampMessage } from '../protocol/messages.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from '../transport/transport.js';
import type { PingableTransport } from './connector.js';

/**
 * Dead-link detection. A cable pulled or a NAT entry dropped leaves a TCP connection "open" for
 * minutes to hours (crossbar#105, autobahn-python#702). When the link has been idle for
 * `intervalMs`, a probe goes out; no answer within `timeoutMs` declares the link dead. A link that
 * dies while idle is found after intervalMs + timeoutMs at most; one that dies right after
 * traffic after 2 × intervalMs + timeoutMs at most (the idle check runs once per interval).
 *
 * - mode `wamp` (default): CALL of a random procedure no one registered. Every router answers it
 *   cheaply (ERROR `wamp.error.no_such_procedure`, or `not_authorized`); any RESULT or ERROR
 *   means alive. Works on every transport and router.
 * - mode `rawsocket-ping`: a RawSocket PING frame. Only for routers known to answer it:
 *   Crossbar's Twisted RawSocket reads a PING as a 16 MiB frame and drops the connection
 *   (crossbar#381). Falls back to `wamp` on transports without PING (WebSocket).
 */
export interface LivenessOptions {
  /** Idle time before a probe (default 20 s). */
  intervalMs?: number;
  /** How long a probe may go unanswered (default 10 s). */
  timeoutMs?: number;
  mode?: 'wamp' | 'rawsocket-ping';
}

export type ResolvedLivenessOptions = Required<LivenessOptions>;

export const DEFAULT_LIVENESS: ResolvedLivenessOptions = { intervalMs: 20_000, timeoutMs: 10_000, mode: 'wamp' };

export function resolveLivenessOptions(options: LivenessOptions = {}): ResolvedLivenessOptions {
  const resolved: ResolvedLivenessOptions = { ...DEFAULT_LIVENESS, ...withoutUndefined(options) };
  if (!(resolved.intervalMs > 0) || !Number.isFinite(resolved.intervalMs)) throw new RangeError('liveness.intervalMs must be > 0');
  if (!(resolved.timeoutMs > 0) || !Number.isFinite(resolved.timeoutMs)) throw new RangeError('liveness.timeoutMs must be > 0');
  if (resolved.mode !== 'wamp' && resolved.mode !== 'rawsocket-ping') {
    throw new RangeError(`liveness.mode must be 'wamp' or 'rawsocket-ping', not ${JSON.stringify(resolved.mode)}`);
  }
  return resolved;
}

export interface LivenessMonitorOptions {
  clock: Clock;
  intervalMs: number;
  timeoutMs: number;
  /** Reports (and clears) whether inbound traffic arrived since the last call. */
  takeTraffic(): boolean;
  /** Sends one probe; settles (either way) when the peer answered. */
  probe(): Promise<unknown>;
  /** Called once when a probe went unanswered for `timeoutMs`. */
  onDead(reason: string): void;
}

/** The idle timer, the probe and its deadline. Start after WELCOME, stop when the session ends. */
export class LivenessMonitor {
  readonly #options: LivenessMonitorOptions;
  #timer: TimerHandle | undefined;
  /** Identifies the outstanding probe, so a late answer to an older one is ignored. */
  #probeSeq = 0;
  #running = false;

  constructor(options: LivenessMonitorOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#options.takeTraffic();
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#probeSeq++;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#options.clock.setTimeout(this.#onIdleCheck, this.#options.intervalMs);
  }

  readonly #onIdleCheck = (): void => {
    this.#timer = undefined;
    if (!this.#running) return;
    // Only idle links are probed: traffic in the last interval already proved the link alive.
    if (this.#options.takeTraffic()) {
      this.#schedule();
      return;
    }
    const seq = ++this.#probeSeq;
    this.#timer = this.#options.clock.setTimeout(this.#onProbeTimeout, this.#options.timeoutMs);
    this.#options.probe().then(
      () => this.#onAnswer(seq),
      () => this.#onAnswer(seq),
    );
  };

  #onAnswer(seq: number): void {
    if (!this.#running || seq !== this.#probeSeq) return;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#options.takeTraffic();
    this.#schedule();
  }

  readonly #onProbeTimeout = (): void => {
    this.#timer = undefined;
    if (!this.#running) return;
    this.stop();
    this.#options.onDead(`no answer to a liveness probe within ${this.#options.timeoutMs} ms`);
  };
}

/** What the WAMP probe needs of a session. */
export interface ProbeTarget {
  readonly id: number;
  call(procedure: string): Promise<unknown>;
}

/**
 * A CALL to `switchyard.liveness.s<session>.p<random>`: under this session's own namespace, so
 * nobody has registered it and the router answers at once with an ERROR. Settles on any answer.
 */
export function wampProbe(session: ProbeTarget, random: () => number = Math.random): () => Promise<unknown> {
  return () => {
    const token = Math.floor(random() * 2 ** 48).toString(36);
    return session.call(`switchyard.liveness.s${session.id}.p${token}`);
  };
}

/** A RawSocket PING; settles with the PONG (or when the transport closes). */
export function pingProbe(transport: PingableTransport): () => Promise<unknown> {
  return () => transport.ping();
}

/**
 * A Transport that passes everything through and notes whether anything arrived, so the monitor
 * probes only idle links. One flag write per inbound message; no allocation.
 */
export class ObservedTransport implements Transport {
  readonly #inner: Transport;
  #handlers: TransportHandlers | undefined;
  #seen = false;

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  /** The wrapped transport (for PING and for closing it from outside the session). */
  get inner(): Transport {
    return this.#inner;
  }

  /** Whether a message arrived since the last call; clears the flag. */
  takeTraffic(): boolean {
    const seen = this.#seen;
    this.#seen = false;
    return seen;
  }

  get serializer(): Serializer {
    return this.#inner.serializer;
  }
  get info(): TransportInfo {
    return this.#inner.info;
  }
  get maxOutgoingSize(): number {
    return this.#inner.maxOutgoingSize;
  }
  get bufferedAmount(): number {
    return this.#inner.bufferedAmount;
  }
  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  attach(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    this.#inner.attach(this.#sink);
  }

  send(message: WampMessage): void {
    this.#inner.send(message);
  }

  sendEncoded(bytes: Uint8Array): void {
    this.#inner.sendEncoded(bytes);
  }

  close(reason?: string): void {
    this.#inner.close(reason);
  }

  destroy(reason?: string): void {
    this.#inner.destroy(reason);
  }

  readonly #sink: TransportHandlers = {
    onMessage: (message: WampMessage): void => {
      this.#seen = true;
      this.#handlers!.onMessage(message);
    },
    onProtocolError: (error: ProtocolError): void => {
      this.#handlers!.onProtocolError(error);
    },
    onClose: (info: CloseInfo): void => {
      this.#handlers!.onClose(info);
    },
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
