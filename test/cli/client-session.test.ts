import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authOptionsFrom, connectFailure, describeError } from '../../src/cli/client-session.js';
import { AbortedError, SessionClosedError, TimeoutError } from '../../src/client/errors.js';
import { ConfigError } from '../../src/common/config-problem.js';
import { ApplicationError, WampError } from '../../src/protocol/errors.js';
import { fakeIo } from './fake-io.js';

const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const dir = mkdtempSync(join(tmpdir(), 'switchyard-client-session-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('client-session', () => {
  it.each([
    [new ApplicationError('com.example.error.x', ['went wrong']), 'com.example.error.x: went wrong'],
    [new ApplicationError('com.example.error.x', [1, 2], { why: 'no' }), 'com.example.error.x: [1,2] {"why":"no"}'],
    [new ApplicationError('com.example.error.x'), 'com.example.error.x'],
    [new TimeoutError(['no result within 50 ms']), 'wamp.error.timeout: no result within 50 ms'],
    [new SessionClosedError('wamp.close.transport_lost', 'socket closed'), 'wamp.close.transport_lost: socket closed'],
    [new AbortedError('wamp.error.no_such_realm', { message: 'no realm nowhere' }), 'wamp.error.no_such_realm: no realm nowhere'],
    [new WampError('wamp.error.x', [], {}, {}, 'custom text'), 'wamp.error.x: custom text'],
    [new Error('connect ECONNREFUSED 127.0.0.1:1'), 'connect ECONNREFUSED 127.0.0.1:1'],
    [new Error(''), 'Error'],
    ['plain', 'plain'],
  ])('describes %o as %j', (error, text) => {
    expect(describeError(error)).toBe(text);
  });

  it('names the URL, and the realm when the router refused the session', () => {
    const options = { url: 'rs://hub:8081', realm: 'home', serializer: 'cbor' as const, auth: { method: 'anonymous' as const } };
    expect(connectFailure(options, new Error('connect ECONNREFUSED 10.0.0.1:8081')).message).toBe(
      'cannot connect to rs://hub:8081: connect ECONNREFUSED 10.0.0.1:8081',
    );
    expect(connectFailure(options, new AbortedError('wamp.error.no_such_realm', { message: 'no' })).message).toBe(
      "cannot join realm 'home' at rs://hub:8081: wamp.error.no_such_realm: no",
    );
  });

  it('passes ticket and WAMP-CRA credentials through', () => {
    const io = fakeIo();
    expect(authOptionsFrom({ method: 'ticket', authid: 'a', ticket: 't' }, io, 'call')).toEqual({ method: 'ticket', authid: 'a', ticket: 't' });
    expect(authOptionsFrom({ method: 'wampcra', authid: 'b', secret: 's' }, io, 'call')).toEqual({ method: 'wampcra', authid: 'b', secret: 's' });
    expect(authOptionsFrom({ method: 'anonymous' }, io, 'call')).toEqual({ method: 'anonymous' });
  });

  it('reads a cryptosign key file into the seed hex, warning when others may read it', () => {
    const file = join(dir, 'seed');
    writeFileSync(file, SEED, { mode: 0o600 });
    const quiet = fakeIo();
    expect(authOptionsFrom({ method: 'cryptosign', authid: 'porch', keyFile: file }, quiet, 'publish')).toEqual({
      method: 'cryptosign',
      authid: 'porch',
      privateKey: SEED,
    });
    expect(quiet.stderrText()).toBe('');
    chmodSync(file, 0o604);
    const loud = fakeIo();
    expect(authOptionsFrom({ method: 'cryptosign', keyFile: file }, loud, 'publish')).toEqual({ method: 'cryptosign', privateKey: SEED });
    expect(loud.stderrText()).toBe(`switchyard publish: warning: key file ${file} is readable by others (mode 0604); run: chmod 600 ${file}\n`);
  });

  it('throws a ConfigError (exit 1) for a key file that cannot be used', () => {
    const file = join(dir, 'missing');
    expect(() => authOptionsFrom({ method: 'cryptosign', keyFile: file }, fakeIo(), 'call')).toThrow(
      new ConfigError(`switchyard call: --key ${file}: cannot read: no such file or directory`),
    );
  });
});
