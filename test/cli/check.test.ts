import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../../src/cli/commands/check.js';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { exampleFiles } from '../helpers/example-files.js';
import { fakeIo } from './fake-io.js';

const FIXTURES = resolve(__dirname, '../fixtures/config');

describe('check', () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('prints "FILE: ok" and exits 0 for a valid router config whose files are there', async () => {
    const files = exampleFiles();
    try {
      writeFileSync(join(files.etc, 'router.yaml'), files.rewrite(readFileSync(join(FIXTURES, 'router-full.yaml'), 'utf8')));
      const io = fakeIo({ cwd: files.etc });
      expect(await check.run(['router.yaml'], io)).toBe(0);
      expect(io.stdoutText()).toBe('router.yaml: ok (1 warning)\n');
      expect(io.stderrText()).toBe("router.yaml:25: realms[1]: warning: nobody can join realm 'lab': it has no anonymous: and no users:\n");
    } finally {
      files.cleanup();
    }
  });

  it('warns about a device config that nothing could reach (no upstream, no local_router), still ok', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'switchyard-check-'));
    writeFileSync(join(tmp, 'alone.yaml'), 'device: alone\nsensors:\n  - { name: temperature, driver: simulated }\n');
    const io = fakeIo({ cwd: tmp });
    expect(await check.run(['alone.yaml'], io)).toBe(0);
    expect(io.stdoutText()).toBe('alone.yaml: ok (1 warning)\n');
    expect(io.stderrText()).toBe('alone.yaml:1: (root): warning: no upstream and no local_router: nothing can reach this device\n');
  });

  it('checks on this machine what the router would refuse: TLS files missing, the socket directory', async () => {
    const io = fakeIo({ cwd: FIXTURES });
    expect(await check.run(['router-full.yaml'], io)).toBe(1);
    expect(io.stderrText().split('\n').slice(0, 3)).toEqual([
      'router-full.yaml:5: listen[2].path: warning: directory /run/switchyard does not exist (yet): the router cannot create the socket unless something creates it first (systemd: RuntimeDirectory=)',
      'router-full.yaml:7: listen[4].tls.cert: cannot read /etc/switchyard/tls.crt: no such file',
      'router-full.yaml:7: listen[4].tls.key: cannot read /etc/switchyard/tls.key: no such file',
    ]);
  });

  it('prints every problem as file:line: key: message on stderr and exits 1', async () => {
    const io = fakeIo({ cwd: FIXTURES });
    expect(await check.run(['router-bad.yaml'], io)).toBe(1);
    const lines = io.stderrText().trimEnd().split('\n');
    expect(lines).toHaveLength(16); // 15 problems and the second 'home', a realm nobody can join
    expect(lines).toContain("router-bad.yaml:17: realms[1]: warning: nobody can join realm 'home': it has no anonymous: and no users:");
    expect(lines[0]).toBe('router-bad.yaml:2: listen[0].port: expected an integer from 0 to 65535, got 80800');
    expect(lines[15]).toBe("router-bad.yaml:19: log_level: expected one of debug, info, warn, error, got 'verbose'");
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).not.toContain('hunter2');
  });

  it('resolves the file and its secret files against the cwd it is given', async () => {
    const io = fakeIo({ cwd: resolve(FIXTURES, '..'), env: { CAROL_TICKET: 't' } });
    expect(await check.run(['config/router-secrets.yaml'], io)).toBe(0);
    expect(io.stdoutText()).toBe('config/router-secrets.yaml: ok\n');
  });

  it('reports an unset environment variable from the io env', async () => {
    const io = fakeIo({ cwd: FIXTURES, env: {} });
    expect(await check.run(['router-secrets.yaml'], io)).toBe(1);
    expect(io.stderrText()).toBe(
      'router-secrets.yaml:7: realms[0].users[2].ticket: environment variable CAROL_TICKET is not set\n',
    );
  });

  it('recognises a device config by its top-level device key and validates it', async () => {
    const io = fakeIo({ cwd: FIXTURES });
    expect(await check.run(['device.yaml'], io)).toBe(0);
    expect(io.stdoutText()).toBe('device.yaml: ok\n');
  });

  it('lists every problem of a device config, its local_router block included, by line', async () => {
    const io = fakeIo({ cwd: FIXTURES });
    expect(await check.run(['device-bad.yaml'], io)).toBe(1);
    expect(io.stderrText()).toBe(
      [
        'device-bad.yaml:5: local_router.listen[0].port: expected an integer from 0 to 65535, got 70000',
        "device-bad.yaml:8: actuators[1].name: name 'light' is already used by actuators[0] (actuators and sensors share one namespace)",
        'device-bad.yaml:8: actuators[1].pin: pin 17 is already used by actuators[0]',
        'device-bad.yaml:10: sensors[0].max_interval: only used together with deadband',
        '',
      ].join('\n'),
    );
  });

  it('reports a YAML syntax error', async () => {
    const io = fakeIo({ cwd: FIXTURES });
    expect(await check.run(['router-syntax.yaml'], io)).toBe(1);
    expect(io.stderrText()).toBe('router-syntax.yaml:5: (yaml): Sequence item without - indicator\n');
  });

  it('checks several files and exits 1 when any is invalid', async () => {
    const io = fakeIo({ cwd: FIXTURES });
    expect(await check.run(['router-minimal.yaml', 'missing.yaml', 'device.yaml'], io)).toBe(1);
    expect(io.stdoutText()).toBe('router-minimal.yaml: ok (1 warning)\ndevice.yaml: ok\n');
    expect(io.stderrText()).toBe(
      "router-minimal.yaml:2: realms[0]: warning: nobody can join realm 'home': it has no anonymous: and no users:\nmissing.yaml: cannot read: no such file\n",
    );
  });

  it('accepts an absolute path', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'switchyard-check-'));
    const file = join(tmp, 'router.yaml');
    writeFileSync(file, 'realms: [ { name: home, anonymous: { role: guest } } ]\nlimits: { max_sessions: 0 }\n');
    const io = fakeIo({ cwd: '/' });
    expect(await check.run([file], io)).toBe(1);
    expect(io.stderrText()).toBe(`${file}:2: limits.max_sessions: expected an integer of at least 1, got 0\n`);
  });

  it('prints its usage on --help and exits 0', async () => {
    const io = fakeIo();
    expect(await check.run(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toBe(check.usage);
    expect(check.usage).toMatch(/^Usage: switchyard check CONFIG\.yaml/);
  });

  it('throws a UsageError without a file or with an unknown flag', async () => {
    await expect(check.run([], fakeIo())).rejects.toThrow(new UsageError('missing CONFIG file'));
    await expect(check.run(['--strict', 'x.yaml'], fakeIo())).rejects.toThrow(UsageError);
  });

  it('exits 1 with the usage through main for a usage error', async () => {
    const io = fakeIo();
    expect(await main(['check'], io)).toBe(1);
    expect(io.stderrText()).toBe("switchyard check: missing CONFIG file\nsee 'switchyard check --help'\n");
  });
});
