import { describe, expect, it } from 'vitest';
import { AnonymousAuthenticator } from '../../../src/router/auth/anonymous.js';
import type { AuthRequest } from '../../../src/router/auth/authenticator.js';

function request(authid?: string): AuthRequest {
  return { realm: 'realm1', sessionId: 42, authid, authmethods: ['anonymous'], authextra: {} };
}

describe('AnonymousAuthenticator', () => {
  it('welcomes at once under the configured role, ignoring the authid the client asks for', () => {
    const step = new AnonymousAuthenticator('guest').start(request('alice'));
    expect(step).toEqual({
      kind: 'welcome',
      identity: { authid: expect.stringMatching(/^anon-[0-9a-f]{24}$/), authrole: 'guest', authmethod: 'anonymous', authprovider: 'anonymous' },
    });
  });

  it('assigns a distinct random authid when the client sends none', () => {
    const auth = new AnonymousAuthenticator('guest');
    const a = auth.start(request());
    const b = auth.start(request(''));
    if (a.kind !== 'welcome' || b.kind !== 'welcome') throw new Error('expected welcome');
    expect(a.identity.authid).toMatch(/^anon-[0-9a-f]{24}$/);
    expect(b.identity.authid).toMatch(/^anon-[0-9a-f]{24}$/);
    expect(a.identity.authid).not.toBe(b.identity.authid);
  });
});
