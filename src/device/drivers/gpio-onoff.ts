import { join } from 'node:path';
import type { GpioActuatorConfig, GpioSensorConfig } from '../config/schema.js';
import type {
  ActuatorDriver,
  ActuatorValue,
  DriverContext,
  OnoffGpio,
  OnoffGpioConstructor,
  SensorDriver,
  SensorListener,
  SensorValue,
} from '../driver.js';
import { DriverError } from '../driver.js';
import { sysfsGpioNumber } from './gpio-chip.js';
import { readAttribute } from './sysfs.js';
import { asError } from '../../client/errors.js';

/**
 * The gpio backend through onoff (sysfs GPIO, `/sys/class/gpio`). onoff always works on the real
 * /sys, while the chip lookup and the line probe read `ctx.sysfs`; both are /sys in production.
 */

/**
 * An output through onoff, glitch-free across restarts:
 * - A line that is already an exported output (a previous run left it so) is opened with
 *   `'out'` and `reconfigureDirection: false`: onoff then leaves the direction, and so the level,
 *   alone (writing `out` to `direction` would drive it low). read() reports that level.
 * - Any other line is not touched at open: read() is undefined, and the first write() exports it
 *   with `'high'`/`'low'`, which sets direction and level in one step.
 * close() does not unexport: on a Pi, freeing a line can return it to an input, which would
 *   drop the level the runtime chose to keep. The line stays exported for the next start.
 */
class OnoffActuator implements ActuatorDriver {
  readonly kind = 'switch' as const;
  readonly #Gpio: OnoffGpioConstructor;
  readonly #number: number;
  readonly #activeLow: boolean;
  #gpio: OnoffGpio | undefined;
  #closed = false;

  constructor(Gpio: OnoffGpioConstructor, number: number, activeLow: boolean, gpio: OnoffGpio | undefined) {
    this.#Gpio = Gpio;
    this.#number = number;
    this.#activeLow = activeLow;
    this.#gpio = gpio;
  }

  async read(): Promise<ActuatorValue | undefined> {
    if (this.#gpio === undefined) return undefined;
    return this.#gpio.readSync() === 1;
  }

  async write(value: ActuatorValue): Promise<void> {
    if (typeof value !== 'boolean') throw new DriverError(`gpio is a switch: expected true or false, got ${value}`);
    if (this.#closed) throw new DriverError(`GPIO sysfs ${this.#number} is closed`);
    try {
      if (this.#gpio === undefined) {
        // 'high'/'low' are physical levels (the kernel ignores active_low for them).
        const physicalHigh = value !== this.#activeLow;
        this.#gpio = new this.#Gpio(this.#number, physicalHigh ? 'high' : 'low', 'none', {
          activeLow: this.#activeLow,
          reconfigureDirection: false,
        });
      }
      // Also after the export: an output set up by firmware keeps its direction, and its level.
      await this.#gpio.write(value ? 1 : 0);
    } catch (error) {
      throw new DriverError(`cannot write GPIO sysfs ${this.#number}: ${errorMessage(error)}`, {
        path: `/sys/class/gpio/gpio${this.#number}/value`,
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    // onoff has no close that keeps the export; its value fd goes with the process.
    this.#closed = true;
    this.#gpio = undefined;
  }
}

/** `${sysfs}/class/gpio/gpioN/direction`, or undefined when the line is not exported. */
function exportedDirection(sysfs: string, number: number): Promise<string | undefined> {
  return readAttribute(join(sysfs, 'class', 'gpio', `gpio${number}`, 'direction')).catch(() => undefined);
}

export async function openOnoffActuator(
  config: GpioActuatorConfig,
  ctx: DriverContext,
  Gpio: OnoffGpioConstructor,
): Promise<ActuatorDriver> {
  const { number } = await sysfsGpioNumber(ctx.sysfs, config.pin, config.chip);
  let gpio: OnoffGpio | undefined;
  if ((await exportedDirection(ctx.sysfs, number)) === 'out') {
    gpio = construct(() => new Gpio(number, 'out', 'none', { activeLow: config.active_low, reconfigureDirection: false }), number);
  }
  return new OnoffActuator(Gpio, number, config.active_low, gpio);
}

/**
 * An input through onoff. With `edge`, values come from `watch()` (epoll on the value file:
 * interrupts, never polling), debounced by onoff's `debounceTimeout`; without it the runtime
 * polls read(). The line is unexported at close (an input has no level to keep).
 */
class OnoffSensor implements SensorDriver {
  readonly mode: 'poll' | 'push';
  readonly #gpio: OnoffGpio;
  readonly #number: number;
  #closed = false;

  constructor(gpio: OnoffGpio, number: number, mode: 'poll' | 'push') {
    this.#gpio = gpio;
    this.#number = number;
    this.mode = mode;
  }

  async read(): Promise<SensorValue> {
    try {
      return (await this.#gpio.read()) === 1;
    } catch (error) {
      throw new DriverError(`cannot read GPIO sysfs ${this.#number}: ${errorMessage(error)}`, {
        path: `/sys/class/gpio/gpio${this.#number}/value`,
        cause: error,
      });
    }
  }

  start(listener: SensorListener): void {
    if (this.mode !== 'push') return;
    const number = this.#number;
    this.#gpio.watch(function onEdge(error, value) {
      if (error) listener.error(new DriverError(`GPIO sysfs ${number}: ${errorMessage(error)}`, { cause: error }));
      else listener.value(value === 1);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gpio.unwatchAll();
    this.#gpio.unexport();
  }
}

export async function openOnoffSensor(config: GpioSensorConfig, ctx: DriverContext, Gpio: OnoffGpioConstructor): Promise<SensorDriver> {
  const { number } = await sysfsGpioNumber(ctx.sysfs, config.pin, config.chip);
  if (config.pull !== undefined) {
    ctx.logger.warn('gpio pull is not supported by the onoff backend; set it in config.txt or use backend: gpiod', {
      pin: config.pin,
      pull: config.pull,
    });
  }
  const options = {
    activeLow: config.active_low,
    ...(config.debounce !== undefined && config.edge !== undefined ? { debounceTimeout: config.debounce } : {}),
  };
  const gpio = construct(() => new Gpio(number, 'in', config.edge ?? 'none', options), number);
  return new OnoffSensor(gpio, number, config.edge !== undefined ? 'push' : 'poll');
}

/** onoff's constructor throws plain errors (EACCES, EBUSY on export): made DriverErrors. */
function construct(make: () => OnoffGpio, number: number): OnoffGpio {
  try {
    return make();
  } catch (error) {
    throw new DriverError(`cannot open GPIO sysfs ${number}: ${errorMessage(error)}`, { path: `/sys/class/gpio/gpio${number}`, cause: error });
  }
}

function errorMessage(error: unknown): string {
  return asError(error).message;
}
