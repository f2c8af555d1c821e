import { systemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { DriverContext, OnoffGpioConstructor } from './driver.js';

export interface NodeDriverContextOptions {
  sysfs: string;
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  dev?: string;
  clock?: Clock;
}

/**
 * The DriverContext of a real device: the sysfs root from the config, /dev, the process
 * environment, and the native modules loaded on first use only, so a device without GPIO or
 * serial sensors never loads (or needs) onoff's or serialport's addons.
 */
export function nodeDriverContext(options: NodeDriverContextOptions): DriverContext {
  return {
    sysfs: options.sysfs,
    dev: options.dev ?? '/dev',
    env: options.env ?? process.env,
    logger: options.logger,
    clock: options.clock ?? systemClock,
    loadOnoff: async () => {
      const onoff = (await import('onoff')) as unknown as { Gpio: OnoffGpioConstructor; default?: { Gpio: OnoffGpioConstructor } };
      return onoff.Gpio ?? onoff.default!.Gpio;
    },
    loadSerialBinding: async () => {
      const bindings = await import('@serialport/bindings-cpp');
      return bindings.autoDetect();
    },
  };
}
