import type { ProtocolError } from '../../src/protocol/errors.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import type { CloseInfo, Transport } from '../../src/transport/transport.js';

/** Attaches to a transport and records what it delivers; `next*` wait (bounded) for more. */
export class Recorder {
  readonly messages: WampMessage[] = [];
  readonly protocolErrors: ProtocolError[] = [];
  readonly closes: CloseInfo[] = [];
  #waiters: (() => void)[] = [];

  constructor(readonly transport: Transport) {
    transport.attach({
      onMessage: (m) => this.#push(this.messages, m),
      onProtocolError: (e) => this.#push(this.protocolErrors, e),
      onClose: (info) => this.#push(this.closes, info),
    });
  }

  message(index: number, timeoutMs = 3000): Promise<WampMessage> {
    return this.#until(() => this.messages[index], `message #${index}`, timeoutMs);
  }

  protocolError(index = 0, timeoutMs = 3000): Promise<ProtocolError> {
    return this.#until(() => this.protocolErrors[index], `protocol error #${index}`, timeoutMs);
  }

  closed(timeoutMs = 3000): Promise<CloseInfo> {
    return this.#until(() => this.closes[0], 'close', timeoutMs);
  }

  #push<T>(list: T[], item: T): void {
    list.push(item);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #until<T>(get: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        const value = get();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }
}

/** Resolves with the first value `register` hands to its callback, or rejects after `timeoutMs`. */
export function nextValue<T>(register: (callback: (value: T) => void) => void, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Polls `get` until it returns a value (e.g. the transport a listener accepted). */
export async function eventually<T>(get: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a value');
    await new Promise((r) => setTimeout(r, 5));
  }
}
