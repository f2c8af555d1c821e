import { describe, expect, it } from 'vitest';
import { AuthConfigError } from '../../../src/router/auth/auth-config.js';
import { type Action, type RoleRule, createAuthorizer } from '../../../src/router/auth/authorizer.js';

const ALL: Action[] = ['call', 'register', 'publish', 'subscribe'];

const authorizer = createAuthorizer({
  device: [
    { uri: '', match: 'prefix', allow: ['subscribe'] },
    { uri: 'devices.', match: 'prefix', allow: ['register', 'publish'] },
    { uri: 'devices.porch.', match: 'prefix', allow: ['call'] },
    { uri: 'devices.porch.light.set', match: 'exact', allow: ['register'] },
    { uri: 'devices..temp', match: 'wildcard', allow: ['publish', 'subscribe'] },
  ],
  // No catch-all prefix here, so the wildcards decide among themselves.
  sensor: [
    { uri: 'sensors..', match: 'wildcard', allow: ['publish'] },
    { uri: 'sensors.attic.', match: 'wildcard', allow: ['subscribe'] },
    { uri: '.x.y', match: 'wildcard', allow: ['call'] },
    { uri: '..y', match: 'wildcard', allow: ['register'] },
    { uri: 'a.', match: 'wildcard', allow: ['call'] },
    { uri: '.b', match: 'wildcard', allow: ['register'] },
  ],
  nobody: [],
});

describe('createAuthorizer', () => {
  it('allows everything when the realm has no roles table', () => {
    const open = createAuthorizer();
    for (const action of ALL) expect(open.authorize('anyone', action, 'com.example.anything')).toBe(true);
  });

  it('denies everything to a role the table does not list, or lists with no rules', () => {
    for (const action of ALL) {
      expect(authorizer.authorize('stranger', action, 'devices.porch.light.set')).toBe(false);
      expect(authorizer.authorize('nobody', action, 'devices.porch.light.set')).toBe(false);
    }
    expect(createAuthorizer({}).authorize('device', 'call', 'x')).toBe(false);
  });

  // [role, action, uri, expected, why]
  const table: Array<[string, Action, string, boolean, string]> = [
    ['device', 'register', 'devices.porch.light.set', true, 'exact rule'],
    ['device', 'call', 'devices.porch.light.set', false, 'exact beats the longer prefix that allows call'],
    ['device', 'publish', 'devices.porch.light.set', false, 'exact beats a shorter prefix that allows publish'],
    ['device', 'call', 'devices.porch.light.get', true, 'longest prefix devices.porch.'],
    ['device', 'register', 'devices.porch.light.get', false, 'longest prefix wins over devices.'],
    ['device', 'register', 'devices.garage.door', true, 'prefix devices.'],
    ['device', 'call', 'devices.garage.door', false, 'prefix devices. does not allow call'],
    ['device', 'register', 'devices.garage.temp', true, 'prefix devices. beats the wildcard devices..temp'],
    ['device', 'subscribe', 'devices.garage.temp', false, 'prefix beats wildcard even when the wildcard allows'],
    ['device', 'subscribe', 'com.example.news', true, 'empty prefix matches everything'],
    ['device', 'publish', 'com.example.news', false, 'empty prefix allows only subscribe'],
    ['sensor', 'subscribe', 'com.example.news', false, 'no rule matches'],
    ['sensor', 'subscribe', 'sensors.attic.temp', true, 'sensors.attic. has 2 leading fixed components'],
    ['sensor', 'publish', 'sensors.attic.temp', false, 'sensors.. has 1 and loses'],
    ['sensor', 'publish', 'sensors.cellar.temp', true, 'only sensors.. matches'],
    ['sensor', 'call', 'a.x.y', true, '.x.y has 2 fixed components, ..y has 1'],
    ['sensor', 'register', 'a.x.y', false, '..y loses to .x.y'],
    ['sensor', 'register', 'a.z.y', true, 'only ..y matches'],
    ['sensor', 'call', 'a.b', true, 'a. has 1 leading fixed component, .b has 0'],
    ['sensor', 'register', 'a.b', false, '.b loses to a.'],
  ];
  for (const [role, action, uri, expected, why] of table) {
    it(`${expected ? 'allows' : 'denies'} ${role} ${action} on ${uri} (${why})`, () => {
      expect(authorizer.authorize(role, action, uri)).toBe(expected);
    });
  }

  it('matches wildcards on whole components and on the component count', () => {
    const auth = createAuthorizer({ r: [{ uri: 'a..c', match: 'wildcard', allow: ['call'] }] });
    expect(auth.authorize('r', 'call', 'a.b.c')).toBe(true);
    expect(auth.authorize('r', 'call', 'a.bb.c')).toBe(true);
    expect(auth.authorize('r', 'call', 'a.b.c.d')).toBe(false);
    expect(auth.authorize('r', 'call', 'a.b')).toBe(false);
    expect(auth.authorize('r', 'call', 'ab.b.c')).toBe(false);
    expect(auth.authorize('r', 'call', 'a.b.cc')).toBe(false);
    expect(auth.authorize('r', 'call', 'x.b.c')).toBe(false);
  });

  it('treats a prefix as a plain string prefix', () => {
    const auth = createAuthorizer({ r: [{ uri: 'dev', match: 'prefix', allow: ['call'] }] });
    expect(auth.authorize('r', 'call', 'devices.porch')).toBe(true);
    expect(auth.authorize('r', 'call', 'dev')).toBe(true);
    expect(auth.authorize('r', 'call', 'de')).toBe(false);
  });

  it('denies a URI no rule matches and an action that is not one of the four', () => {
    const auth = createAuthorizer({ r: [{ uri: 'a.b', match: 'exact', allow: ALL }] });
    expect(auth.authorize('r', 'call', 'a.c')).toBe(false);
    expect(auth.authorize('r', 'toString' as Action, 'a.b')).toBe(false);
  });

  it('merges rules with the same pattern and breaks wildcard ties by rule order', () => {
    const auth = createAuthorizer({
      r: [
        { uri: 'a.b', match: 'exact', allow: ['call'] },
        { uri: 'a.b', match: 'exact', allow: ['register'] },
        { uri: '.b.', match: 'wildcard', allow: ['publish'] },
        { uri: '..c', match: 'wildcard', allow: ['subscribe'] },
      ],
    });
    expect(auth.authorize('r', 'call', 'a.b')).toBe(true);
    expect(auth.authorize('r', 'register', 'a.b')).toBe(true);
    expect(auth.authorize('r', 'publish', 'x.b.c')).toBe(true);
    expect(auth.authorize('r', 'subscribe', 'x.b.c')).toBe(false);
  });

  it('rejects malformed rules when it is built', () => {
    const bad: RoleRule[][] = [
      [{ uri: 'a..b', match: 'exact', allow: ['call'] }],
      [{ uri: 'a b', match: 'prefix', allow: ['call'] }],
      [{ uri: 'a', match: 'regex' as 'exact', allow: ['call'] }],
      [{ uri: 'a', match: 'exact', allow: ['delete' as Action] }],
    ];
    for (const rules of bad) expect(() => createAuthorizer({ r: rules })).toThrow(AuthConfigError);
  });
});
