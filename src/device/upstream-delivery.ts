import type { Logger } from '../common/logger.js';
import type { Session } from '../client/session.js';
import { SessionClosedError } from '../client/errors.js';
import { WampError } from '../protocol/errors.js';
import { readingKwargs, type BufferedReading } from './reading.js';
import type { ReadingBuffer } from './reading-buffer.js';
import type { DeviceUris } from './uris.js';

/** Publications awaiting their acknowledgement at once (a pipeline: the router keeps their order). */
const DEFAULT_WINDOW = 256;

/**
 * Delivers the buffered readings to the upstream router, oldest first, each as an acknowledged
 * publication with its original `ts` and `seq`. A reading leaves the buffer only when the router
 * acknowledged it, or when the router refused it (not authorized, invalid URI…: logged and
 * dropped, so one bad reading never blocks the queue). When the session is lost, the readings
 * in flight go back to the head of the queue and are sent again on the next session
 * (at-least-once; subscribers drop repeats by `seq`).
 *
 * Publications go to the joined Session itself, never through the ManagedSession's waiting
 * queue: one made while the link dies must fail, not wait and then repeat the requeued reading.
 */
export class UpstreamDelivery {
  readonly #buffer: ReadingBuffer;
  readonly #uris: DeviceUris;
  readonly #logger: Logger;
  readonly #window: number;
  #session: Session | undefined;
  /** Bumped on every session change, so answers from an old session are ignored. */
  #generation = 0;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  /** Per sensor, the error URIs whose refusal streak was logged (a refused topic would refuse every reading). */
  readonly #refusing = new Map<string, Set<string>>();

  constructor(buffer: ReadingBuffer, uris: DeviceUris, logger: Logger, window = DEFAULT_WINDOW) {
    this.#buffer = buffer;
    this.#uris = uris;
    this.#logger = logger.child({ to: 'upstream' });
    this.#window = window;
  }

  /** A session joined: start sending. */
  joined(session: Session): void {
    this.#generation++;
    this.#session = session;
    this.#inFlight = 0;
    if (this.#buffer.size > 0) this.#logger.info('delivering buffered readings', { count: this.#buffer.size });
    this.pump();
  }

  /** The session was lost: what was in flight is sent again next time. */
  lost(): void {
    this.#generation++;
    this.#session = undefined;
    this.#inFlight = 0;
    this.#buffer.requeue();
    this.#notifyIdle();
  }

  /** Sends what the window allows (call after pushing a reading). */
  pump(): void {
    const session = this.#session;
    if (session === undefined || !session.isOpen) return;
    const room = this.#window - this.#inFlight;
    if (room <= 0) return;
    const batch = this.#buffer.take(room);
    const generation = this.#generation;
    for (const reading of batch) {
      this.#inFlight++;
      this.#send(session, reading).then(
        () => this.#settled(generation, reading, true, undefined),
        (error: unknown) => this.#settled(generation, reading, false, error),
      );
    }
    this.#notifyIdle();
  }

  /** Resolves when nothing is buffered and nothing is in flight (or the session is gone). */
  drained(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #send(session: Session, reading: BufferedReading): Promise<void> {
    const kwargs = readingKwargs(reading.ts, reading.seq, reading.unit);
    return session.publish(this.#uris.reading(reading.sensor), [reading.value], kwargs, { acknowledge: true });
  }

  /** The router acknowledged (`acked`) or failed the publication of `reading`. */
  #settled(generation: number, reading: BufferedReading, acked: boolean, error: unknown): void {
    if (generation !== this.#generation) return;
    this.#inFlight--;
    if (acked) this.#acked(reading);
    else this.#refused(reading, error);
    this.pump();
  }

  #acked(reading: BufferedReading): void {
    this.#buffer.ack(reading.id);
    if (this.#refusing.size > 0) this.#refusing.delete(reading.sensor);
  }

  /**
   * The router's ERROR drops the reading (logged once per sensor and error until one of that
   * sensor's readings is accepted again; `describe` counts them all); anything else (the link
   * died) leaves it for requeue.
   */
  #refused(reading: BufferedReading, error: unknown): void {
    if (!(error instanceof WampError) || error instanceof SessionClosedError) return;
    this.#buffer.reject(reading.id);
    const fields = { sensor: reading.sensor, seq: reading.seq, error: error.uri };
    let logged = this.#refusing.get(reading.sensor);
    if (logged?.has(error.uri) === true) return this.#logger.debug('reading refused by the router; dropped', fields);
    if (logged === undefined) this.#refusing.set(reading.sensor, (logged = new Set()));
    logged.add(error.uri);
    this.#logger.warn('reading refused by the router; dropped (further refusals of this sensor are counted in describe)', fields);
  }

  #isIdle(): boolean {
    return this.#session === undefined || (this.#inFlight === 0 && this.#buffer.size === 0);
  }

  #notifyIdle(): void {
    if (!this.#isIdle() || this.#idle.length === 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  }
}
