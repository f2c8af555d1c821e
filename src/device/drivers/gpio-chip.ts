import { access, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DriverContext } from '../driver.js';
import { HardwareMissingError } from '../driver.js';
import { readAttribute } from './sysfs.js';

/**
 * Which GPIO chip a BCM pin number lives on, for both backends.
 *
 * sysfs (onoff): since kernel 6.6 the global sysfs GPIO numbers no longer start at 0 (gpiochip0
 * has base 512 on a Pi 4, 571 and up on a Pi 5, other values are reported), so the number is
 * always base + BCM pin, with the base read at run time from
 * `/sys/class/gpio/gpiochipB/{base,label,ngpio}`. Nothing here assumes a base.
 *
 * Character device (libgpiod tools): lines are chip + offset, the offset being the BCM pin. The
 * chip is `/dev/gpiochipN`, and N is not the sysfs base.
 */

/** Labels of the chip that drives the 40-pin header, newest model first. */
const HEADER_CHIP_LABELS: readonly string[] = [
  'pinctrl-rp1', // Pi 5
  'pinctrl-bcm2711', // Pi 4, Pi 400, CM4
  'pinctrl-bcm2835', // Pi 1–3, Zero
];

/** A character device name (`gpiochip0`); sysfs chip directories (`gpiochip512`) have the same shape. */
const CHAR_DEV_NAME = /^gpiochip\d+$/;

/** One entry of `/sys/class/gpio/gpiochip*`. */
export interface SysfsGpioChip {
  /** Directory name under class/gpio (`gpiochip512`). */
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
  /** The character device's name (`gpiochip0`), from the `device` link, when the kernel has it. */
  readonly device: string | undefined;
}

/** The chips sysfs lists; none when the directory is missing (a kernel without sysfs GPIO). */
async function listSysfsChips(sysfs: string): Promise<SysfsGpioChip[]> {
  const dir = join(sysfs, 'class', 'gpio');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => CHAR_DEV_NAME.test(name)).sort();
  const chips: SysfsGpioChip[] = [];
  for (const name of names) {
    const chip = await readSysfsChip(join(dir, name), name);
    if (chip !== undefined) chips.push(chip);
  }
  return chips;
}

async function readSysfsChip(path: string, name: string): Promise<SysfsGpioChip | undefined> {
  try {
    const [label, base, ngpio] = await Promise.all(['label', 'base', 'ngpio'].map((file) => readAttribute(join(path, file))));
    const device = await readlink(join(path, 'device')).then(basename, () => undefined);
    if (!/^\d+$/.test(base!) || !/^\d+$/.test(ngpio!)) return undefined;
    return {
      name,
      label: label!,
      base: Number(base),
      ngpio: Number(ngpio),
      device: device !== undefined && CHAR_DEV_NAME.test(device) ? device : undefined,
    };
  } catch {
    return undefined; // a chip being removed, or a half-written fake tree: not a candidate
  }
}

/** Does `chip` (config `chip`: a label, a sysfs name or a character device name) name this chip? */
function matches(entry: SysfsGpioChip, chip: string): boolean {
  return entry.label === chip || entry.name === chip || entry.device === chip;
}

/**
 * The chip a pin is on: the one `chip` names, else the Raspberry Pi header chip by label.
 * Throws HardwareMissingError naming the sysfs directory when there is none.
 */
export async function findSysfsChip(sysfs: string, chip?: string): Promise<SysfsGpioChip> {
  const dir = join(sysfs, 'class', 'gpio');
  const chips = await listSysfsChips(sysfs);
  const found =
    chip !== undefined
      ? chips.find((entry) => matches(entry, chip))
      : HEADER_CHIP_LABELS.map((label) => chips.find((entry) => entry.label === label)).find((entry) => entry !== undefined);
  if (found !== undefined) return found;
  const seen = chips.length === 0 ? 'no gpiochip entries' : `chips there: ${chips.map((c) => `${c.name} (${c.label})`).join(', ')}`;
  const wanted = chip ?? HEADER_CHIP_LABELS.join(' or ');
  throw new HardwareMissingError(`no GPIO chip ${wanted} in ${dir}: ${seen}`, dir);
}

