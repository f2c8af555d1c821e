import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpioActuatorConfig, GpioSensorConfig } from '../config/schema.js';
import type { ActuatorDriver, DriverContext, OnoffGpioConstructor, SensorDriver } from '../driver.js';
import { DriverError, HardwareMissingError } from '../driver.js';
import { findTool, openGpiodActuator, openGpiodSensor } from './gpio-gpiod.js';
import { openOnoffActuator, openOnoffSensor } from './gpio-onoff.js';
import { asError } from '../../client/errors.js';

/**
 * The `gpio` driver: a digital output (a switch) or input on a BCM pin, through one of two
 * backends. onoff uses sysfs GPIO, which Raspberry Pi kernels still have and which keeps an
 * exported output's level across restarts; the libgpiod tools work on kernels without it.
 * `backend: auto` prefers onoff when `/sys/class/gpio` exists and onoff loads, else the libgpiod
 * tools when gpioset is on PATH. The chip and pin numbering are in gpio-chip.ts.
 *
 * Start without glitches is split with the runtime: open never changes the line's level, read()
 * reports the level where the backend can tell, and the runtime writes `initial` only when it
 * differs.
 */

type Backend = { readonly name: 'onoff'; readonly Gpio: OnoffGpioConstructor } | { readonly name: 'gpiod' };

type GpioConfig = GpioActuatorConfig | GpioSensorConfig;

export async function openGpioActuator(config: GpioActuatorConfig, ctx: DriverContext): Promise<ActuatorDriver> {
  const backend = await chooseBackend(config, ctx);
  return backend.name === 'onoff' ? openOnoffActuator(config, ctx, backend.Gpio) : openGpiodActuator(config, ctx);
}

/** Push mode (interrupts) with `edge`, else polled by the runtime every `interval`. */
export async function openGpioSensor(config: GpioSensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  const backend = await chooseBackend(config, ctx);
  return backend.name === 'onoff' ? openOnoffSensor(config, ctx, backend.Gpio) : openGpiodSensor(config, ctx);
}

async function chooseBackend(config: GpioConfig, ctx: DriverContext): Promise<Backend> {
  const backend = await resolveBackend(config, ctx);
  ctx.logger.info('gpio backend', { backend: backend.name, pin: config.pin });
  return backend;
}

async function resolveBackend(config: GpioConfig, ctx: DriverContext): Promise<Backend> {
  const sysfsGpio = join(ctx.sysfs, 'class', 'gpio');
  switch (config.backend) {
    case 'onoff':
      if (!(await isDirectory(sysfsGpio))) {
        throw new HardwareMissingError(`${sysfsGpio} is missing: this kernel has no sysfs GPIO (try backend: gpiod)`, sysfsGpio);
      }
      return { name: 'onoff', Gpio: await loadOnoff(ctx) };
    case 'gpiod':
      return { name: 'gpiod' }; // the gpiod backend checks its tools when it opens
    case 'auto':
      return autoBackend(config, ctx, sysfsGpio);
  }
}

/** onoff on sysfs GPIO when both are there, else the libgpiod tools; neither is a missing-hardware error. */
async function autoBackend(config: GpioConfig, ctx: DriverContext, sysfsGpio: string): Promise<Backend> {
  let onoffProblem: string;
  if (await isDirectory(sysfsGpio)) {
    try {
      return { name: 'onoff', Gpio: await ctx.loadOnoff() };
    } catch (error) {
      onoffProblem = `onoff cannot load (${asError(error).message})`;
      ctx.logger.debug('gpio: onoff unavailable, trying the libgpiod tools', { pin: config.pin, error: onoffProblem });
    }
  } else {
    onoffProblem = `${sysfsGpio} is missing`;
  }
  if ((await findTool(ctx.env, 'gpioset')) !== undefined) return { name: 'gpiod' };
  throw new HardwareMissingError(
    `no GPIO backend for GPIO${config.pin}: ${onoffProblem}, and gpioset is not on PATH (install the libgpiod tools: apt install gpiod)`,
    sysfsGpio,
  );
}

async function loadOnoff(ctx: DriverContext): Promise<OnoffGpioConstructor> {
  try {
    return await ctx.loadOnoff();
  } catch (error) {
    const reason = asError(error).message;
    throw new DriverError(`the onoff module cannot load (${reason}); install it or use backend: gpiod`, { path: 'onoff', cause: error });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
