import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IioSensorConfig } from '../../../src/device/config/schema.js';
import { DriverError, HardwareMissingError, type SensorDriver } from '../../../src/device/driver.js';
import { channelUnit, openIioSensor } from '../../../src/device/drivers/iio.js';
import { fakeDriverContext } from './driver-context.js';

let root: string;
let device: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchyard-iio-'));
  device = join(root, 'bus', 'iio', 'devices', 'iio:device0');
  await mkdir(device, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function attributes(values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await writeFile(join(device, name), `${value}\n`);
}

async function open(channel: string, deviceName = 'iio:device0'): Promise<SensorDriver> {
  const config: IioSensorConfig = { name: 'x', driver: 'iio', device: deviceName, channel, interval: 10_000 };
  return openIioSensor(config, fakeDriverContext({ sysfs: root }));
}

describe('iio', () => {
  it('reads in_<channel>_input and converts millidegrees to °C', async () => {
    await attributes({ in_temp_input: '23125' });
    const driver = await open('temp');
    expect(driver.mode).toBe('poll');
    expect(driver.unit).toBe('°C');
    expect(await driver.read!()).toBe(23.125);
  });

  it('converts milli-percent relative humidity to %RH', async () => {
    await attributes({ in_humidityrelative_input: '45000' });
    const driver = await open('humidityrelative');
    expect(driver.unit).toBe('%RH');
    expect(await driver.read!()).toBe(45);
  });

  it('computes (raw + offset) × scale when there is no _input', async () => {
    // (2000 + -500) × 10 = 15000 m°C; raw × scale + offset would give 19.5 °C.
    await attributes({ in_temp_raw: '2000', in_temp_offset: '-500', in_temp_scale: '10' });
    expect(await (await open('temp')).read!()).toBe(15);
  });

  it('keeps millivolts and drops floating-point noise from the scale', async () => {
    await attributes({ in_voltage0_raw: '229', in_voltage0_scale: '0.1' });
    const driver = await open('voltage0');
    expect(driver.unit).toBe('mV');
    expect(await driver.read!()).toBe(22.9);
  });

  it('takes scale 1 and offset 0 when the driver has neither', async () => {
    await attributes({ in_voltage1_raw: '1234' });
    expect(await (await open('voltage1')).read!()).toBe(1234);
  });

  it('prefers _input over _raw', async () => {
    await attributes({ in_pressure_input: '101.325', in_pressure_raw: '5' });
    const driver = await open('pressure');
    expect(driver.unit).toBe('kPa');
    expect(await driver.read!()).toBe(101.325);
  });

  it('maps channel types to units and passes unknown ones through without a unit', async () => {
    expect(channelUnit('temp0')).toEqual({ divisor: 1000, unit: '°C' });
    expect(channelUnit('temp_ambient')).toEqual({ divisor: 1000, unit: '°C' });
    expect(channelUnit('illuminance')).toEqual({ divisor: 1, unit: 'lx' });
    expect(channelUnit('voltage3')).toEqual({ divisor: 1, unit: 'mV' });
    expect(channelUnit('proximity')).toBeUndefined();
    expect(channelUnit('constructor')).toBeUndefined();
    await attributes({ in_proximity_raw: '17' });
    const driver = await open('proximity');
    expect(driver.unit).toBeUndefined();
    expect(await driver.read!()).toBe(17);
  });

  it('rejects a read that fails with DriverError naming the path', async () => {
    await attributes({ in_temp_input: '23125' });
    const driver = await open('temp');
    const input = join(device, 'in_temp_input');
    await rm(input);
    await mkdir(input); // reading a directory fails with EISDIR, as a sysfs read fails with EIO
    const error = await driver.read!().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).path).toBe(input);
    await rm(input, { recursive: true });
    const gone = await driver.read!().catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(DriverError);
    expect(gone).not.toBeInstanceOf(HardwareMissingError);
  });

  it('rejects a value that is not a number', async () => {
    await attributes({ in_temp_input: 'n/a' });
    expect(await (await open('temp')).read!().catch((e: unknown) => e)).toBeInstanceOf(DriverError);
  });

  it('rejects a missing device or channel at open with HardwareMissingError naming the path', async () => {
    const noDevice = await open('temp', 'iio:device7').catch((e: unknown) => e);
    expect(noDevice).toBeInstanceOf(HardwareMissingError);
    expect((noDevice as HardwareMissingError).message).toContain(join(root, 'bus', 'iio', 'devices', 'iio:device7'));
    const noChannel = await open('temp').catch((e: unknown) => e);
    expect(noChannel).toBeInstanceOf(HardwareMissingError);
    expect((noChannel as HardwareMissingError).message).toContain(join(device, 'in_temp_input'));
  });
});
