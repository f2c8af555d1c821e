// Browser-safe: no 'ws' and no node:* imports. The WebSocket constructor is injected (the
// browser's native one, or `ws`'s WebSocket in Node).
import { PayloadSizeExceededError, ProtocolError } from '../../protocol/errors.js';
import type { WampMessage } from '../../protocol/messages.js';
import type { ParseOptions } from '../../protocol/parse.js';
import { encodeText, jsonSerializer } from '../../protocol/serializers/json.js';
import type { Serializer } from '../../protocol/serializers/serializer.js';
import { BaseTransport } from '../base-transport.js';
import type { TransportInfo } from '../transport.js';
import { closeReasonText, NORMAL_CLOSURE } from './close-reason.js';

/** The part of the WebSocket API (WHATWG; also implemented by `ws`) this transport uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly protocol: string;
  readonly bufferedAmount: number;
  send(data: string | ArrayBufferView<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: EventLike) => void): void;
}

/** What every WebSocket event has; the listeners narrow it by event type. */
export interface EventLike {
  readonly type: string;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketConnectOptions {
  /** The serializer, or several in order of preference (each offers its subprotocol). */
  serializer: Serializer | readonly Serializer[];
  /** `WebSocket` in browsers; `import { WebSocket } from 'ws'` in Node. */
  WebSocket: WebSocketConstructor;
  /** Subprotocols to offer, in order (default: those of `serializer`); the one chosen must match a serializer. */
  protocols?: readonly string[];
  /** The peer's assumed receive limit (default 2^24): larger messages are not sent. */
  maxMessageSize?: number;
  /** Limit for the opening handshake (default 10 s). */
  timeoutMs?: number;
  parse?: ParseOptions;
}

interface MessageEventLike extends EventLike {
  readonly data: unknown;
}
interface CloseEventLike extends EventLike {
  readonly code: number;
  readonly reason: string;
}
interface ErrorEventLike extends EventLike {
  readonly message?: string;
  readonly error?: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/**
 * Messages per write while corked. One write per whole burst costs the fewest syscalls but leaves
 * the router idle until the burst is complete; writing every 16 lets it start early (measured
 * with `npm run bench -- --only=client`: 16 gave the most calls/s at window 100, vs 8, 32, 64
 * and unlimited).
 */
const BATCH_LIMIT = 16;

/** The stream under a `ws` WebSocket in Node (its `_socket`); browsers expose nothing of the kind. */
interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

/**
 * Opens a WAMP WebSocket connection. Resolves once the server accepted one of the offered
 * subprotocols; rejects when the connection fails, times out or no subprotocol was agreed.
 */
export function connectWebSocket(url: string, options: WebSocketConnectOptions): Promise<WebSocketClientTransport> {
  const serializers = Array.isArray(options.serializer)
    ? (options.serializer as readonly Serializer[])
    : [options.serializer as Serializer];
  const protocols = [...(options.protocols ?? serializers.map((s) => s.subprotocol))];
  return new Promise((resolve, reject) => {
    const ws = new options.WebSocket(url, protocols);
    ws.binaryType = 'arraybuffer';
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.close();
      reject(new Error(`WebSocket connection to ${url} failed: ${message}`, cause === undefined ? undefined : { cause }));
    };
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    ws.addEventListener('error', (event) => fail(errorText(event as ErrorEventLike), (event as ErrorEventLike).error));
    ws.addEventListener('close', (event) => fail(`closed (${(event as CloseEventLike).code}) before it opened`));
    ws.addEventListener('open', () => {
      const serializer = serializers.find((s) => s.subprotocol === ws.protocol);
      if (serializer === undefined) {
        fail(`server chose subprotocol ${JSON.stringify(ws.protocol)}, expected one of ${protocols.join(', ')}`);
        return;
      }
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const info: TransportInfo = { kind: 'websocket', peer: url, serializer: serializer.name, protocol: ws.protocol };
      if (url.startsWith('wss:') || url.startsWith('https:')) info.tls = true;
      resolve(new WebSocketClientTransport(ws, serializer, info, options.maxMessageSize ?? 2 ** 24, options.parse));
    });
  });
}

/**
 * A WAMP connection over an open WebSocket (browser API).
 *
 * Two shortcuts on the send path: wamp.2.json goes straight from the message to the string the
 * browser API sends as a text frame (no UTF-8 octets in between), and over `ws` in Node the
 * socket is corked from the first send of a microtask wave until that wave has run, so that the
 * calls a burst of results triggers leave in a few writes rather than one syscall each
 * (browsers batch on their own).
 */
export class WebSocketClientTransport extends BaseTransport {
  readonly #ws: WebSocketLike;
  readonly #maxOutgoingSize: number;
  /** Sends JSON text without going through octets. */
  readonly #json: boolean;
  readonly #socket: CorkableSocket | undefined;
  #corked = false;
  /** Messages sent since the socket was last corked. */
  #batched = 0;
  #closeReason: string | undefined;
  #errorText: string | undefined;

