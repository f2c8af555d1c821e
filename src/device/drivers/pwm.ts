import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { PwmActuatorConfig } from '../config/schema.js';
import { type ActuatorDriver, type ActuatorValue, type DriverContext, DriverError, HardwareMissingError } from '../driver.js';
import { isWritable, pathExists, readNumber, requirePath, writeAttribute } from './sysfs.js';

/**
 * A dimmer on a sysfs PWM channel (`/sys/class/pwm/pwmchipN/pwmM`, e.g. the Raspberry Pi's
 * hardware PWM with dtoverlay=pwm). The value 0..1 is the share of the period the output is
 * high: duty_cycle = round(value × period), both in nanoseconds.
 *
 * Every attribute is written only when it differs from what the kernel reports, so a restart
 * that finds the output already where it should be does not touch it (no glitch).
 */

/** How often and how many times to look for the channel after export: up to 1 s in all. */
const EXPORT_POLL_MS = 20;
const EXPORT_POLL_ATTEMPTS = 50;
const NS_PER_MS = 1_000_000;

interface PwmState {
  readonly period: number;
  readonly duty: number;
}

export async function openPwmActuator(config: PwmActuatorConfig, ctx: DriverContext): Promise<ActuatorDriver> {
  const chipDir = join(ctx.sysfs, 'class', 'pwm', `pwmchip${config.chip}`);
  await requirePath(chipDir, `PWM chip ${config.chip}`, 'is dtoverlay=pwm set in /boot/firmware/config.txt?');
  const channelDir = join(chipDir, `pwm${config.channel}`);
  if (!(await pathExists(channelDir))) {
    await requireChannel(chipDir, config.channel, channelDir);
    await writeAttribute(join(chipDir, 'export'), config.channel);
    await waitForChannel(channelDir, ctx.clock);
  }
  const actuator = new PwmActuator(channelDir, Math.round(config.period * NS_PER_MS));
  await actuator.adoptPeriod();
  return actuator;
}

/** A channel number the chip does not have (npwm) would make export fail with a bare EINVAL. */
async function requireChannel(chipDir: string, channel: number, channelDir: string): Promise<void> {
  const npwmPath = join(chipDir, 'npwm');
  if (!(await pathExists(npwmPath))) return;
  const npwm = await readNumber(npwmPath);
  if (channel >= npwm) {
    throw new HardwareMissingError(`PWM channel ${channel} not found: ${chipDir} has ${npwm} channel(s), no ${channelDir}`, channelDir);
  }
}

/**
 * The kernel creates pwmM/ during the write to export, but udev gives its attributes to the gpio
 * group a moment later: until then a non-root user cannot write them. Waits until `period` is
 * writable, for at most EXPORT_POLL_ATTEMPTS × EXPORT_POLL_MS.
 */
async function waitForChannel(channelDir: string, clock: Clock): Promise<void> {
  const periodPath = join(channelDir, 'period');
  for (let attempt = 0; attempt < EXPORT_POLL_ATTEMPTS; attempt++) {
    if (await isWritable(periodPath)) return;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, EXPORT_POLL_MS));
  }
  const waited = `${(EXPORT_POLL_ATTEMPTS * EXPORT_POLL_MS) / 1000} s`;
  if (await pathExists(periodPath)) {
    throw new DriverError(`${periodPath} is not writable ${waited} after export (is the user in the gpio group?)`, { path: periodPath });
  }
  throw new HardwareMissingError(`PWM channel did not appear ${waited} after export: ${channelDir} does not exist`, channelDir);
}

/** The dimmer level of an actuator value: a number 0..1 as is, true/false as full/off. */
function toLevel(value: ActuatorValue, path: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new DriverError(`PWM value must be between 0 and 1, got ${value}`, { path });
  }
  return value;
}

class PwmActuator implements ActuatorDriver {
  readonly kind = 'dimmer';
  readonly #dir: string;
  /** The configured period in nanoseconds. */
  readonly #period: number;
  #closed = false;

  constructor(dir: string, period: number) {
    this.#dir = dir;
    this.#period = period;
  }

  async read(): Promise<ActuatorValue | undefined> {
    const { period, duty } = await this.#state();
    if (period === 0) return undefined; // never configured: the output level is unknown
    if ((await readNumber(this.#path('enable'))) === 0) return 0;
    return duty / period;
  }

  async write(value: ActuatorValue): Promise<void> {
    if (this.#closed) throw new DriverError(`PWM channel ${this.#dir} is closed`, { path: this.#dir });
    const level = toLevel(value, this.#dir);
    await this.#apply(Math.round(level * this.#period));
    const enable = this.#path('enable');
    if ((await readNumber(enable)) !== 1) await writeAttribute(enable, 1);
  }

  /**
   * Releases the channel without unexporting it: unexport disables the output on most PWM
   * drivers, a glitch the safe state (written by the runtime before close) must not suffer, and
   * the next start finds the channel exported and keeps its level.
   */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /**
   * At open: sets the configured period without changing the output level. A never-configured
   * channel (period 0) just gets the period; one running with another period keeps its share
   * (duty scaled to the new period), so what read() reports is unchanged. enable is untouched.
   */
  async adoptPeriod(): Promise<void> {
    const { period, duty } = await this.#state();
    if (period === this.#period) return;
    await this.#apply(period === 0 ? 0 : Math.round((duty / period) * this.#period), { period, duty });
  }

  /**
   * Sets period (the configured one) and duty_cycle, each only when it differs. The kernel
   * refuses a period below the current duty_cycle (EINVAL), and a duty_cycle above the current
   * period: when the new period is below the current duty, duty_cycle goes first, else period.
   */
  async #apply(duty: number, current?: PwmState): Promise<void> {
    const { period: oldPeriod, duty: oldDuty } = current ?? (await this.#state());
    const periodPath = this.#path('period');
    const dutyPath = this.#path('duty_cycle');
    if (oldPeriod !== this.#period && oldDuty > this.#period) {
      await writeAttribute(dutyPath, duty);
      await writeAttribute(periodPath, this.#period);
      return;
    }
    if (oldPeriod !== this.#period) await writeAttribute(periodPath, this.#period);
    if (oldDuty !== duty) await writeAttribute(dutyPath, duty);
  }

  async #state(): Promise<PwmState> {
    return { period: await readNumber(this.#path('period')), duty: await readNumber(this.#path('duty_cycle')) };
  }

  #path(attribute: string): string {
    return join(this.#dir, attribute);
  }
}
