import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SystemSensorConfig } from '../../../src/device/config/schema.js';
import { DriverError, HardwareMissingError, type SensorDriver } from '../../../src/device/driver.js';
import { openSystemSensor } from '../../../src/device/drivers/system.js';
import { fakeDriverContext } from './driver-context.js';

let root: string;
let sysfs: string;
let proc: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchyard-system-'));
  sysfs = join(root, 'sys');
  proc = join(root, 'proc');
  await mkdir(join(sysfs, 'class', 'thermal', 'thermal_zone0'), { recursive: true });
  await mkdir(proc);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function open(metric: SystemSensorConfig['metric']): Promise<SensorDriver> {
  return openSystemSensor({ name: metric, driver: 'system', metric, interval: 10_000 }, fakeDriverContext({ sysfs }), proc);
}

const MEMINFO = 'MemTotal:        3884380 kB\nMemFree:          512000 kB\nMemAvailable:    3113460 kB\nBuffers:           81234 kB\n';

describe('system', () => {
  it('reads the CPU temperature from thermal_zone0 in °C', async () => {
    await writeFile(join(sysfs, 'class', 'thermal', 'thermal_zone0', 'temp'), '48312\n');
    const driver = await open('cpu_temp');
    expect(driver.mode).toBe('poll');
    expect(driver.unit).toBe('°C');
    expect(await driver.read!()).toBe(48.312);
  });

  it('reads the 1-minute load average from the proc root it is given', async () => {
    await writeFile(join(proc, 'loadavg'), '0.42 0.37 0.30 1/123 4567\n');
    const driver = await open('load1');
    expect(driver.unit).toBeUndefined();
    expect(await driver.read!()).toBe(0.42);
  });

  it('reads the share of memory in use from MemTotal and MemAvailable, to 0.1 %', async () => {
    await writeFile(join(proc, 'meminfo'), MEMINFO);
    const driver = await open('mem_used');
    expect(driver.unit).toBe('%');
    // 100 × (3884380 − 3113460) / 3884380 = 19.846…
    expect(await driver.read!()).toBe(19.8);
  });

  it('rejects meminfo without MemAvailable', async () => {
    await writeFile(join(proc, 'meminfo'), 'MemTotal:        3884380 kB\n');
    const error = await (await open('mem_used')).read!().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toContain('MemAvailable');
  });

  it('rejects a missing thermal zone at open with HardwareMissingError naming the path', async () => {
    const error = await open('cpu_temp').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as HardwareMissingError).message).toContain(join(sysfs, 'class', 'thermal', 'thermal_zone0', 'temp'));
  });
});
