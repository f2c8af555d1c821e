import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ds18b20SensorConfig } from '../../../src/device/config/schema.js';
import { DriverError, HardwareMissingError, type SensorDriver } from '../../../src/device/driver.js';
import { openDs18b20Sensor } from '../../../src/device/drivers/ds18b20.js';
import { fakeDriverContext } from './driver-context.js';

const ID = '28-0316a2795aff';
let root: string;
let device: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchyard-w1-'));
  device = join(root, 'bus', 'w1', 'devices', ID);
  await mkdir(device, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function config(id = ID): Ds18b20SensorConfig {
  return { name: 'water', driver: 'ds18b20', id, interval: 10_000 };
}

/** w1_slave as w1-therm writes it. */
async function w1Slave(crc: 'YES' | 'NO', millidegrees: number, bytes = '72 01 4b 46 7f ff 0e 10 57'): Promise<void> {
  await writeFile(join(device, 'w1_slave'), `${bytes} : crc=57 ${crc}\n${bytes} t=${millidegrees}\n`);
}

async function open(): Promise<SensorDriver> {
  return openDs18b20Sensor(config(), fakeDriverContext({ sysfs: root }));
}

async function readError(driver: SensorDriver): Promise<unknown> {
  return driver.read!().catch((error: unknown) => error);
}

describe('ds18b20', () => {
  it('reads millidegrees as °C', async () => {
    await w1Slave('YES', 23125);
    const driver = await open();
    expect(driver.mode).toBe('poll');
    expect(driver.unit).toBe('°C');
    expect(await driver.read!()).toBe(23.125);
  });

  it('reads negative temperatures', async () => {
    await w1Slave('YES', -10500, '5f ff 4b 46 7f ff 01 10 3c');
    expect(await (await open()).read!()).toBe(-10.5);
  });

  it('rejects a reading whose CRC check failed', async () => {
    await w1Slave('NO', 23125);
    const error = await readError(await open());
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toContain('CRC check failed');
    expect((error as DriverError).path).toBe(join(device, 'w1_slave'));
  });

  it('rejects the power-on value 85 °C', async () => {
    await w1Slave('YES', 85000);
    const error = await readError(await open());
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toContain('power-on value 85 °C: the conversion did not run');
  });

  it('rejects values outside the sensor range such as -127 °C', async () => {
    await w1Slave('YES', -127000);
    expect(await readError(await open())).toBeInstanceOf(DriverError);
  });

  it('rejects an all-zero scratchpad that passes the CRC', async () => {
    await w1Slave('YES', 0, '00 00 00 00 00 00 00 00 00');
    const error = await readError(await open());
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toContain('did not answer');
  });

  it('rejects content it does not understand', async () => {
    await writeFile(join(device, 'w1_slave'), 'garbage\n');
    expect(await readError(await open())).toBeInstanceOf(DriverError);
  });

  it('rejects a read after the device went away with DriverError, not HardwareMissingError', async () => {
    await w1Slave('YES', 21000);
    const driver = await open();
    await rm(device, { recursive: true });
    const error = await readError(driver);
    expect(error).toBeInstanceOf(DriverError);
    expect(error).not.toBeInstanceOf(HardwareMissingError);
  });

  it('rejects a missing device at open with HardwareMissingError naming the path', async () => {
    const missing = join(root, 'bus', 'w1', 'devices', '28-000000000000');
    const error = await openDs18b20Sensor(config('28-000000000000'), fakeDriverContext({ sysfs: root })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as HardwareMissingError).message).toContain(missing);
  });
});
