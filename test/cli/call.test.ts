import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../src/cli/commands/call.js';
import { keygen } from '../../src/cli/commands/keygen.js';
import { main } from '../../src/cli/main.js';
import { result } from '../../src/client/roles/invocation.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { closedPort } from './closed-port.js';
import { fakeIo, type FakeIo } from './fake-io.js';

/** Runs `switchyard call ARGV` through main, as the executable does. */
async function runCall(argv: string[], io: FakeIo = fakeIo()): Promise<{ code: number; out: string; err: string }> {
  const code = await main(['call', ...argv], io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

describe('call', () => {
  /** Called when test.slow is invoked. */
  let onSlowInvoked: (() => void) | undefined;
  let router: TestRouter;
  let callee: ManagedSession;
  let url: string;

  beforeAll(async () => {
    router = await startTestRouter();
    url = `rs://127.0.0.1:${router.rawsocketPort}`;
    callee = await connect({ url, realm: 'home', reconnect: false });
    await callee.register('test.echo', (invocation) => result(invocation.args, invocation.kwargs));
    await callee.register('test.first', (invocation) => invocation.args[0]);
    await callee.register('test.nothing', () => undefined);
    await callee.register('test.fail', () => {
      throw new ApplicationError('com.example.error.broken', ['the light is broken\nreally']);
    });
    await callee.register('test.fail_data', () => {
      throw new ApplicationError('com.example.error.data', [42], { why: 'because' });
    });
    await callee.register('test.slow', (invocation) => new Promise((resolve) => {
      const timer = setTimeout(() => resolve('late'), 5000);
      invocation.signal.addEventListener('abort', () => clearTimeout(timer));
      onSlowInvoked?.();
    }));
  });

  afterAll(async () => {
    await callee?.leave();
    await router?.close();
  });

  it('prints a single positional result as that JSON value', async () => {
    expect(await runCall(['test.first', 'true', '--url', url])).toEqual({ code: 0, out: 'true\n', err: '' });
    expect(await runCall(['test.first', '{"level":0.5}', '--url', url])).toEqual({ code: 0, out: '{"level":0.5}\n', err: '' });
  });

  it('parses each ARG and --kw value as JSON when it is JSON, else as a string', async () => {
    const { code, out, err } = await runCall([
      'test.echo', '42', 'true', '"7"', '[1,2]', '{"a":1}', 'on', 'null', 'two words',
      '--kw', 'level=0.5', '--kw', 'name=porch', '--url', url,
    ]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(out)).toEqual({ args: [42, true, '7', [1, 2], { a: 1 }, 'on', null, 'two words'], kwargs: { level: 0.5, name: 'porch' } });
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.split('\n')).toHaveLength(2);
  });

  it('prints null when the result is empty, and args and kwargs for several results', async () => {
    expect((await runCall(['test.nothing', '--url', url])).out).toBe('null\n');
    expect((await runCall(['test.echo', '1', '2', '--url', url])).out).toBe('{"args":[1,2],"kwargs":{}}\n');
    expect((await runCall(['test.echo', '--kw', 'k=v', '--url', url])).out).toBe('{"args":[],"kwargs":{"k":"v"}}\n');
  });

  it('takes ARGs that start with "-" after --', async () => {
    expect((await runCall(['test.echo', '--url', url, '--', '-1', '--not-a-flag'])).out).toBe('{"args":[-1,"--not-a-flag"],"kwargs":{}}\n');
  });

  it.each([
    ['json', () => url],
    ['msgpack', () => url],
    ['cbor', () => router.wsUrl],
    ['json', () => router.wsUrl],
  ])('works with --serializer %s', async (serializer, urlOf) => {
    expect(await runCall(['test.first', '[1,"x"]', '--serializer', serializer, '--url', urlOf()])).toEqual({ code: 0, out: '[1,"x"]\n', err: '' });
  });

  it('exits 2 with the error URI and message on one line when the call fails', async () => {
    expect(await runCall(['test.fail', '--url', url])).toEqual({
      code: 2,
      out: '',
      err: 'switchyard call: com.example.error.broken: the light is broken; really\n',
    });
    expect((await runCall(['test.fail_data', '--url', url])).err).toBe('switchyard call: com.example.error.data: [42] {"why":"because"}\n');
    const missing = await runCall(['test.missing', '--url', url]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^switchyard call: wamp\.error\.no_such_procedure: [^\n]+\n$/);
  });

  it('exits 2 with one line when the router is unreachable', async () => {
    const port = await closedPort();
    const { code, out, err } = await runCall(['test.first', '1', '--url', `rs://127.0.0.1:${port}`]);
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toMatch(new RegExp(`^switchyard call: cannot connect to rs://127\\.0\\.0\\.1:${port}: [^\\n]*ECONNREFUSED[^\\n]*\\n$`));
  });

  it('exits 2 with one line when the realm does not exist', async () => {
    const { code, err } = await runCall(['test.first', '1', '--url', url, '--realm', 'nowhere']);
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^switchyard call: cannot join realm 'nowhere' at ${url}: wamp\\.error\\.no_such_realm[^\\n]*\\n$`));
  });

  it('gives up after --timeout milliseconds', async () => {
    const started = Date.now();
    const { code, err } = await runCall(['test.slow', '--timeout', '100', '--url', url]);
    expect(code).toBe(2);
    expect(err).toMatch(/^switchyard call: wamp\.error\.timeout[^\n]*\n$/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('cancels the call when the signal aborts', async () => {
    const stop = new AbortController();
    const io = { ...fakeIo(), signal: stop.signal };
    // Aborted once the call is at the callee (not while it is still connecting).
    onSlowInvoked = () => stop.abort();
    const { code, err } = await runCall(['test.slow', '--url', url], io).finally(() => (onSlowInvoked = undefined));
    expect(code).toBe(2);
    expect(err).toMatch(/^switchyard call: wamp\.error\.canceled[^\n]*\n$/);
  });

  it('prints its usage on --help', async () => {
    const io = fakeIo();
    expect(await call.run(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toBe(call.usage);
  });

  it.each([
    [[], 'missing procedure URI'],
    [['test..x'], "'test..x' is not a valid procedure URI"],
    [['ws://pi.local:8080/ws', 'devices.demo.light.toggle'], "'ws://pi.local:8080/ws' is a router URL, not a procedure URI: give it with --url"],
    [['test.first', '--kw', 'novalue'], "--kw: expected KEY=VALUE, got 'novalue'"],
    [['test.first', '--timeout', '1s'], "--timeout: expected milliseconds (a whole number), got '1s'"],
    [['test.first', '--colour'], "Unknown option '--colour'"],
    [['test.first', '--serializer', 'xml'], "--serializer: expected one of json, cbor, msgpack, got 'xml'"],
  ])('exits 1 with the usage for %j', async (argv, message) => {
    expect(await runCall(argv)).toEqual({ code: 1, out: '', err: `switchyard call: ${message}\nsee 'switchyard call --help'\n` });
  });
});

describe('call with authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-call-auth-'));
  let router: TestRouter;
  let callee: ManagedSession;
  let url: string;
  let pubkey: string;

  beforeAll(async () => {
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run(['--out', 'porch.key'], io)).toBe(0);
    pubkey = io.stdoutText().trim();
    router = await startTestRouter({
      realms: [
        {
          name: 'home',
          users: [
            { authid: 'alice', method: 'ticket', ticket: 'secret123', role: 'user' },
            { authid: 'bob', method: 'wampcra', secret: 'prq7+YkJ1/KlW1X0YczMHw==', role: 'user' },
            { authid: 'porch', method: 'cryptosign', pubkey, role: 'user' },
          ],
          roles: { user: [{ uri: '', match: 'prefix', allow: ['call', 'register', 'publish', 'subscribe'] }] },
        },
      ],
    });
    url = `rs://127.0.0.1:${router.rawsocketPort}`;
    callee = await connect({ url, realm: 'home', reconnect: false, auth: { method: 'ticket', authid: 'alice', ticket: 'secret123' } });
    await callee.register('test.whoami', (invocation) => invocation.details['caller_authid'], { discloseCaller: true });
  });

  afterAll(async () => {
    await callee?.leave();
    await router?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates with --ticket, --secret (WAMP-CRA) and --key (cryptosign, a keygen key)', async () => {
    const cases: [string[], string][] = [
      [['--authid', 'alice', '--ticket', 'secret123'], 'alice'],
      [['--authid', 'bob', '--secret', 'prq7+YkJ1/KlW1X0YczMHw=='], 'bob'],
      [['--authid', 'porch', '--key', 'porch.key'], 'porch'],
      [['--key', join(dir, 'porch.key')], 'porch'],
    ];
    for (const [flags, authid] of cases) {
      const io = fakeIo({ cwd: dir });
      expect(await main(['call', 'test.whoami', '--url', url, ...flags], io)).toBe(0);
      expect({ out: io.stdoutText(), err: io.stderrText() }).toEqual({ out: `"${authid}"\n`, err: '' });
    }
  });

  it('reads a key file holding a hex seed, and warns when others may read it', async () => {
    const file = join(dir, 'seed.hex');
    // Not the configured key: authentication fails, but only after the file was read.
    writeFileSync(file, `${'11'.repeat(32)}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    const io = fakeIo({ cwd: dir });
    expect(await main(['call', 'test.whoami', '--url', url, '--key', 'seed.hex'], io)).toBe(2);
    const lines = io.stderrText().split('\n');
    expect(lines[0]).toBe(`switchyard call: warning: key file ${file} is readable by others (mode 0644); run: chmod 600 ${file}`);
    expect(lines[1]).toMatch(/^switchyard call: cannot join realm 'home' at rs:\/\/[^:]+:\d+: wamp\.error\.(authentication_failed|no_such_principal|not_authorized)/);
    expect(io.stderrText()).not.toContain('11'.repeat(32));
  });

  it('exits 2 with one line and no secret when the credentials are wrong', async () => {
    const io = fakeIo();
    expect(await main(['call', 'test.whoami', '--url', url, '--authid', 'alice', '--ticket', 'hunter2'], io)).toBe(2);
    expect(io.stderrText()).toMatch(/^switchyard call: cannot join realm 'home' at rs:\/\/127\.0\.0\.1:\d+: wamp\.error\.[a-z_]+[^\n]*\n$/);
    expect(io.stderrText()).not.toContain('hunter2');
    expect(io.stdoutText()).toBe('');
  });

  it('exits 1 with one line when the key file cannot be used', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await main(['call', 'test.whoami', '--url', url, '--key', 'missing.key'], io)).toBe(1);
    expect(io.stderrText()).toBe(`switchyard call: --key ${join(dir, 'missing.key')}: cannot read: no such file or directory\n`);
  });
});
