import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/common/logger.js';
import { gpioActuatorSchema, gpioSensorSchema } from '../../../src/device/config/schema.js';
import type { DriverContext, OnoffGpio, OnoffGpioConstructor } from '../../../src/device/driver.js';
import { DriverError, HardwareMissingError } from '../../../src/device/driver.js';
import { openGpioActuator, openGpioSensor } from '../../../src/device/drivers/gpio.js';
import { fakeDriverContext } from './driver-context.js';

/** An onoff Gpio that only counts how often it is made. */
class CountingGpio implements OnoffGpio {
  static made = 0;
  constructor() {
    CountingGpio.made += 1;
  }
  readSync(): 0 | 1 {
    return 0;
  }
  async read(): Promise<0 | 1> {
    return 0;
  }
  async write(): Promise<void> {}
  watch(): void {}
  unwatchAll(): void {}
  unexport(): void {}
}

const Gpio: OnoffGpioConstructor = CountingGpio;

describe('gpio', () => {
  let dir: string;
  let log: string[];

  beforeEach(async () => {
    CountingGpio.made = 0;
    log = [];
    dir = await mkdtemp(join(tmpdir(), 'switchyard-gpio-'));
    for (const sub of ['sys', 'dev', 'bin', 'empty']) await mkdir(join(dir, sub));
    await writeFile(join(dir, 'dev', 'gpiochip0'), '');
    // libgpiod tools that only tell their version: these tests never start them.
    for (const tool of ['gpioset', 'gpiomon', 'gpioget']) {
      await writeFile(join(dir, 'bin', tool), `#!/bin/sh\necho "${tool} (libgpiod) v2.1"\n`);
      await chmod(join(dir, 'bin', tool), 0o755);
    }
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Gives the fake sysfs a class/gpio directory with the Pi 4 header chip. */
  async function withSysfsGpio(): Promise<void> {
    const chip = join(dir, 'sys', 'class', 'gpio', 'gpiochip512');
    await mkdir(chip, { recursive: true });
    await writeFile(join(chip, 'label'), 'pinctrl-bcm2711\n');
    await writeFile(join(chip, 'base'), '512\n');
    await writeFile(join(chip, 'ngpio'), '58\n');
  }

  function context(options: { onoff: boolean; tools: boolean }): DriverContext {
    return fakeDriverContext({
      sysfs: join(dir, 'sys'),
      dev: join(dir, 'dev'),
      env: { PATH: join(dir, options.tools ? 'bin' : 'empty') },
      logger: createLogger({ level: 'info', write: (line) => log.push(line) }),
      ...(options.onoff ? { loadOnoff: async () => Gpio } : {}),
    });
  }

  const actuator = (backend = 'auto') => gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17, backend });
  const sensor = (backend = 'auto') => gpioSensorSchema.parse({ name: 'door', driver: 'gpio', pin: 22, edge: 'both', backend });

  it('picks onoff when sysfs GPIO exists and onoff loads, and logs it', async () => {
    await withSysfsGpio();
    const driver = await openGpioSensor(sensor(), context({ onoff: true, tools: true }));
    expect(CountingGpio.made).toBe(1);
    expect(driver.mode).toBe('push');
    expect(log).toEqual(['info gpio backend backend=onoff pin=22']);
    await driver.close();
  });

  it('picks the libgpiod tools when onoff cannot load', async () => {
    await withSysfsGpio();
    const driver = await openGpioActuator(actuator(), context({ onoff: false, tools: true }));
    expect(driver.kind).toBe('switch');
    expect(log).toEqual(['info gpio backend backend=gpiod pin=17']);
    await driver.close();
  });

  it('picks the libgpiod tools when the kernel has no sysfs GPIO', async () => {
    const driver = await openGpioSensor(sensor(), context({ onoff: true, tools: true }));
    expect(CountingGpio.made).toBe(0);
    expect(driver.mode).toBe('push');
    expect(log).toEqual(['info gpio backend backend=gpiod pin=22']);
    await driver.close();
  });

  it('throws HardwareMissingError naming the sysfs path when neither backend is there', async () => {
    const error = await openGpioActuator(actuator(), context({ onoff: true, tools: false })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as Error).message).toContain(join(dir, 'sys', 'class', 'gpio'));
    expect((error as Error).message).toContain('gpioset');
    expect((error as HardwareMissingError).path).toBe(join(dir, 'sys', 'class', 'gpio'));
  });

  it('holds to an explicit backend', async () => {
    await expect(openGpioActuator(actuator('onoff'), context({ onoff: true, tools: true }))).rejects.toThrow(HardwareMissingError);
    await withSysfsGpio();
    await expect(openGpioActuator(actuator('onoff'), context({ onoff: false, tools: true }))).rejects.toThrow(DriverError);
    await expect(openGpioActuator(actuator('gpiod'), context({ onoff: true, tools: false }))).rejects.toThrow(/gpioset .*not on PATH/);
    const driver = await openGpioActuator(actuator('gpiod'), context({ onoff: true, tools: true }));
    expect(log.at(-1)).toBe('info gpio backend backend=gpiod pin=17');
    await driver.close();
  });

  it('reports a pin beyond the header chip as missing hardware', async () => {
    await withSysfsGpio();
    const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 60 });
    await expect(openGpioActuator(config, context({ onoff: true, tools: true }))).rejects.toThrow(HardwareMissingError);
  });
});
