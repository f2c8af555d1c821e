import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManagedSession, StateEvent } from '../../src/client/connection.js';
import type { Event, Invocation } from '../../src/client/types.js';
import { connect } from '../../src/node.js';

/**
 * fox-wamp (npm, a Node WAMP router): WebSocket + JSON only. Newer releases (0.7.34) send
 * session, registration and subscription ids as JSON strings (peers.md, wamp-spec.md §3); the
 * installed 0.7.28 still sends integers. So every test runs twice: against fox-wamp as installed,
 * and with its outbound ids turned into strings the way 0.7.34 sends them.
 */

interface FoxSocket {
  send(data: string, callback?: (error?: Error) => void): void;
  terminate(): void;
}
interface FoxServer {
  address(): { port: number };
  clients: Set<{ terminate(): void }>;
  close(callback?: () => void): void;
  on(event: 'listening' | 'error', listener: (error?: Error) => void): void;
  on(event: 'connection', listener: (socket: FoxSocket) => void): void;
}
interface FoxRouterClass {
  new (): { listenWAMP(options: { port: number; host: string }): FoxServer };
}

const require = createRequire(import.meta.url);
const FoxRouter = require('fox-wamp') as FoxRouterClass;
const STEP_MS = 5000;

interface RunningFox {
  url: string;
  port: number;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Positions of router-generated ids, per message type, that fox-wamp 0.7.34 sends as strings. */
const STRING_ID_POSITIONS: Record<number, number[]> = {
  2: [1], // WELCOME.Session
  17: [2], // PUBLISHED.Publication
  33: [2], // SUBSCRIBED.Subscription
  36: [1, 2], // EVENT.Subscription, EVENT.Publication
  65: [2], // REGISTERED.Registration
  68: [1, 2], // INVOCATION.Request, INVOCATION.Registration
};

function withStringIds(data: string): string {
  const message = JSON.parse(data) as unknown[];
  for (const position of STRING_ID_POSITIONS[message[0] as number] ?? []) {
    if (typeof message[position] === 'number') message[position] = String(message[position]);
  }
  return JSON.stringify(message);
}

let stringIds = false;

async function startFox(port = 0): Promise<RunningFox> {
  const server = new FoxRouter().listenWAMP({ port, host: '127.0.0.1' });
  if (stringIds) {
    server.on('connection', (socket) => {
      const send = socket.send.bind(socket);
      socket.send = (data, callback) => send(withStringIds(data), callback);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.on('listening', () => resolve());
    server.on('error', (error) => reject(error));
  });
  const bound = server.address().port;
  let closed = false;
  const fox = {
    port: bound,
    url: `ws://127.0.0.1:${bound}/`,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  cleanups.push(fox.close);
  return fox;
}

async function client(url: string, onState?: (event: StateEvent) => void): Promise<ManagedSession> {
  const session = await connect({
    url,
    realm: 'realm1',
    serializer: 'json',
    liveness: false,
    connectTimeoutMs: STEP_MS,
    ...(onState !== undefined ? { onState } : {}),
  });
  cleanups.push(() => session.close());
  return session;
}

function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe.each([
  ['as installed', false],
  ['sending string ids like 0.7.34', true],
])('ManagedSession with fox-wamp %s', (_label, useStringIds) => {
  beforeEach(() => {
    stringIds = useStringIds;
  });

  it('joins and reports a numeric session id', async () => {
    const fox = await startFox();
    const session = await client(fox.url);
    expect(session.state).toBe('joined');
    expect(typeof session.session!.id).toBe('number');
    expect(session.session!.id).toBeGreaterThan(0);
  });

  it('calls a procedure registered by another client through fox-wamp', async () => {
    const fox = await startFox();
    const callee = await client(fox.url);
    const caller = await client(fox.url);
    const invocations: Invocation[] = [];
    const registration = await callee.register('com.fox.add', (inv) => {
      invocations.push(inv);
      return (inv.args[0] as number) + (inv.args[1] as number);
    });
    expect(typeof registration.id).toBe('number');
    const result = await caller.call('com.fox.add', [2, 3]);
    expect(result.args).toEqual([5]);
    expect(invocations).toHaveLength(1);
    await registration.unregister();
    await expect(caller.call('com.fox.add', [2, 3])).rejects.toMatchObject({ uri: 'wamp.error.no_such_procedure' });
  });

  it('delivers events published through fox-wamp', async () => {
    const fox = await startFox();
    const subscriber = await client(fox.url);
    const publisher = await client(fox.url);
    const events: Event[] = [];
    const subscription = await subscriber.subscribe('com.fox.news', (event) => {
      events.push(event);
    });
    expect(typeof subscription.id).toBe('number');
    await publisher.publish('com.fox.news', ['hello'], { n: 1 }, { acknowledge: true });
    await waitFor(() => events.length === 1, 'the event');
    expect(events[0]).toMatchObject({ args: ['hello'], kwargs: { n: 1 }, topic: 'com.fox.news' });
  });

  it('rejoins a restarted fox-wamp and restores the registration', async () => {
    let fox = await startFox();
    const port = fox.port;
    const states: StateEvent[] = [];
    const callee = await client(fox.url, (event) => states.push(event));
    await callee.register('com.fox.ping', () => 'pong');
    await fox.close();
    await waitFor(() => states.some((e) => e.state === 'retrying'), 'a retry');
    fox = await startFox(port);
    await waitFor(() => callee.state === 'joined', 'the rejoin');
    const caller = await client(fox.url);
    expect((await caller.call('com.fox.ping')).args).toEqual(['pong']);
  });
});
