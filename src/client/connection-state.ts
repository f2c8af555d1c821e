import type { Logger } from '../common/logger.js';

/**
 * The state of a ManagedSession and the events that report it:
 *
 *   connecting → joined → disconnected → retrying → connecting → …
 *   connecting → retrying (a whole round of URLs failed);  any state → closed (once, for good)
 */
export type ConnectionState = 'connecting' | 'joined' | 'disconnected' | 'retrying' | 'closed';

export interface StateEvent {
  state: ConnectionState;
  /** connecting, joined: the router URL. */
  url?: string;
  /** joined. */
  sessionId?: number;
  /** connecting: retries so far (0 on the first round); retrying: the number of this retry (1, 2, …). */
  attempt?: number;
  /** retrying: how long until the next round. */
  delayMs?: number;
  /** disconnected, closed: the close reason URI. */
  reason?: string;
  /** disconnected, closed, retrying (the last failure of the round). */
  error?: Error;
}

export type StateListener = (event: StateEvent) => void;

/** Allowed state changes; anything else is ignored (e.g. a late `disconnected` after close()). */
const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  connecting: ['connecting', 'joined', 'retrying', 'closed'],
  joined: ['disconnected', 'closed'],
  disconnected: ['retrying', 'closed'],
  retrying: ['connecting', 'closed'],
  closed: [],
};

/**
 * Holds the current state and its listeners. `emit` applies an event only when TRANSITIONS allow
 * it; a listener that throws is logged and does not stop the others.
 */
export class ConnectionStateReporter {
  readonly #listeners = new Set<StateListener>();
  readonly #logger: Logger;
  #state: ConnectionState = 'connecting';

  constructor(logger: Logger, first?: StateListener) {
    this.#logger = logger;
    if (first !== undefined) this.#listeners.add(first);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  add(listener: StateListener): void {
    this.#listeners.add(listener);
  }

  delete(listener: StateListener): void {
    this.#listeners.delete(listener);
  }

  /** Moves to `event.state` and tells every listener; false (and silent) when the change is not allowed. */
  emit(event: StateEvent): boolean {
    if (!TRANSITIONS[this.#state].includes(event.state)) return false;
    this.#state = event.state;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error('state listener threw', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return true;
  }
}