  constructor(
    ws: WebSocketLike,
    serializer: Serializer,
    info: TransportInfo,
    maxOutgoingSize: number,
    parse?: ParseOptions,
  ) {
    super(serializer, info, parse);
    this.#ws = ws;
    this.#maxOutgoingSize = maxOutgoingSize;
    this.#json = serializer === jsonSerializer;
    this.#socket = corkableSocketOf(ws);
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', this.#onMessage);
    ws.addEventListener('error', this.#onError);
    ws.addEventListener('close', this.#onClose);
  }

  get maxOutgoingSize(): number {
    return this.#maxOutgoingSize;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  override send(message: WampMessage): void {
    if (!this.#json || !this.isOpen) {
      super.send(message);
      return;
    }
    const text = encodeText(message);
    // A UTF-16 code unit takes at most 3 octets of UTF-8: only a long text needs counting.
    if (text.length * 3 > this.#maxOutgoingSize) {
      const size = textEncoder.encode(text).length;
      if (size > this.#maxOutgoingSize) throw new PayloadSizeExceededError(size, this.#maxOutgoingSize);
    }
    this.#batch();
    this.#ws.send(text);
  }

  protected writeMessage(bytes: Uint8Array): void {
    this.#batch();
    // The browser API sends text frames only for strings.
    // Serializers never return views of a SharedArrayBuffer.
    this.#ws.send(this.serializer.binary ? (bytes as Uint8Array<ArrayBuffer>) : textDecoder.decode(bytes));
  }

  /**
   * Corks the socket (when there is one) until the current microtask wave has run, writing out
   * every BATCH_LIMIT messages on the way so that the router can start on a long burst early.
   */
  #batch(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#batched = 1;
      socket.cork();
      queueMicrotask(this.#uncork);
    } else if (this.#batched === BATCH_LIMIT) {
      this.#batched = 1;
      socket.uncork();
      socket.cork();
    } else {
      this.#batched++;
    }
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket!.uncork();
  };

  protected closeConnection(reason: string): void {
    this.#closeReason = reason;
    this.#ws.close(NORMAL_CLOSURE, closeReasonText(reason));
  }

  readonly #onMessage = (event: EventLike): void => {
    const data = (event as MessageEventLike).data;
    if (typeof data === 'string') {
      if (this.serializer.binary) this.#wrongKind('text');
      else this.receive(data);
    } else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      if (!this.serializer.binary) this.#wrongKind('binary');
      else this.receive(data instanceof ArrayBuffer ? new Uint8Array(data) : asBytes(data));
    } else {
      this.protocolError(new ProtocolError('WebSocket message of an unexpected kind (set binaryType to arraybuffer)'));
    }
  };

  #wrongKind(kind: 'text' | 'binary'): void {
    this.protocolError(
      new ProtocolError(
        `${kind} WebSocket message on ${this.serializer.subprotocol}, ` +
          `which uses ${this.serializer.binary ? 'binary' : 'text'} messages`,
      ),
    );
  }

  readonly #onError = (event: EventLike): void => {
    this.#errorText ??= errorText(event as ErrorEventLike);
  };

  readonly #onClose = (closeEvent: EventLike): void => {
    const event = closeEvent as CloseEventLike;
    const reason = this.#closeReason ?? (event.reason || `WebSocket closed with code ${event.code}`);
    const clean = event.code === NORMAL_CLOSURE || event.code === 1001;
    const abnormal = !clean && this.#closeReason === undefined;
    const error = this.#errorText ?? (abnormal ? `abnormal close (${event.code})` : undefined);
    this.closed(reason, error === undefined ? undefined : new Error(error));
  };
}

/** `ws`'s socket, when `ws` is the WebSocket implementation (an internal, duck-typed). */
function corkableSocketOf(ws: WebSocketLike): CorkableSocket | undefined {
  const socket = (ws as { _socket?: Partial<CorkableSocket> | null })._socket;
  if (typeof socket !== 'object' || socket === null) return undefined;
  return typeof socket.cork === 'function' && typeof socket.uncork === 'function' ? (socket as CorkableSocket) : undefined;
}

function asBytes(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function errorText(event: ErrorEventLike): string {
  if (typeof event.message === 'string' && event.message !== '') return event.message;
  if (event.error instanceof Error) return event.error.message;
  return 'WebSocket error';
}
