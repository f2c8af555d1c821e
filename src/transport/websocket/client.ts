// Browser-safe: no 'ws' and no node:* imports. The WebSocket constructor is injected (the
// browser's native one, or `ws`'s WebSocket in Node).
import { ProtocolError } from '../../protocol/errors.js';
import type { ParseOptions } from '../../protocol/parse.js';
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
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.close();
      reject(new Error(`WebSocket connection to ${url} failed: ${message}`));
    };
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    ws.addEventListener('error', (event) => fail(errorText(event as ErrorEventLike)));
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

/** A WAMP connection over an open WebSocket (browser API). */
export class WebSocketClientTransport extends BaseTransport {
  readonly #ws: WebSocketLike;
  readonly #maxOutgoingSize: number;
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

  protected writeMessage(bytes: Uint8Array): void {
    // The browser API sends text frames only for strings.
    // Serializers never return views of a SharedArrayBuffer.
    this.#ws.send(this.serializer.binary ? (bytes as Uint8Array<ArrayBuffer>) : textDecoder.decode(bytes));
  }

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

function asBytes(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function errorText(event: ErrorEventLike): string {
  if (typeof event.message === 'string' && event.message !== '') return event.message;
  if (event.error instanceof Error) return event.error.message;
  return 'WebSocket error';
}
