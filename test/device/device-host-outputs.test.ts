import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceHost } from '../../src/device/device-host.js';
import { deviceConfig, simulatedDrivers, until } from './device-fixture.js';

/** Outputs of a whole device: the restart that must not glitch, and the safe state after grace. */
describe('DeviceHost outputs', () => {
  let sysfs: string;
  const hosts: DeviceHost[] = [];
  beforeEach(async () => {
    sysfs = await mkdtemp(join(tmpdir(), 'switchyard-sysfs-'));
    const chip = join(sysfs, 'class', 'pwm', 'pwmchip0');
    await mkdir(join(chip, 'pwm0'), { recursive: true });
    await writeFile(join(chip, 'export'), '');
    await writeFile(join(chip, 'npwm'), '1\n');
    for (const [name, value] of [['period', 0], ['duty_cycle', 0], ['enable', 0]] as const) await writeFile(join(chip, 'pwm0', name), `${value}\n`);
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.stop('test');
    await rm(sysfs, { recursive: true, force: true });
  });

  const lampConfig = (extra: Record<string, unknown> = {}) =>
    deviceConfig({ device: 'hall', sysfs, actuators: [{ name: 'lamp', driver: 'pwm', chip: 0, channel: 0, initial: 0.4, ...extra }] });
  const pwm0 = (name: string) => join(sysfs, 'class', 'pwm', 'pwmchip0', 'pwm0', name);

  it('drives initial on the first start and writes nothing when a restart finds the output already there', async () => {
    const first = await DeviceHost.start({ config: lampConfig(), drivers: { ...simulatedDrivers(), sysfs } });
    expect(await readFile(pwm0('duty_cycle'), 'utf8')).toBe('400000');
    expect(await readFile(pwm0('enable'), 'utf8')).toBe('1');
    await first.stop('restart');
    const before = await Promise.all(['period', 'duty_cycle', 'enable'].map((name) => stat(pwm0(name), { bigint: true })));

    const second = await DeviceHost.start({ config: lampConfig(), drivers: { ...simulatedDrivers(), sysfs } });
    hosts.push(second);
    const after = await Promise.all(['period', 'duty_cycle', 'enable'].map((name) => stat(pwm0(name), { bigint: true })));
    expect(after.map((s) => s.mtimeNs)).toEqual(before.map((s) => s.mtimeNs));
    expect(second.describe()['actuators']).toEqual([expect.objectContaining({ name: 'lamp', state: 0.4 })]);
  });

  it('writes the safe state after grace without any router session', async () => {
    const config = deviceConfig({
      device: 'hall',
      actuators: [
        { name: 'heater', driver: 'simulated', kind: 'switch', initial: 'on', on_disconnect: 'off', grace: '150ms' },
        { name: 'fan', driver: 'simulated', kind: 'switch', initial: 'on' },
      ],
    });
    const host = await DeviceHost.start({ config, drivers: simulatedDrivers() });
    hosts.push(host);
    expect(host.actuators.map((a) => a.state?.value)).toEqual([true, true]);
    await until(() => host.actuators[0]!.state?.value === false, 2000, 'the safe state');
    expect(host.actuators[0]!.state?.source).toBe('safe_state');
    // on_disconnect defaults to hold.
    expect(host.actuators[1]!.state?.value).toBe(true);
  });
});
