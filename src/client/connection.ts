import type { ConnectOptions } from './connect-options.js';
import { ManagedSession } from './managed-session.js';

export type { ConnectOptions, Endpoint, ReconnectOptions } from './connect-options.js';
export type { ConnectionState, StateEvent, StateListener } from './connection-state.js';
export type { RestoreFailure, RestoreFailureListener } from './restorable.js';
export { ManagedSession };

/**
 * `connect()`: a WAMP session that survives its connections (ManagedSession). This is the
 * browser-safe entry: the caller injects the TransportFactory (src/node.ts injects the Node one,
 * src/transport/websocket/browser-connector.ts offers one on the native WebSocket). URLs are tried
 * in order on each round; between failed rounds it waits `random() * min(maxMs, initialMs *
 * factor^n)` (full jitter, backoff.ts). After every WELCOME it re-registers and re-subscribes
 * everything made through it, with the same handlers and options, before it reports `joined`.
 *
 * Requests and the link (documented choice):
 * - Calls and publications in flight when the link dies reject with SessionClosedError: the
 *   client cannot know whether the router acted on them, so it does not repeat them.
 * - Calls and publications made while there is no session wait for the next join; a call's
 *   `timeout` (and `signal`) bounds the wait, and what is left of the timeout then applies to
 *   the call. They reject with SessionClosedError when the ManagedSession is closed.
 * - register/subscribe made while there is no session (or whose answer the dying link lost)
 *   complete on the next session.
 *
 * Resolves on the first WELCOME; rejects with the options' TypeError/RangeError, or when the
 * ManagedSession closes before it joined (see ManagedSession).
 */
export function connect(options: ConnectOptions): Promise<ManagedSession> {
  try {
    return new ManagedSession(options).joinedOnce;
  } catch (error) {
    return Promise.reject(error);
  }
}
