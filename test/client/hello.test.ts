import { describe, expect, it } from 'vitest';
import type { ClientAuthenticator } from '../../src/client/auth/authenticator.js';
import { CALLEE_FEATURES, clientRoles } from '../../src/client/features.js';
import { helloDetails, RouterFeatures } from '../../src/client/hello.js';

const anonymous: ClientAuthenticator = { method: 'anonymous', authid: undefined, authextra: {}, answer: async () => '' };

describe('hello', () => {
  it('announces the four client roles with the features the roles implement', () => {
    const roles = clientRoles();
    expect(Object.keys(roles).sort()).toEqual(['callee', 'caller', 'publisher', 'subscriber']);
    expect(roles['callee']).toEqual({ features: CALLEE_FEATURES });
    expect(roles['caller']).toMatchObject({ features: { call_canceling: true, progressive_call_results: true } });
    // A fresh copy each time: nobody can alias or mutate the constants through a HELLO.
    expect(clientRoles()['callee']).not.toBe(roles['callee']);
  });

  it('builds HELLO.Details with the auth method, authid and merged authextra', () => {
    expect(helloDetails(anonymous, {})).toEqual({ agent: 'switchyard', roles: clientRoles(), authmethods: ['anonymous'] });
    const cryptosign: ClientAuthenticator = { ...anonymous, method: 'cryptosign', authid: 'porch', authextra: { pubkey: 'ab' } };
    expect(helloDetails(cryptosign, { agent: 'dev/1', authextra: { pubkey: 'spoofed', x_site: 'lab' } })).toMatchObject({
      agent: 'dev/1',
      authmethods: ['cryptosign'],
      authid: 'porch',
      authextra: { pubkey: 'ab', x_site: 'lab' },
    });
  });

  it('reads the router features WELCOME announces', () => {
    const features = new RouterFeatures({
      roles: { broker: { features: { event_retention: true, x: false } }, dealer: { features: { call_canceling: true } } },
    });
    expect(features.supports('broker', 'event_retention')).toBe(true);
    expect(features.supports('broker', 'x')).toBe(false);
    expect(features.supports('dealer', 'call_canceling')).toBe(true);
    expect(features.supports('dealer', 'event_retention')).toBe(false);
    expect(new RouterFeatures({ roles: 'nonsense' }).supports('dealer', 'call_canceling')).toBe(false);
  });
});
