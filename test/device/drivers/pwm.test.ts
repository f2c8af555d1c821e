import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock, TimerHandle } from '../../../src/common/clock.js';
import type { PwmActuatorConfig } from '../../../src/device/config/schema.js';
import { DriverError, HardwareMissingError } from '../../../src/device/driver.js';
import { openPwmActuator } from '../../../src/device/drivers/pwm.js';
import { fakeDriverContext } from './driver-context.js';

/** Every attribute write of the driver, in order, as `name=value` (the files cannot tell the order). */
const writes = vi.hoisted((): string[] => []);

vi.mock('../../../src/device/drivers/sysfs.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/device/drivers/sysfs.js')>();
  return {
    ...actual,
    writeAttribute: async (path: string, value: string | number, options?: Parameters<typeof actual.writeAttribute>[2]) => {
      writes.push(`${path.split('/').pop()}=${String(value)}`);
      return actual.writeAttribute(path, value, options);
    },
  };
});

let root: string;
let chip: string;
let channel: string;

beforeEach(async () => {
  writes.length = 0;
  root = await mkdtemp(join(tmpdir(), 'switchyard-pwm-'));
  chip = join(root, 'class', 'pwm', 'pwmchip0');
  channel = join(chip, 'pwm0');
  await mkdir(chip, { recursive: true });
  await writeFile(join(chip, 'export'), '');
  await writeFile(join(chip, 'npwm'), '2\n');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function config(overrides: Partial<PwmActuatorConfig> = {}): PwmActuatorConfig {
  return { name: 'fan', driver: 'pwm', chip: 0, channel: 0, period: 1, on_disconnect: 'hold', grace: 30_000, ...overrides };
}

/** What the kernel shows for an exported channel. */
async function exportChannel(state: { period: number; duty: number; enable: 0 | 1 }): Promise<void> {
  await mkdir(channel, { recursive: true });
  await writeFile(join(channel, 'period'), `${state.period}\n`);
  await writeFile(join(channel, 'duty_cycle'), `${state.duty}\n`);
  await writeFile(join(channel, 'enable'), `${state.enable}\n`);
}

async function attribute(name: string): Promise<string> {
  return (await readFile(join(channel, name), 'utf8')).trim();
}

/** Plays the kernel: creates pwm0/ a little after "0" is written to export. */
function fakeKernel(): () => void {
  const timer = setInterval(() => {
    void readFile(join(chip, 'export'), 'utf8').then(async (text) => {
      if (text.trim() === '0') {
        clearInterval(timer);
        await exportChannel({ period: 0, duty: 0, enable: 0 });
      }
    });
  }, 5);
  return () => clearInterval(timer);
}

/** A clock whose timers fire on the next turn of the event loop (bounded waits end at once). */
const instantClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn) => setImmediate(fn) as unknown as TimerHandle,
  clearTimeout: (handle) => clearImmediate(handle as unknown as NodeJS.Immediate),
};

