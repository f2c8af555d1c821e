import type { WampMessage } from '../protocol/messages.js';
import type { ParseOptions } from '../protocol/parse.js';
import { jsonSerializer } from '../protocol/serializers/index.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import { BaseTransport } from './base-transport.js';

export interface LinkedPairOptions {
  /** Each side's limit for encoded messages (default 2^24). Pass-through `send` is not measured. */
  maxMessageSize?: number;
  /**
   * How both ends parse what they receive, e.g. `{ lenientIds: true }` for an embedded client
   * that tolerates what the client tolerates over a socket (default: strict).
   */
  parse?: ParseOptions;
}

/** Marks the end of a side's stream in its peer's inbox. */
class Closing {
  constructor(readonly reason: string) {}
}

type InboxItem = Uint8Array | unknown[] | Closing;

/**
 * Two in-memory Transports wired to each other (kind `local`), for an embedded client and the
 * router in one process, and for tests. Delivery is asynchronous (one microtask per batch) and in
 * order; closing one side closes the other after what it sent was delivered.
 *
 * With a serializer, every message is encoded and decoded on the way, as over a socket. Without
 * one, `send` passes the message array itself (no copy): the receiver gets the sender's array
 * after parseMessage normalised it, and neither side may mutate it afterwards. `sendEncoded`
 * bytes are then JSON (the nominal `serializer`) and decoded on arrival.
 */
export function linkedPair(serializer?: Serializer, options: LinkedPairOptions = {}): [LocalTransport, LocalTransport] {
  const maxMessageSize = options.maxMessageSize ?? 2 ** 24;
  const a = new LocalTransport(serializer, maxMessageSize, options.parse);
  const b = new LocalTransport(serializer, maxMessageSize, options.parse);
  a.link(b);
  b.link(a);
  return [a, b];
}

export class LocalTransport extends BaseTransport {
  /** True when messages pass as arrays, without encoding. */
  readonly passThrough: boolean;
  readonly #maxOutgoingSize: number;
  #peer: LocalTransport | undefined;
  #inbox: InboxItem[] = [];
  #inboxBytes = 0;
  #flushScheduled = false;

  /** Use linkedPair(). */
  constructor(serializer: Serializer | undefined, maxOutgoingSize: number, parse?: ParseOptions) {
    const nominal = serializer ?? jsonSerializer;
    super(nominal, { kind: 'local', peer: 'local', serializer: nominal.name }, parse);
    this.passThrough = serializer === undefined;
    this.#maxOutgoingSize = maxOutgoingSize;
  }

  /** @internal wires the two halves; called once by linkedPair. */
  link(peer: LocalTransport): void {
    if (this.#peer !== undefined) throw new Error('local transport is already linked');
    this.#peer = peer;
  }

  get maxOutgoingSize(): number {
    return this.#maxOutgoingSize;
  }

  /** Encoded bytes sent but not yet delivered to the peer. */
  get bufferedAmount(): number {
    return this.#peer === undefined ? 0 : this.#peer.#inboxBytes;
  }

  override send(message: WampMessage): void {
    if (!this.passThrough) {
      super.send(message);
      return;
    }
    if (this.isOpen) this.#peer!.#enqueue(message);
  }

  protected writeMessage(bytes: Uint8Array): void {
    this.#peer!.#enqueue(bytes);
  }

  protected closeConnection(reason: string): void {
    this.#peer!.#enqueue(new Closing(reason));
    queueMicrotask(() => this.closed(reason));
  }

  #enqueue(item: InboxItem): void {
    this.#inbox.push(item);
    if (item instanceof Uint8Array) this.#inboxBytes += item.length;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const inbox = this.#inbox;
    this.#inbox = [];
    this.#inboxBytes = 0;
    for (const item of inbox) {
      if (item instanceof Closing) {
        this.closed(item.reason);
        return;
      }
      if (item instanceof Uint8Array) this.receive(item);
      else this.receiveDecoded(item);
    }
  };
}
