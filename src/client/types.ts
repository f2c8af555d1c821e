import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Args, Dict } from '../protocol/messages.js';
import type { MatchPolicy } from '../protocol/uris.js';
import type { HelloOptions } from './hello.js';

/**
 * The public shapes of the WAMP client (src/client/). Browser-safe: nothing here may import node:*.
 * A `Session` is one WAMP session over one transport; `connect()` (connection.ts) returns a
 * `ManagedSession` with the same API that survives reconnects.
 */

/** A payload with the details the router attached (RESULT.Details, EVENT.Details, INVOCATION.Details). */
export interface Result {
  args: Args;
  kwargs: Dict;
  details: Dict;
}

export type CancelMode = 'skip' | 'kill' | 'killnowait';

export interface CallOptions {
  /** Milliseconds; enforced by the client (and sent to routers that announce call_timeout). 0 = none. */
  timeout?: number;
  /** Called for every progressive result; setting it asks for `receive_progress`. */
  onProgress?: (progress: Result) => void;
  /** Aborting cancels the call (CANCEL with `cancelMode`, default 'killnowait'). */
  signal?: AbortSignal;
  cancelMode?: CancelMode;
  discloseMe?: boolean;
}

/** What a procedure handler receives. */
export interface Invocation extends Result {
  /** The concrete procedure URI (also for pattern registrations). */
  procedure: string;
  /** Whether the caller asked for progressive results. */
  receiveProgress: boolean;
  /** Sends a progressive result (no-op when the caller did not ask for progress). */
  progress(args?: Args, kwargs?: Dict): void;
  /** Aborted when the router INTERRUPTs this invocation (call canceled or timed out). */
  signal: AbortSignal;
}

/**
 * A procedure: returns a plain value (→ RESULT args [value]; undefined → no args), a `Result`-like
 * `{args, kwargs}` made with `result()`, or throws ApplicationError(uri, args, kwargs) → ERROR.
 * May be async. Returning an AsyncIterable streams each yielded value as a progressive result,
 * the last one as the final result.
 */
export type Procedure = (invocation: Invocation) => unknown;

export interface RegisterOptions {
  match?: MatchPolicy;
  invoke?: 'single' | 'roundrobin' | 'random' | 'first' | 'last';
  discloseCaller?: boolean;
}

export interface Registration {
  readonly id: number;
  readonly procedure: string;
  unregister(): Promise<void>;
}

export interface PublishOptions {
  acknowledge?: boolean;
  excludeMe?: boolean;
  exclude?: number[];
  eligible?: number[];
  excludeAuthid?: string[];
  eligibleAuthid?: string[];
  excludeAuthrole?: string[];
  eligibleAuthrole?: string[];
  retain?: boolean;
  discloseMe?: boolean;
}

/** An EVENT as the handler sees it. */
export interface Event extends Result {
  /** The concrete topic (EVENT.Details.topic, or the subscription's topic). */
  topic: string;
  publication: number;
  /** Delivered from the router's retained store. */
  retained: boolean;
}

export type EventHandler = (event: Event) => void | Promise<void>;

export interface SubscribeOptions {
  match?: MatchPolicy;
  getRetained?: boolean;
}

export interface Subscription {
  readonly id: number;
  readonly topic: string;
  unsubscribe(): Promise<void>;
}

/** Authentication towards the router. Secrets are never logged. */
export type AuthOptions =
  | { method: 'anonymous'; authid?: string }
  | { method: 'ticket'; authid: string; ticket: string }
  | { method: 'wampcra'; authid: string; secret: string }
  /**
   * `privateKey`: the Ed25519 key as PKCS#8 PEM text (what `switchyard keygen` writes) or its
   * 32-byte seed as 64 hex characters. In Node, `readPrivateKeyFile(path).seedHex` reads a key file.
   */
  | { method: 'cryptosign'; authid?: string; privateKey: string };

/** The calls shared by a single Session and a ManagedSession. */
export interface WampApi {
  call(procedure: string, args?: Args, kwargs?: Dict, options?: CallOptions): Promise<Result>;
  /**
   * A call with `receive_progress`: yields every progressive result, then the final result
   * (`details.progress` is true on all but the last). Breaking out of the loop cancels the call.
   */
  callProgressive(procedure: string, args?: Args, kwargs?: Dict, options?: Omit<CallOptions, 'onProgress'>): AsyncIterable<Result>;
  register(procedure: string, handler: Procedure, options?: RegisterOptions): Promise<Registration>;
  publish(topic: string, args?: Args, kwargs?: Dict, options?: PublishOptions): Promise<void>;
  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
  leave(reason?: string): Promise<void>;
}
export interface JoinOptions extends HelloOptions {
  realm: string;
  /** Default: anonymous. */
  auth?: AuthOptions;
  logger?: Logger;
  /** Timers: call timeouts, the join and leave bounds. */
  clock?: Clock;
  /** Milliseconds from HELLO to WELCOME before join rejects with TimeoutError (default 10 000; 0 = none). */
  joinTimeout?: number;
  /** Milliseconds leave() waits for the router's GOODBYE before closing anyway (default 2 000). */
  leaveTimeout?: number;
}

/** Why a session ended. */
export interface SessionCloseInfo {
  /** GOODBYE/ABORT reason URI, or `wamp.close.transport_lost`, `wamp.error.protocol_violation`. */
  reason: string;
  message?: string;
  /** true when the router or the connection ended it; false after leave() or a local abort. */
  byPeer: boolean;
  error?: Error;
}
