import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketAuthenticator } from '../../../src/client/auth/ticket.js';
import { AuthenticationError } from '../../../src/client/errors.js';
import { startRouterFixture, type RouterFixture } from '../fixtures.js';
import { AUTH_REALMS } from './auth-realm.js';

describe('ticket', () => {
  let fixture: RouterFixture;
  beforeAll(async () => {
    fixture = await startRouterFixture({ realms: AUTH_REALMS });
  });
  afterAll(() => fixture.close());

  it('announces the authid and answers the challenge with the ticket', async () => {
    const auth = ticketAuthenticator('alice', 'secret123');
    expect(auth).toMatchObject({ method: 'ticket', authid: 'alice', authextra: {} });
    expect(await auth.answer({})).toBe('secret123');
  });

  it('joins with the right ticket', async () => {
    const session = await fixture.join({ auth: { method: 'ticket', authid: 'alice', ticket: 'secret123' } });
    expect(session.authid).toBe('alice');
    expect(session.authrole).toBe('user');
    expect(session.details['authmethod']).toBe('ticket');
  });

  it('is refused with AuthenticationError for a wrong ticket', async () => {
    const error = await fixture
      .join({ auth: { method: 'ticket', authid: 'alice', ticket: 'secret124' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).uri).toBe('wamp.error.authentication_failed');
  });

  it('is refused with AuthenticationError when the realm does not offer the method', async () => {
    const error = await fixture.join({}).catch((e: unknown) => e); // anonymous: not configured here
    expect(error).toBeInstanceOf(AuthenticationError);
  });
});
