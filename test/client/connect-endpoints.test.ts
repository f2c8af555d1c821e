import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/node.js';
import type { ManagedSession } from '../../src/client/managed-session.js';
import { closedPort } from '../cli/closed-port.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { AUTH_REALMS, PORCH_SEED } from './auth/auth-realm.js';

/** `connect({ endpoints })`: routers tried in order, each with its own credentials and serializer. */
describe('connect() with endpoints', () => {
  let router: TestRouter | undefined;
  const sessions: ManagedSession[] = [];
  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.leave();
    await router?.close();
    router = undefined;
  });

  it('falls through an unreachable router to the next one with that endpoint’s credentials', async () => {
    router = await startTestRouter({ realms: AUTH_REALMS });
    const dead = await closedPort();
    const session = await connect({
      realm: 'home',
      endpoints: [
        { url: `rs://127.0.0.1:${dead}`, auth: { method: 'ticket', authid: 'alice', ticket: 'secret123' } },
        { url: `ws://127.0.0.1:${router.port}/ws`, serializer: 'json', auth: { method: 'cryptosign', authid: 'porch', privateKey: PORCH_SEED } },
      ],
      reconnect: false,
    });
    sessions.push(session);
    expect(session.session?.authid).toBe('porch');
    expect(session.url).toBe(`ws://127.0.0.1:${router.port}/ws`);
  });

  it('uses the shared auth for an endpoint that has none', async () => {
    router = await startTestRouter({ realms: AUTH_REALMS });
    const session = await connect({
      realm: 'home',
      auth: { method: 'ticket', authid: 'alice', ticket: 'secret123' },
      endpoints: [{ url: `rs://127.0.0.1:${router.rawsocketPort}` }],
      reconnect: false,
    });
    sessions.push(session);
    expect(session.session?.authid).toBe('alice');
  });

  it('rejects an unknown serializer of an endpoint at once', async () => {
    await expect(
      connect({ realm: 'home', endpoints: [{ url: 'rs://127.0.0.1:1', serializer: 'xml' as 'json' }], reconnect: false }),
    ).rejects.toThrow(/unknown serializer "xml"/);
  });
});
