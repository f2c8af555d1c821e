import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { device } from '../../src/cli/commands/device.js';
import { router } from '../../src/cli/commands/router.js';
import { UsageError } from '../../src/cli/usage-error.js';
import type { AuthOptions } from '../../src/client/types.js';
import { connect } from '../../src/node.js';
import { parseRouterConfig } from '../../src/router/config.js';
import { startRouter } from '../../src/router/serve.js';
import { fakeIo } from '../cli/fake-io.js';
import { until } from '../device/device-fixture.js';
import { CliProcess, portIn } from '../cli/cli-process.js';

/** Every secret of the test configs, and a wrong guess a client tries. None may reach a log line. */
const SECRETS = {
  upstreamTicket: 'upstream-ticket-Zq81x',
  upstreamCra: 'upstream-cra-Kx52y',
  localTicket: 'local-ticket-Pw33z',
  localCra: 'local-cra-Lm94w',
  wrongGuess: 'wrong-guess-Vv07q',
};

const LOCAL_ROUTER = {
  listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }],
  realms: [
    {
      name: 'home',
      anonymous: { role: 'public' },
      users: [
        { authid: 'alice', method: 'ticket', ticket: SECRETS.localTicket, role: 'user' },
        { authid: 'bob', method: 'wampcra', secret: SECRETS.localCra, role: 'user' },
      ],
    },
  ],
};

async function upstreamRouter(user: Record<string, unknown>): Promise<{ url: string; close: () => Promise<void> }> {
  const yaml = stringify({ listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }], realms: [{ name: 'home', users: [{ authid: 'porch', role: 'device', ...user }] }] });
  const running = await startRouter(parseRouterConfig(yaml, 'upstream.yaml', {}).config!);
  const address = running.listeners[0]!.address;
  return { url: `rs://127.0.0.1:${'port' in address ? address.port : 0}`, close: () => running.close() };
}

function secretsIn(lines: string[]): string[] {
  return lines.filter((line) => Object.values(SECRETS).some((secret) => line.includes(secret)));
}

describe('device logs', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-logs-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  it('never contain a secret of the config, at debug level, through refused and accepted logins', async () => {
    // Upstream A refuses the device's ticket, upstream B accepts its WAMP-CRA secret (from a file).
    const refusing = await upstreamRouter({ method: 'ticket', ticket: 'not-what-the-device-sends' });
    cleanups.push(() => refusing.close());
    const accepting = await upstreamRouter({ method: 'wampcra', secret: SECRETS.upstreamCra });
    cleanups.push(() => accepting.close());
    const dir = tempDir();
    writeFileSync(join(dir, 'porch.secret'), `${SECRETS.upstreamCra}\n`, { mode: 0o600 });
    const file = join(dir, 'device.yaml');
    writeFileSync(
      file,
      stringify({
        device: 'porch',
        upstream: [
          { url: refusing.url, auth: { method: 'ticket', authid: 'porch', ticket: '${PORCH_TICKET}' } },
          { url: accepting.url, auth: { method: 'wampcra', authid: 'porch', secret_file: join(dir, 'porch.secret') } },
        ],
        local_router: LOCAL_ROUTER,
        actuators: [{ name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' }],
        sensors: [{ name: 'temperature', driver: 'simulated', interval: '50ms' }],
        state_dir: dir,
      }),
    );
    const stop = new AbortController();
    const io = { ...fakeIo({ cwd: dir, env: { PORCH_TICKET: SECRETS.upstreamTicket } }), signal: stop.signal };
    const exit = device.run([file, '--log-level', 'debug'], io);
    cleanups.push(() => stop.abort());
    const lines = () => io.stderrText().split('\n').filter((line) => line !== '');
    await until(() => lines().some((line) => line.includes('joined') && line.includes(accepting.url)), 10_000, 'the device joined upstream B');
    expect(lines().some((line) => line.includes('connection attempt failed') && line.includes(refusing.url))).toBe(true);

    const localUrl = `rs://127.0.0.1:${portIn(lines().find((line) => line.includes('local router started'))!)}`;
    const logins: AuthOptions[] = [
      { method: 'ticket', authid: 'alice', ticket: SECRETS.localTicket },
      { method: 'wampcra', authid: 'bob', secret: SECRETS.localCra },
      { method: 'ticket', authid: 'alice', ticket: SECRETS.wrongGuess },
      { method: 'wampcra', authid: 'bob', secret: SECRETS.wrongGuess },
    ];
    const joined: boolean[] = [];
    for (const auth of logins) {
      const client = await connect({ url: localUrl, realm: 'home', auth, reconnect: false }).catch(() => undefined);
      joined.push(client !== undefined);
      if (client !== undefined) {
        expect((await client.call('devices.porch.light.get')).args).toEqual([false]);
        await client.leave();
      }
    }
    expect(joined).toEqual([true, true, false, false]);
    stop.abort();
    expect(await exit).toBe(0);

    const all = lines();
    expect(all.filter((line) => line.startsWith('debug ')).length).toBeGreaterThan(5);
    expect(all.some((line) => line.startsWith('info device stopped'))).toBe(true);
    expect(secretsIn(all)).toEqual([]);
  });

  it('take --log-level on the router command as on the device command', async () => {
    await expect(router.run(['--log-level', 'verbose'], fakeIo())).rejects.toThrow(UsageError);
    expect(router.usage).toContain('--log-level LEVEL');
  });

  it('carry <N> syslog prefixes when stderr is the journal (JOURNAL_STREAM names it), and are plain otherwise', async () => {
    const dir = tempDir();
    const file = join(dir, 'device.yaml');
    writeFileSync(
      file,
      stringify({
        device: 'porch',
        local_router: LOCAL_ROUTER,
        actuators: [{ name: 'light', driver: 'simulated', kind: 'switch' }],
        // An empty sysfs: a "hardware unavailable" warning.
        sensors: [{ name: 'temperature', driver: 'ds18b20', id: '28-0316a2795aff', interval: '1s' }],
        sysfs: dir,
        state_dir: dir,
      }),
    );
    const priority: Record<string, string> = { error: '3', warn: '4', info: '6', debug: '7' };
    for (const journal of [true, false]) {
      const stderrFile = join(dir, `stderr-${journal}.log`);
      const running = new CliProcess(['device', file, '--log-level', 'debug'], {}, { stderrFile, journal });
      cleanups.push(() => running.stop('SIGTERM', 1000));
      await running.waitForLine(/device ready/);
      await running.waitForLine(/hardware unavailable/);
      const exited = await running.stop();
      expect(exited, running.lines.join('\n')).toEqual({ code: 0, signal: null });
      const lines = running.lines;
      const levels = new Set<string>();
      for (const line of lines) {
        const match = journal ? /^<(\d)>(error|warn|info|debug) / .exec(line) : /^()(error|warn|info|debug) /.exec(line);
        expect(match, line).not.toBeNull();
        if (journal) expect(match![1]).toBe(priority[match![2]!]);
        levels.add(match![2]!);
      }
      expect([...levels].sort()).toEqual(['debug', 'info', 'warn']);
      expect(secretsIn(lines)).toEqual([]);
    }
  });
});
