import type { DeviceView } from './devices.js';

/** Everything the page renders, in one immutable value (held by the store, store.ts). */

export type ConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface ConnectionView {
  readonly phase: ConnectionPhase;
  /** reconnecting: when the next attempt starts (page clock); null when unknown. */
  readonly retryAt: number | null;
  /** closed: why, in words. */
  readonly message: string | null;
}

export type LoginMethod = 'ticket' | 'wampcra';

export interface AuthView {
  /** The realm refused this session: the login form is shown. */
  readonly required: boolean;
  /** A sign-in is under way. */
  readonly busy: boolean;
  /** Why the last sign-in failed. */
  readonly error: string | null;
  /** Who is signed in (null: anonymous). */
  readonly authid: string | null;
}

export interface AppState {
  readonly realm: string;
  readonly connection: ConnectionView;
  readonly auth: AuthView;
  readonly devices: readonly DeviceView[];
  /** Something that keeps the devices from showing (e.g. the realm refused the subscription). */
  readonly problem: string | null;
}

export function initialState(realm: string): AppState {
  return {
    realm,
    connection: { phase: 'connecting', retryAt: null, message: null },
    auth: { required: false, busy: false, error: null, authid: null },
    devices: [],
    problem: null,
  };
}
