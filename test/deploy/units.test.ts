import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/cli/commands/check.js';
import { fakeIo } from '../cli/fake-io.js';
import { requireSystem } from '../helpers/system-deps.js';
import { makeRoot, makeSource, REPO, runScript } from './staging.js';

const UNITS = ['switchyard-device.service', 'switchyard-router.service'] as const;
/** Exposure levels of `systemd-analyze security` (0 best, 10 worst) the units must stay under. */
const MAX_EXPOSURE: Record<(typeof UNITS)[number], number> = { 'switchyard-device.service': 2.5, 'switchyard-router.service': 2.0 };

const hasSystemdAnalyze = () => ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].some((path) => existsSync(path));

/** `KEY=value` lines of a unit's [Service] section (repeated keys keep every value). */
function serviceSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  const section = text.slice(text.indexOf('[Service]'), text.indexOf('[Install]'));
  for (const line of section.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match !== null) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}

describe('systemd units', () => {
  it.each(UNITS)('%s: node on dist/ directly, the service user, notify + watchdog, restart, hardening', (unit) => {
    const s = serviceSettings(readFileSync(join(REPO, 'systemd', unit), 'utf8'));
    const one = (key: string) => s.get(key)?.join(' ');
    expect(one('ExecStart')).toMatch(/^\/usr\/bin\/node \/opt\/switchyard\/dist\/cli\/main\.js (device \/etc\/switchyard\/device\.yaml|router --config \/etc\/switchyard\/router\.yaml)$/);
    expect(one('ExecStart')).not.toContain('npm');
    expect({ Type: one('Type'), NotifyAccess: one('NotifyAccess'), User: one('User'), Restart: one('Restart') }).toEqual({
      Type: 'notify',
      NotifyAccess: 'all',
      User: 'switchyard',
      Restart: 'on-failure',
    });
    for (const key of ['WatchdogSec', 'RestartSec', 'TimeoutStopSec']) expect(one(key), key).toMatch(/^\d+s$/);
    expect(parseInt(one('TimeoutStopSec')!, 10)).toBeGreaterThanOrEqual(10);
    expect(one('ConfigurationDirectory')).toBe('switchyard');
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp']) expect(one(key), key).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('RestrictAddressFamilies')).toBe('AF_UNIX AF_INET AF_INET6');
    if (unit === 'switchyard-device.service') {
      expect(one('SupplementaryGroups')).toBe('gpio dialout i2c spi');
      expect(one('StateDirectory')).toBe('switchyard');
      // GPIO, PWM, serial: /dev and /sys stay reachable.
      for (const key of ['PrivateDevices', 'DevicePolicy', 'DeviceAllow', 'ProtectClock', 'ProtectKernelTunables', 'PrivateUsers']) expect(s.has(key), key).toBe(false);
    }
  });

  it('ship configs that "switchyard check" accepts (the installed defaults)', async () => {
    for (const file of ['systemd/router.yaml', 'devices/demo.yaml']) {
      const io = fakeIo({ cwd: REPO });
      expect(await check.run([file], io), io.stderrText()).toBe(0);
    }
  });
});

describe.skipIf(!requireSystem('systemd', hasSystemdAnalyze))('systemd-analyze on the installed units', () => {
  let src: string;
  let root: string;
  beforeAll(() => {
    src = makeSource();
    root = makeRoot(false);
    const install = runScript(join(src, 'scripts/install.sh'), ['--root', root, '--no-deps', '--node', process.execPath]);
    if (install.status !== 0) throw new Error(install.stderr);
  });
  afterAll(() => {
    rmSync(src, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it.each(UNITS)('verify %s: no warning at all', (unit) => {
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', join(root, 'etc/systemd/system', unit)], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(UNITS)('security %s: exposure under the documented level', (unit) => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', join(root, 'etc/systemd/system', unit)], { encoding: 'utf8' });
    const match = /Overall exposure level for \S+: (\d+\.\d)/.exec(result.stdout);
    expect(match, result.stdout + result.stderr).not.toBeNull();
    expect(Number(match![1])).toBeLessThanOrEqual(MAX_EXPOSURE[unit]);
  });
});