/** A pin's number in the sysfs GPIO interface (`/sys/class/gpio/gpioN`). */
export interface SysfsLine {
  readonly number: number;
  readonly chip: SysfsGpioChip;
}

/** base + BCM pin, after checking the chip has that many lines. */
export async function sysfsGpioNumber(sysfs: string, pin: number, chip?: string): Promise<SysfsLine> {
  const found = await findSysfsChip(sysfs, chip);
  if (pin >= found.ngpio) {
    const path = join(sysfs, 'class', 'gpio', found.name);
    throw new HardwareMissingError(`GPIO${pin} is beyond ${found.label}, which has ${found.ngpio} lines (${path})`, path);
  }
  return { number: found.base + pin, chip: found };
}

/** A GPIO character device, for the libgpiod tools. */
export interface CharDevChip {
  /** `gpiochipN`: both libgpiod v1 and v2 tools resolve it under /dev. */
  readonly name: string;
  /** `${ctx.dev}/gpiochipN`, checked to exist. */
  readonly path: string;
  /** Line count, when sysfs told it. */
  readonly ngpio: number | undefined;
}

/**
 * The `/dev/gpiochipN` a config means. In order:
 *   1. `chip` is already a character device name (`gpiochip0`): used as it is.
 *   2. A label (`chip`, else the header labels) in `/sys/bus/gpio/devices/gpiochipN/label`, where
 *      kernels provide it, then in `/sys/class/gpio/gpiochipB/label`, whose `device` link names
 *      gpiochipN (kernels with sysfs GPIO).
 *   3. Without `chip`: `gpiochip0`, which is the header chip on every current Raspberry Pi kernel
 *      (the Pi 5's rp1 moved there in 6.6; gpiochip4 remains a udev alias).
 * A label that is given but found nowhere, or a device node that is missing, throws
 * HardwareMissingError.
 */
export async function findCharDevChip(ctx: Pick<DriverContext, 'sysfs' | 'dev'>, chip?: string): Promise<CharDevChip> {
  const byLabel = chip !== undefined && CHAR_DEV_NAME.test(chip) ? undefined : await findCharDevByLabel(ctx.sysfs, chip);
  let name: string;
  if (byLabel !== undefined) name = byLabel.name;
  else if (chip === undefined || CHAR_DEV_NAME.test(chip)) name = chip ?? 'gpiochip0';
  else {
    const where = join(ctx.sysfs, 'bus', 'gpio', 'devices');
    throw new HardwareMissingError(`no GPIO chip labelled ${chip} in ${where} or ${join(ctx.sysfs, 'class', 'gpio')}`, where);
  }
  const path = join(ctx.dev, name);
  try {
    await access(path);
  } catch (error) {
    throw new HardwareMissingError(`GPIO character device ${path} is missing`, path, error);
  }
  return { name, path, ngpio: byLabel?.ngpio };
}

async function findCharDevByLabel(sysfs: string, chip: string | undefined): Promise<{ name: string; ngpio: number | undefined } | undefined> {
  const labels = chip !== undefined ? [chip] : HEADER_CHIP_LABELS;
  const busDir = join(sysfs, 'bus', 'gpio', 'devices');
  const busNames = (await readdir(busDir).catch(() => [] as string[])).filter((name) => CHAR_DEV_NAME.test(name)).sort();
  const busLabels = await Promise.all(busNames.map((name) => readAttribute(join(busDir, name, 'label')).catch(() => undefined)));
  const classChips = await listSysfsChips(sysfs);
  for (const label of labels) {
    const onBus = busNames[busLabels.indexOf(label)];
    if (onBus !== undefined) return { name: onBus, ngpio: classChips.find((c) => c.device === onBus)?.ngpio };
    const inClass = classChips.find((c) => c.label === label && c.device !== undefined);
    if (inClass !== undefined) return { name: inClass.device!, ngpio: inClass.ngpio };
  }
  return undefined;
}
