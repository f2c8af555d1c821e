import { MessageType } from '../protocol/message-type.js';

/**
 * The lifecycle of a client session (basic/sessions.md, advanced/authentication.md) as a
 * transition table, after kraftfahrstrasse's ConnectionStateMachine:
 *
 *   joining ──challenge──▶ authenticating ──challenge──▶ authenticating (another round)
 *      │                        │
 *      └──────welcome───────────┴──▶ established ──leave──▶ closing
 *                                        │                     │
 *   any state but closed ──abort/goodbye/close──▶ closed ◀─────┘
 *
 * `joining`: HELLO sent. `closing`: this client sent GOODBYE and waits for the reply; replies to
 * earlier requests are still processed. `closed` is final.
 */
export type SessionState = 'joining' | 'authenticating' | 'established' | 'closing' | 'closed';

/**
 * What moves the session: `challenge`/`welcome`/`abort`/`goodbye` are received messages,
 * `leave` is this client's GOODBYE, `close` is the end by any other cause (transport closed,
 * protocol violation, join timeout).
 */
export type SessionEvent = 'challenge' | 'welcome' | 'leave' | 'goodbye' | 'abort' | 'close';

const TRANSITIONS: Readonly<Record<SessionState, Partial<Record<SessionEvent, SessionState>>>> = {
  joining: { challenge: 'authenticating', welcome: 'established', abort: 'closed', close: 'closed' },
  authenticating: { challenge: 'authenticating', welcome: 'established', abort: 'closed', close: 'closed' },
  established: { leave: 'closing', goodbye: 'closed', abort: 'closed', close: 'closed' },
  closing: { goodbye: 'closed', abort: 'closed', close: 'closed' },
  closed: {},
};

/** Messages a router may send after WELCOME; anything else then is a protocol violation. */
const SESSION_MESSAGES: ReadonlySet<number> = new Set([
  MessageType.ABORT,
  MessageType.GOODBYE,
  MessageType.ERROR,
  MessageType.PUBLISHED,
  MessageType.SUBSCRIBED,
  MessageType.UNSUBSCRIBED,
  MessageType.EVENT,
  MessageType.RESULT,
  MessageType.REGISTERED,
  MessageType.UNREGISTERED,
  MessageType.INVOCATION,
  MessageType.INTERRUPT,
]);

/** Messages a router may send before WELCOME. */
const JOIN_MESSAGES: ReadonlySet<number> = new Set([MessageType.WELCOME, MessageType.CHALLENGE, MessageType.ABORT]);

/** The current state plus the table; `fire` refuses transitions the table does not list. */
export class SessionStateMachine {
  #state: SessionState = 'joining';

  get state(): SessionState {
    return this.#state;
  }

  /** Whether `event` is allowed now. */
  can(event: SessionEvent): boolean {
    return TRANSITIONS[this.#state][event] !== undefined;
  }

  /** Applies `event`; returns false (state unchanged) when the table does not allow it. */
  fire(event: SessionEvent): boolean {
    const next = TRANSITIONS[this.#state][event];
    if (next === undefined) return false;
    this.#state = next;
    return true;
  }

  /** Whether a router message of this type is legal in the current state. */
  accepts(messageType: number): boolean {
    switch (this.#state) {
      case 'joining':
      case 'authenticating':
        return JOIN_MESSAGES.has(messageType);
      case 'established':
      case 'closing':
        return SESSION_MESSAGES.has(messageType);
      case 'closed':
        return false;
    }
  }
}
