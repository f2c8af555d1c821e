import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HardwareMissingError } from '../../../src/device/driver.js';
import { findCharDevChip, findSysfsChip, sysfsGpioNumber } from '../../../src/device/drivers/gpio-chip.js';

interface FakeChip {
  label: string;
  base: number;
  ngpio: number;
  /** Character device name the `device` link points at. */
  device?: string;
}

/** Adds `/sys/class/gpio/<name>` with base, label, ngpio (and the `device` link) to a fake tree. */
async function addChip(sysfs: string, name: string, chip: FakeChip): Promise<void> {
  const dir = join(sysfs, 'class', 'gpio', name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'label'), `${chip.label}\n`);
  await writeFile(join(dir, 'base'), `${chip.base}\n`);
  await writeFile(join(dir, 'ngpio'), `${chip.ngpio}\n`);
  if (chip.device !== undefined) {
    const deviceDir = join(sysfs, 'devices', 'platform', 'soc', chip.device);
    await mkdir(deviceDir, { recursive: true });
    await symlink(deviceDir, join(dir, 'device'));
  }
}

describe('gpio-chip', () => {
  let sysfs: string;
  let dev: string;

  beforeEach(async () => {
    sysfs = await mkdtemp(join(tmpdir(), 'switchyard-gpio-chip-'));
    dev = join(sysfs, 'dev');
    await mkdir(join(sysfs, 'class', 'gpio'), { recursive: true });
    await mkdir(dev);
    await writeFile(join(sysfs, 'class', 'gpio', 'export'), '');
  });

  afterEach(async () => {
    await rm(sysfs, { recursive: true, force: true });
  });

  it('offsets the pin by the base of the Pi 4 header chip on a 6.6+ kernel', async () => {
    await addChip(sysfs, 'gpiochip512', { label: 'pinctrl-bcm2711', base: 512, ngpio: 58, device: 'gpiochip0' });
    await addChip(sysfs, 'gpiochip570', { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8, device: 'gpiochip1' });
    const line = await sysfsGpioNumber(sysfs, 17);
    expect(line.number).toBe(529);
    expect(line.chip).toMatchObject({ name: 'gpiochip512', label: 'pinctrl-bcm2711', device: 'gpiochip0' });
  });

  it('finds the Pi 5 header chip by its rp1 label', async () => {
    await addChip(sysfs, 'gpiochip512', { label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 });
    await addChip(sysfs, 'gpiochip571', { label: 'pinctrl-rp1', base: 571, ngpio: 54 });
    expect((await sysfsGpioNumber(sysfs, 17)).number).toBe(588);
  });

  it('uses whatever base the kernel reports, including 0 on old kernels', async () => {
    await addChip(sysfs, 'gpiochip0', { label: 'pinctrl-bcm2835', base: 0, ngpio: 54 });
    expect((await sysfsGpioNumber(sysfs, 4)).number).toBe(4);
    await rm(join(sysfs, 'class', 'gpio', 'gpiochip0'), { recursive: true });
    await addChip(sysfs, 'gpiochip522', { label: 'pinctrl-bcm2835', base: 522, ngpio: 54 });
    expect((await sysfsGpioNumber(sysfs, 4)).number).toBe(526);
  });

  it('takes the chip a config names by label, sysfs name or character device name', async () => {
    await addChip(sysfs, 'gpiochip512', { label: 'pinctrl-bcm2711', base: 512, ngpio: 58, device: 'gpiochip0' });
    await addChip(sysfs, 'gpiochip570', { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8, device: 'gpiochip1' });
    expect((await sysfsGpioNumber(sysfs, 2, 'raspberrypi-exp-gpio')).number).toBe(572);
    expect((await sysfsGpioNumber(sysfs, 2, 'gpiochip570')).number).toBe(572);
    expect((await sysfsGpioNumber(sysfs, 2, 'gpiochip1')).number).toBe(572);
  });

  it('rejects a pin beyond the chip’s line count, naming the chip', async () => {
    await addChip(sysfs, 'gpiochip512', { label: 'pinctrl-bcm2711', base: 512, ngpio: 58 });
    const error = await sysfsGpioNumber(sysfs, 60).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as HardwareMissingError).message).toContain('58 lines');
    expect((error as HardwareMissingError).path).toBe(join(sysfs, 'class', 'gpio', 'gpiochip512'));
  });

  it('throws HardwareMissingError with the path when no chip is there', async () => {
    const error = await findSysfsChip(sysfs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HardwareMissingError);
    expect((error as Error).message).toContain(join(sysfs, 'class', 'gpio'));
    expect((error as HardwareMissingError).path).toBe(join(sysfs, 'class', 'gpio'));
  });

  it('does not take a chip of another label for the header chip', async () => {
    await addChip(sysfs, 'gpiochip570', { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 });
    await expect(findSysfsChip(sysfs)).rejects.toThrow(/raspberrypi-exp-gpio/);
    await expect(findSysfsChip(sysfs, 'pinctrl-bcm2711')).rejects.toBeInstanceOf(HardwareMissingError);
  });

  describe('character device', () => {
    it('follows the sysfs chip’s device link from the header label', async () => {
      await addChip(sysfs, 'gpiochip504', { label: 'raspberrypi-exp-gpio', base: 504, ngpio: 8, device: 'gpiochip1' });
      await addChip(sysfs, 'gpiochip512', { label: 'pinctrl-bcm2711', base: 512, ngpio: 58, device: 'gpiochip0' });
      await writeFile(join(dev, 'gpiochip0'), '');
      await writeFile(join(dev, 'gpiochip1'), '');
      expect(await findCharDevChip({ sysfs, dev })).toEqual({ name: 'gpiochip0', path: join(dev, 'gpiochip0'), ngpio: 58 });
      expect((await findCharDevChip({ sysfs, dev }, 'raspberrypi-exp-gpio')).name).toBe('gpiochip1');
    });

    it('reads labels under bus/gpio/devices when sysfs GPIO is absent', async () => {
      await rm(join(sysfs, 'class'), { recursive: true });
      for (const [name, label] of [['gpiochip0', 'gpio-brcmstb@107d508500'], ['gpiochip4', 'pinctrl-rp1']] as const) {
        await mkdir(join(sysfs, 'bus', 'gpio', 'devices', name), { recursive: true });
        await writeFile(join(sysfs, 'bus', 'gpio', 'devices', name, 'label'), `${label}\n`);
        await writeFile(join(dev, name), '');
      }
      expect(await findCharDevChip({ sysfs, dev })).toEqual({ name: 'gpiochip4', path: join(dev, 'gpiochip4'), ngpio: undefined });
    });

    it('takes a gpiochipN name as it is and falls back to gpiochip0 without labels', async () => {
      await writeFile(join(dev, 'gpiochip0'), '');
      await writeFile(join(dev, 'gpiochip2'), '');
      expect((await findCharDevChip({ sysfs, dev }, 'gpiochip2')).name).toBe('gpiochip2');
      expect((await findCharDevChip({ sysfs, dev })).name).toBe('gpiochip0');
    });

    it('throws HardwareMissingError for a missing device node or an unknown label', async () => {
      await expect(findCharDevChip({ sysfs, dev })).rejects.toThrow(join(dev, 'gpiochip0'));
      await expect(findCharDevChip({ sysfs, dev }, 'no-such-label')).rejects.toBeInstanceOf(HardwareMissingError);
    });
  });
});
