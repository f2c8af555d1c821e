import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { randomId, RouterScopeIds } from '../protocol/ids.js';
import { CloseUri, type UriMode } from '../protocol/uris.js';
import type { Transport } from '../transport/transport.js';
import type { Authorizer } from './auth/authorizer.js';
import { DEFAULT_LIMITS as CONFIG_DEFAULT_LIMITS } from './config/types.js';
import { RouterConnection, type ConnectionHost } from './connection.js';
import { Realm, type RealmAuthenticators } from './realm.js';

export interface RealmSetup {
  name: string;
  uriMode?: UriMode;
  authenticators: RealmAuthenticators;
  authorizer: Authorizer;
}

export interface RouterLimits {
  /** Sessions across all realms; HELLO beyond it is refused with ABORT. */
  maxSessions: number;
  /** Unsent bytes per session above which it is disconnected as a slow consumer. */
  maxQueueBytes: number;
}

export interface RouterOptions {
  realms: RealmSetup[];
  limits?: Partial<RouterLimits>;
  logger?: Logger;
  clock?: Clock;
  /** Time a client has for HELLO and for AUTHENTICATE (default 10 s). */
  handshakeTimeoutMs?: number;
}

/** The router-config defaults (config/types.ts, PRODUCT.md), so the two cannot drift apart. */
export const DEFAULT_LIMITS: RouterLimits = {
  maxSessions: CONFIG_DEFAULT_LIMITS.maxSessions,
  maxQueueBytes: CONFIG_DEFAULT_LIMITS.maxQueueBytes,
};

/**
 * The embedded WAMP router: realms plus the connections attached to them. It owns no sockets;
 * listeners (serve.ts) or in-memory pairs (transport/local.ts) hand it transports.
 */
export class Router implements ConnectionHost {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly handshakeTimeoutMs: number;
  readonly #realms = new Map<string, Realm>();
  readonly #connections = new Set<RouterConnection>();
  readonly #onIdle: (() => void)[] = [];
  readonly #sessionIds = new Set<number>();
  readonly #limits: RouterLimits;

  constructor(options: RouterOptions) {
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    const ids = new RouterScopeIds();
    for (const setup of options.realms) {
      this.#realms.set(
        setup.name,
        new Realm({
          name: setup.name,
          uriMode: setup.uriMode ?? 'loose',
          authenticators: setup.authenticators,
          authorizer: setup.authorizer,
          ids,
          maxQueueBytes: this.#limits.maxQueueBytes,
          logger: this.logger.child({ realm: setup.name }),
          clock: this.clock,
        }),
      );
    }
  }

  /** Number of sessions that have said HELLO and not yet left. */
  get sessionCount(): number {
    return this.#sessionIds.size;
  }

  realm(name: string): Realm | undefined {
    return this.#realms.get(name);
  }

  /** Takes an established transport (after RawSocket handshake / WebSocket upgrade). */
  attach(transport: Transport): RouterConnection {
    const connection = new RouterConnection(transport, this);
    this.#connections.add(connection);
    return connection;
  }

  detached(connection: RouterConnection): void {
    this.#connections.delete(connection);
    if (this.#connections.size === 0) for (const resolve of this.#onIdle.splice(0)) resolve();
  }

  /** Number of attached transports (in handshake or joined). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Resolves when every connection has closed, or after `timeoutMs`, whichever comes first. */
  drained(timeoutMs: number): Promise<void> {
    if (this.#connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(resolve, timeoutMs);
      this.#onIdle.push(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  admit(): number | null {
    if (this.#sessionIds.size >= this.#limits.maxSessions) return null;
    let id = randomId();
    while (this.#sessionIds.has(id)) id = randomId();
    this.#sessionIds.add(id);
    return id;
  }

  release(sessionId: number): void {
    this.#sessionIds.delete(sessionId);
  }

  /** Says GOODBYE (system_shutdown) to every session and aborts connections still in handshake. */
  close(reason: string = CloseUri.SYSTEM_SHUTDOWN): void {
    for (const connection of [...this.#connections]) connection.shutdown(reason);
  }
}
