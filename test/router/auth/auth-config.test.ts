import { describe, expect, it } from 'vitest';
import { AuthConfigError, type RealmAuthConfig, validateRealmAuthConfig } from '../../../src/router/auth/auth-config.js';

function problem(config: unknown): string {
  try {
    validateRealmAuthConfig(config as RealmAuthConfig);
  } catch (err) {
    if (err instanceof AuthConfigError) return err.message;
    throw err;
  }
  return 'valid';
}

const PUBKEY = 'ab'.repeat(32);

describe('validateRealmAuthConfig', () => {
  it('accepts every method, salted CRA and one authid under several methods', () => {
    expect(
      problem({
        anonymous: { role: 'guest' },
        users: [
          { authid: 'a', method: 'ticket', ticket: 't', role: 'r' },
          { authid: 'a', method: 'wampcra', secret: 's', role: 'r', salt: 'x', iterations: 10, keylen: 16 },
          { authid: 'b', method: 'cryptosign', pubkey: PUBKEY.toUpperCase(), role: 'r' },
        ],
      }),
    ).toBe('valid');
    expect(problem({ users: [] })).toBe('valid');
  });

  it('names the entry and field of the first problem', () => {
    expect(problem({ users: [{ authid: '', method: 'ticket', ticket: 't', role: 'r' }] })).toBe(
      'users[0].authid: must be a non-empty string',
    );
    expect(problem({ users: [{ authid: 'a', method: 'ticket', ticket: 't' }] })).toMatch(/^users\[0\] \(authid 'a'\)\.role/);
    expect(problem({ users: [{ authid: 'a', method: 'cryptosign', pubkey: 'abc', role: 'r' }] })).toMatch(/pubkey: must be 64 hex/);
    expect(problem({ users: [{ authid: 'a', method: 'wampcra', secret: 's', role: 'r', iterations: 0 }] })).toMatch(/iterations/);
    expect(problem({ users: [{ authid: 'a', method: 'wampcra', secret: 's', role: 'r', keylen: 1.5 }] })).toMatch(/keylen/);
    expect(problem({ users: [{ authid: 'a', method: 'scram', role: 'r' }] })).toMatch(/unknown method 'scram'/);
    expect(problem({ anonymous: {}, users: [] })).toBe('anonymous.role: must be a non-empty string');
    expect(problem({})).toBe('users must be a list');
  });

  it('rejects the same authid twice under one method', () => {
    const users = [
      { authid: 'a', method: 'ticket', ticket: 't1', role: 'r' },
      { authid: 'a', method: 'ticket', ticket: 't2', role: 'r' },
    ];
    expect(problem({ users })).toMatch(/duplicate ticket user/);
  });

  it('never puts a secret or ticket in its message', () => {
    const message = problem({ users: [{ authid: 'a', method: 'ticket', ticket: 'hunter2', role: '' }] });
    expect(message).not.toContain('hunter2');
    expect(problem({ users: [{ authid: 'a', method: 'wampcra', secret: 'hunter2', role: 'r', salt: '' }] })).not.toContain('hunter2');
  });
});
