import type { Router } from '../router/router.js';
import type { MqttSession, PublishContext } from './session.js';

/**
 * The MQTT sessions of one realm of one router, by client identifier: the namespace in which a
 * CONNECT takes over a connected client or resumes a persistent session. Shared by every MQTT
 * listener bridging into that realm (a plain and a TLS listener, the universal port), together
 * with the realm's PublishContext.
 */
export class SessionStore {
  readonly context: PublishContext = { publisher: undefined, qos: 1 };
  readonly #sessions = new Map<string, MqttSession>();

  /** The store of `realm` on `router`, created on first use. */
  static of(router: Router, realm: string): SessionStore {
    let realms = STORES.get(router);
    if (realms === undefined) STORES.set(router, (realms = new Map()));
    let store = realms.get(realm);
    if (store === undefined) realms.set(realm, (store = new SessionStore()));
    return store;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(clientId: string): MqttSession | undefined {
    return this.#sessions.get(clientId);
  }

  add(session: MqttSession): void {
    this.#sessions.set(session.clientId, session);
  }

  /** Forgets `session` (only if it is still the one stored under its client id). */
  remove(session: MqttSession): void {
    if (this.#sessions.get(session.clientId) === session) this.#sessions.delete(session.clientId);
  }
}

const STORES = new WeakMap<Router, Map<string, SessionStore>>();
