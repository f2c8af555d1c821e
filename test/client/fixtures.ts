import { expect } from 'vitest';
import { Session, type JoinOptions } from '../../src/client/session.js';
import { MessageType } from '../../src/protocol/message-type.js';
import type { Dict, HelloMessage, WampMessage } from '../../src/protocol/messages.js';
import type { Serializer } from '../../src/protocol/serializers/serializer.js';
import { linkedPair, type LocalTransport } from '../../src/transport/local.js';
import type { CloseInfo } from '../../src/transport/transport.js';
import { startTestRouter, type TestRouter, type TestRouterOptions } from '../helpers/start-router.js';

/** A real router plus sessions joined to it over linkedPair; `close()` ends them all. */
export interface RouterFixture {
  router: TestRouter;
  join(options?: Partial<JoinOptions>, serializer?: Serializer): Promise<Session>;
  close(): Promise<void>;
}

export async function startRouterFixture(options: TestRouterOptions = {}): Promise<RouterFixture> {
  const router = await startTestRouter(options);
  const sessions: Session[] = [];
  return {
    router,
    async join(joinOptions = {}, serializer) {
      const [client, server] = linkedPair(serializer);
      router.running.router.attach(server);
      const session = await Session.join(client, { realm: 'home', ...joinOptions });
      sessions.push(session);
      return session;
    },
    async close() {
      await Promise.all(sessions.map((s) => s.leave()));
      await router.close();
    },
  };
}

/** Every dealer/broker feature our router announces. */
export const ROUTER_ROLES: Dict = {
  broker: { features: { pattern_based_subscription: true, publisher_exclusion: true, event_retention: true } },
  dealer: { features: { call_canceling: true, call_timeout: true, progressive_call_results: true } },
};

/**
 * The router end of a linkedPair, driven by hand: records what the client sends and sends
 * whatever a test wants, including what a real router never would.
 */
export class ScriptedRouter {
  readonly transport: LocalTransport;
  readonly received: WampMessage[] = [];
  closeInfo: CloseInfo | undefined;
  #waiter: (() => void) | undefined;

  constructor(transport: LocalTransport) {
    this.transport = transport;
    transport.attach({
      onMessage: (message) => {
        this.received.push(message);
        this.#waiter?.();
      },
      onProtocolError: (error) => {
        throw error;
      },
      onClose: (info) => {
        this.closeInfo = info;
        this.#waiter?.();
      },
    });
  }

  /** Sends a message, unchecked (a test may send malformed ones). */
  send(message: unknown[]): void {
    this.transport.send(message as WampMessage);
  }

  /** The next message the client sent (waits up to 2 s). */
  async receive(): Promise<WampMessage> {
    const deadline = Date.now() + 2000;
    while (this.received.length === 0) {
      if (Date.now() > deadline) throw new Error('the client sent nothing');
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.received.shift()!;
  }

  /** The next message, checked to be of `type`. */
  async expect<T extends WampMessage>(type: MessageType): Promise<T> {
    const message = await this.receive();
    expect(message[0]).toBe(type);
    return message as T;
  }
}

export interface ScriptedSession {
  session: Session;
  router: ScriptedRouter;
  hello: HelloMessage;
}

/** A Session joined to a ScriptedRouter whose WELCOME announces `roles` (default ROUTER_ROLES). */
export async function scriptedSession(
  options: { roles?: Dict; join?: Partial<JoinOptions>; sessionId?: number } = {},
): Promise<ScriptedSession> {
  const [client, server] = linkedPair();
  const router = new ScriptedRouter(server);
  const joining = Session.join(client, { realm: 'home', ...options.join });
  const hello = await router.expect<HelloMessage>(MessageType.HELLO);
  router.send([
    MessageType.WELCOME,
    options.sessionId ?? 4242,
    { authid: 'tester', authrole: 'user', authmethod: 'anonymous', roles: options.roles ?? ROUTER_ROLES },
  ]);
  return { session: await joining, router, hello };
}

/** Lets queued microtasks and local-transport deliveries run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
