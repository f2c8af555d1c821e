import { PayloadSizeExceededError, ProtocolError } from '../protocol/errors.js';
import type { WampMessage } from '../protocol/messages.js';
import { parseMessage, type ParseOptions } from '../protocol/parse.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import type { CloseInfo, Transport, TransportHandlers, TransportInfo } from './transport.js';

/** Inbound data held until `attach`: bytes/text to decode, an already decoded value, or an error. */
type Pending = Uint8Array | string | unknown[] | ProtocolError;

/**
 * What every Transport shares: the queue before `attach`, decode + parseMessage with protocol
 * errors reported (the transport stays open), the size check on send, ignored sends once closed,
 * and onClose exactly once. Browser-safe (no node:* imports): the WebSocket client builds on it.
 *
 * Lifecycle: open → closing (close() called) → closed (the connection is gone), or open → closed.
 */
export abstract class BaseTransport implements Transport {
  readonly serializer: Serializer;
  readonly info: TransportInfo;
  readonly #parseOptions: ParseOptions | undefined;
  #handlers: TransportHandlers | undefined;
  #pending: Pending[] = [];
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closeInfo: CloseInfo | undefined;
  #closedLocally = false;

  protected constructor(serializer: Serializer, info: TransportInfo, parseOptions?: ParseOptions) {
    this.serializer = serializer;
    this.info = info;
    this.#parseOptions = parseOptions;
  }

  abstract get maxOutgoingSize(): number;
  abstract get bufferedAmount(): number;
  /** Writes one serialized message, already checked against maxOutgoingSize. */
  protected abstract writeMessage(bytes: Uint8Array): void;
  /** Starts closing the connection; the subclass later calls `closed()`. */
  protected abstract closeConnection(reason: string): void;
  /** Drops the connection without flushing; the subclass later calls `closed()`. */
  protected destroyConnection(reason: string): void {
    this.closeConnection(reason);
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  attach(handlers: TransportHandlers): void {
    if (this.#handlers !== undefined) throw new Error('transport is already attached');
    this.#handlers = handlers;
    const pending = this.#pending;
    this.#pending = [];
    // What arrived before the connection closed is still delivered, unless the owner closes.
    for (let i = 0; i < pending.length && !this.#closedLocally; i++) this.#deliver(handlers, pending[i]!);
    if (this.#closeInfo !== undefined) handlers.onClose(this.#closeInfo);
  }

  send(message: WampMessage): void {
    if (this.#state !== 'open') return;
    this.sendEncoded(this.serializer.encode(message));
  }

  sendEncoded(bytes: Uint8Array): void {
    if (this.#state !== 'open') return;
    if (bytes.length > this.maxOutgoingSize) throw new PayloadSizeExceededError(bytes.length, this.maxOutgoingSize);
    this.writeMessage(bytes);
  }

  close(reason = 'wamp.close.normal'): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#closedLocally = true;
    this.closeConnection(reason);
  }

  destroy(reason = 'destroyed'): void {
    if (this.#state === 'closed') return;
    this.#state = 'closing';
    this.#closedLocally = true;
    this.destroyConnection(reason);
  }

  /** For subclasses: one inbound serialized message. Dropped once close() was called. */
  protected receive(data: Uint8Array | string): void {
    this.#inbound(data);
  }

  /** For subclasses: a value that needs no decoding (in-memory pass-through); still parsed. */
  protected receiveDecoded(value: unknown[]): void {
    this.#inbound(value);
  }

  /** For subclasses: a framing-level violation that leaves the connection usable (e.g. frame kind). */
  protected protocolError(error: ProtocolError): void {
    this.#inbound(error);
  }

  /** For subclasses: the connection is gone. Reports onClose once; later calls are ignored. */
  protected closed(reason: string, error?: Error): void {
    if (this.#state === 'closed') return;
    const local = this.#closedLocally;
    this.#state = 'closed';
    const info: CloseInfo = error === undefined ? { reason, local } : { reason, local, error };
    this.onClosed(info);
    if (this.#handlers === undefined) this.#closeInfo = info;
    else this.#handlers.onClose(info);
  }

  /** Hook for subclasses to release resources (timers, pending pings) before onClose runs. */
  protected onClosed(_info: CloseInfo): void {}

  #inbound(data: Pending): void {
    if (this.#state !== 'open') return;
    const handlers = this.#handlers;
    if (handlers === undefined) this.#pending.push(data);
    else this.#deliver(handlers, data);
  }

  #deliver(handlers: TransportHandlers, data: Pending): void {
    if (data instanceof ProtocolError) {
      handlers.onProtocolError(data);
      return;
    }
    let value: unknown = data;
    try {
      if (!Array.isArray(data)) value = this.serializer.decode(data);
    } catch (err) {
      handlers.onProtocolError(
        new ProtocolError(`undecodable ${this.serializer.name} message: ${(err as Error).message ?? String(err)}`),
      );
      return;
    }
    let message: WampMessage;
    try {
      message = parseMessage(value, this.#parseOptions);
    } catch (err) {
      handlers.onProtocolError(err instanceof ProtocolError ? err : new ProtocolError(String(err)));
      return;
    }
    handlers.onMessage(message);
  }
}