describe('pwm', () => {
  it('exports the channel once, waiting for the kernel to create it', async () => {
    const stop = fakeKernel();
    try {
      const ctx = fakeDriverContext({ sysfs: root });
      const driver = await openPwmActuator(config(), ctx);
      expect(driver.kind).toBe('dimmer');
      expect((await readFile(join(chip, 'export'), 'utf8')).trim()).toBe('0');
      expect(writes).toEqual(['export=0', 'period=1000000']);
      writes.length = 0;
      await openPwmActuator(config(), ctx);
      expect(writes).toEqual([]);
    } finally {
      stop();
    }
  });

  it('configures the period of a fresh channel at open without enabling it', async () => {
    await exportChannel({ period: 0, duty: 0, enable: 0 });
    const driver = await openPwmActuator(config({ period: 20 }), fakeDriverContext({ sysfs: root }));
    expect(await attribute('period')).toBe('20000000');
    expect(await attribute('enable')).toBe('0');
    expect(await driver.read()).toBe(0);
  });

  it('changes nothing at open when the channel already runs with the configured period', async () => {
    await exportChannel({ period: 1_000_000, duty: 250_000, enable: 1 });
    const driver = await openPwmActuator(config(), fakeDriverContext({ sysfs: root }));
    expect(writes).toEqual([]);
    expect(await driver.read()).toBe(0.25);
  });

  it('writes 0.5 with a 1 ms period as duty_cycle 500000 and enables the output', async () => {
    await exportChannel({ period: 1_000_000, duty: 0, enable: 0 });
    const driver = await openPwmActuator(config(), fakeDriverContext({ sysfs: root }));
    await driver.write(0.5);
    expect(await attribute('duty_cycle')).toBe('500000');
    expect(await attribute('enable')).toBe('1');
    expect(await driver.read()).toBe(0.5);
  });

  it('does not touch attributes that already hold the value', async () => {
    await exportChannel({ period: 1_000_000, duty: 500_000, enable: 1 });
    const driver = await openPwmActuator(config(), fakeDriverContext({ sysfs: root }));
    const longAgo = new Date('2000-01-01T00:00:00Z');
    for (const name of ['period', 'duty_cycle', 'enable']) await utimes(join(channel, name), longAgo, longAgo);
    await driver.write(0.5);
    expect(writes).toEqual([]);
    for (const name of ['period', 'duty_cycle', 'enable']) {
      expect((await stat(join(channel, name), { bigint: true })).mtimeNs).toBe(BigInt(longAgo.getTime()) * 1_000_000n);
    }
    await driver.write(0.75);
    expect(writes).toEqual(['duty_cycle=750000']);
  });

  it('writes duty_cycle before period when the new period is below the current duty', async () => {
    await exportChannel({ period: 2_000_000, duty: 1_500_000, enable: 1 });
    const driver = await openPwmActuator(config({ period: 1 }), fakeDriverContext({ sysfs: root }));
    // At open the share is kept (0.75), so the output level does not change.
    expect(writes).toEqual(['duty_cycle=750000', 'period=1000000']);
    expect(await driver.read()).toBe(0.75);
  });

  it('writes period before duty_cycle when raising the period', async () => {
    await exportChannel({ period: 1_000_000, duty: 500_000, enable: 1 });
    const driver = await openPwmActuator(config({ period: 2 }), fakeDriverContext({ sysfs: root }));
    expect(writes).toEqual(['period=2000000', 'duty_cycle=1000000']);
    writes.length = 0;
    await driver.write(0.1);
    expect(writes).toEqual(['duty_cycle=200000']);
  });

  it('reads 0 while disabled and nothing while the period was never set', async () => {
    await exportChannel({ period: 1_000_000, duty: 300_000, enable: 0 });
    const driver = await openPwmActuator(config(), fakeDriverContext({ sysfs: root }));
    expect(await driver.read()).toBe(0);
    await writeFile(join(channel, 'period'), '0\n');
    await writeFile(join(channel, 'duty_cycle'), '0\n');
    expect(await driver.read()).toBeUndefined();
  });

  it('takes true and false as full and off, and rejects values outside 0..1', async () => {
    await exportChannel({ period: 1_000_000, duty: 0, enable: 0 });
    const driver = await openPwmActuator(config(), fakeDriverContext({ sysfs: root }));
    await driver.write(true);
    expect(await attribute('duty_cycle')).toBe('1000000');
    await driver.write(false);
    expect(await attribute('duty_cycle')).toBe('0');
    await expect(driver.write(1.5)).rejects.toBeInstanceOf(DriverError);
    await expect(driver.write(Number.NaN)).rejects.toBeInstanceOf(DriverError);
  });

  it('leaves the channel exported and the output as it is at close', async () => {
    await exportChannel({ period: 1_000_000, duty: 400_000, enable: 1 });
    const driver = await openPwmActuator(config(), fakeDriverContext({ sysfs: root }));
    await driver.close();
    expect(writes).toEqual([]);
    expect(await attribute('enable')).toBe('1');
    await expect(driver.write(0.2)).rejects.toThrow(/closed/);
  });

  it('rejects a missing chip with HardwareMissingError naming its path', async () => {
    const missing = join(root, 'class', 'pwm', 'pwmchip3');
    const error = await openPwmActuator(config({ chip: 3 }), fakeDriverContext({ sysfs: root })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as HardwareMissingError).message).toContain(missing);
    expect((error as HardwareMissingError).path).toBe(missing);
  });

  it('rejects a channel the chip does not have without exporting', async () => {
    const error = await openPwmActuator(config({ channel: 5 }), fakeDriverContext({ sysfs: root })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as HardwareMissingError).message).toContain(join(chip, 'pwm5'));
    expect(writes).toEqual([]);
  });

  it('gives up with HardwareMissingError when the channel does not appear after export', async () => {
    const error = await openPwmActuator(config(), fakeDriverContext({ sysfs: root, clock: instantClock })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as HardwareMissingError).message).toContain(channel);
    expect(writes).toEqual(['export=0']);
  });
});
