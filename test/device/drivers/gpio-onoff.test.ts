import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/common/logger.js';
import { gpioActuatorSchema, gpioSensorSchema } from '../../../src/device/config/schema.js';
import type { OnoffGpio, OnoffGpioConstructor, SensorValue } from '../../../src/device/driver.js';
import { DriverError } from '../../../src/device/driver.js';
import { openOnoffActuator, openOnoffSensor } from '../../../src/device/drivers/gpio-onoff.js';
import { fakeDriverContext } from './driver-context.js';

type Direction = 'in' | 'out' | 'high' | 'low';
type Edge = 'none' | 'rising' | 'falling' | 'both';
type Options = { debounceTimeout?: number; activeLow?: boolean; reconfigureDirection?: boolean };
type WatchCallback = (error: Error | null | undefined, value: 0 | 1) => void;

/** Stands in for onoff's Gpio at its module boundary: records what the driver asks of it. */
class FakeGpio implements OnoffGpio {
  static made: FakeGpio[] = [];
  /** Level readSync()/read() report (onoff reports it after active_low). */
  static level: 0 | 1 = 0;
  readonly writes: number[] = [];
  readonly watchers: WatchCallback[] = [];
  unexported = false;

  constructor(
    readonly gpio: number,
    readonly direction: Direction,
    readonly edge?: Edge,
    readonly options?: Options,
  ) {
    FakeGpio.made.push(this);
  }
  readSync(): 0 | 1 {
    return FakeGpio.level;
  }
  async read(): Promise<0 | 1> {
    return FakeGpio.level;
  }
  async write(value: 0 | 1): Promise<void> {
    this.writes.push(value);
  }
  watch(callback: WatchCallback): void {
    this.watchers.push(callback);
  }
  unwatchAll(): void {
    this.watchers.length = 0;
  }
  unexport(): void {
    this.unexported = true;
  }
}

const Gpio: OnoffGpioConstructor = FakeGpio;

describe('gpio-onoff', () => {
  let sysfs: string;

  beforeEach(async () => {
    FakeGpio.made = [];
    FakeGpio.level = 0;
    sysfs = await mkdtemp(join(tmpdir(), 'switchyard-gpio-onoff-'));
    const chip = join(sysfs, 'class', 'gpio', 'gpiochip512');
    await mkdir(chip, { recursive: true });
    await writeFile(join(chip, 'label'), 'pinctrl-bcm2711\n');
    await writeFile(join(chip, 'base'), '512\n');
    await writeFile(join(chip, 'ngpio'), '58\n');
  });

  afterEach(async () => {
    await rm(sysfs, { recursive: true, force: true });
  });

  /** Marks sysfs line `number` exported with this direction, as a previous run leaves it. */
  async function exported(number: number, direction: 'in' | 'out'): Promise<void> {
    await mkdir(join(sysfs, 'class', 'gpio', `gpio${number}`));
    await writeFile(join(sysfs, 'class', 'gpio', `gpio${number}`, 'direction'), `${direction}\n`);
  }

  describe('actuator', () => {
    it('keeps an exported output as it is and reads its level back without writing', async () => {
      await exported(529, 'out');
      FakeGpio.level = 1;
      const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17, active_low: true });
      const driver = await openOnoffActuator(config, fakeDriverContext({ sysfs }), Gpio);
      expect(FakeGpio.made).toHaveLength(1);
      const [gpio] = FakeGpio.made;
      expect(gpio).toMatchObject({ gpio: 529, direction: 'out', options: { activeLow: true, reconfigureDirection: false } });
      expect(await driver.read()).toBe(true);
      expect(gpio!.writes).toEqual([]);
      await driver.write(false);
      expect(gpio!.writes).toEqual([0]);
      await driver.close();
      expect(gpio!.unexported).toBe(false);
    });

    it('leaves a line that is not an output alone until the first write, then exports it at that level', async () => {
      await exported(529, 'in');
      const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17 });
      const driver = await openOnoffActuator(config, fakeDriverContext({ sysfs }), Gpio);
      expect(FakeGpio.made).toEqual([]);
      expect(await driver.read()).toBeUndefined();
      await driver.write(true);
      expect(FakeGpio.made).toHaveLength(1);
      expect(FakeGpio.made[0]).toMatchObject({ gpio: 529, direction: 'high', options: { activeLow: false, reconfigureDirection: false } });
      expect(FakeGpio.made[0]!.writes).toEqual([1]);
      await driver.close();
    });

    it('exports an active-low line at the physical level of the logical value', async () => {
      const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 5, active_low: true });
      const driver = await openOnoffActuator(config, fakeDriverContext({ sysfs }), Gpio);
      await driver.write(true);
      expect(FakeGpio.made[0]).toMatchObject({ gpio: 517, direction: 'low', options: { activeLow: true } });
      expect(FakeGpio.made[0]!.writes).toEqual([1]);
    });

    it('rejects a number with a DriverError', async () => {
      const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17 });
      const driver = await openOnoffActuator(config, fakeDriverContext({ sysfs }), Gpio);
      await expect(driver.write(0.5)).rejects.toBeInstanceOf(DriverError);
    });
  });

  describe('sensor', () => {
    it('watches an edge input with onoff’s debounce and delivers booleans', async () => {
      const config = gpioSensorSchema.parse({ name: 'door', driver: 'gpio', pin: 22, edge: 'both', debounce: '50ms', active_low: true });
      const driver = await openOnoffSensor(config, fakeDriverContext({ sysfs }), Gpio);
      expect(driver.mode).toBe('push');
      const gpio = FakeGpio.made[0]!;
      expect(gpio).toMatchObject({ gpio: 534, direction: 'in', edge: 'both', options: { activeLow: true, debounceTimeout: 50 } });
      const values: SensorValue[] = [];
      const errors: Error[] = [];
      driver.start!({ value: (v) => values.push(v), error: (e) => errors.push(e) });
      expect(gpio.watchers).toHaveLength(1);
      gpio.watchers[0]!(null, 1);
      gpio.watchers[0]!(null, 0);
      gpio.watchers[0]!(new Error('EIO'), 0);
      expect(values).toEqual([true, false]);
      expect(errors[0]).toBeInstanceOf(DriverError);
      await driver.close();
      expect(gpio.watchers).toHaveLength(0);
      expect(gpio.unexported).toBe(true);
    });

    it('reads a polled input without an edge', async () => {
      const config = gpioSensorSchema.parse({ name: 'level', driver: 'gpio', pin: 23 });
      const driver = await openOnoffSensor(config, fakeDriverContext({ sysfs }), Gpio);
      expect(driver.mode).toBe('poll');
      expect(FakeGpio.made[0]).toMatchObject({ gpio: 535, direction: 'in', edge: 'none', options: { activeLow: false } });
      expect(FakeGpio.made[0]!.options).not.toHaveProperty('debounceTimeout');
      FakeGpio.level = 1;
      expect(await driver.read!()).toBe(true);
      await driver.close();
      expect(FakeGpio.made[0]!.unexported).toBe(true);
    });

    it('warns that pull is not supported and opens anyway', async () => {
      const lines: string[] = [];
      const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
      const config = gpioSensorSchema.parse({ name: 'button', driver: 'gpio', pin: 27, edge: 'falling', pull: 'up' });
      const driver = await openOnoffSensor(config, fakeDriverContext({ sysfs, logger }), Gpio);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^warn gpio pull is not supported/);
      expect(FakeGpio.made[0]).toMatchObject({ gpio: 539, edge: 'falling' });
      await driver.close();
    });
  });
});
