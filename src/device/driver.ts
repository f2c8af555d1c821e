import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';

/**
 * The contract between the device runtime and its hardware drivers (one file per hardware kind
 * under drivers/). A driver only moves values between the hardware and the runtime, in units:
 * deadband, throttle, averaging, state events and the safe state are the runtime's business.
 * Every path a driver touches starts at `ctx.sysfs` (or `ctx.dev`), every child process runs
 * with `ctx.env`, and native modules come through `ctx` loaders, so tests run on fake trees.
 */

export type ActuatorKind = 'switch' | 'dimmer';
/** A switch's state is a boolean (after active_low); a dimmer's a number 0..1. */
export type ActuatorValue = boolean | number;

export interface ActuatorDriver {
  readonly kind: ActuatorKind;
  /**
   * The level the output is at now, in the actuator's terms, or undefined when the hardware
   * cannot tell (a line nobody has driven yet). Used at start so a restart never glitches it.
   */
  read(): Promise<ActuatorValue | undefined>;
  /** Drives the output; rejects with a DriverError when the hardware refuses. */
  write(value: ActuatorValue): Promise<void>;
  /** Releases the hardware without changing the level (the runtime writes the safe state first). */
  close(): Promise<void>;
}

/** A digital input reads as a boolean; everything else as a number in its unit. */
export type SensorValue = number | boolean;

export interface SensorListener {
  /** A new value; `ts` (ms since epoch) when the driver knows the sampling time better than now. */
  value(value: SensorValue, ts?: number): void;
  /** A failed read or a lost source; the driver keeps trying on its own where it can. */
  error(error: Error): void;
}

export interface SensorDriver {
  /** The unit the driver's values are in (°C, %RH), when it knows it; the config's `unit` wins. */
  readonly unit?: string;
  /**
   * How values arrive. `poll`: the runtime calls read() every interval. `push`: the driver
   * calls the listener given to start() (edge-triggered inputs, serial lines), never polling.
   */
  readonly mode: 'poll' | 'push';
  /** One reading now (poll mode; push drivers may offer it for the first value). */
  read?(): Promise<SensorValue>;
  /** Push mode: starts delivering to `listener`. */
  start?(listener: SensorListener): void;
  close(): Promise<void>;
}

/** The onoff module's `Gpio` class, as far as the gpio driver uses it (injected for tests). */
export interface OnoffGpio {
  readSync(): 0 | 1;
  read(): Promise<0 | 1>;
  write(value: 0 | 1): Promise<void>;
  watch(callback: (error: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

export type OnoffGpioConstructor = new (
  gpio: number,
  direction: 'in' | 'out' | 'high' | 'low',
  edge?: 'none' | 'rising' | 'falling' | 'both',
  options?: { debounceTimeout?: number; activeLow?: boolean; reconfigureDirection?: boolean },
) => OnoffGpio;

/** What drivers get from the runtime. */
export interface DriverContext {
  /** Root of sysfs (`/sys`; a temporary tree in tests). */
  readonly sysfs: string;
  /** Root of device nodes (`/dev`; a temporary tree in tests). */
  readonly dev: string;
  /** Environment of child processes: PATH finds gpioset/gpiomon (fake ones in tests). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Loads onoff's Gpio class; rejects when onoff is not installed or cannot load. */
  loadOnoff(): Promise<OnoffGpioConstructor>;
  /** The serialport binding (the real one, or @serialport/binding-mock's MockBinding in tests). */
  loadSerialBinding(): Promise<unknown>;
}

/** Hardware that is missing or refuses: `path` names the file, chip or port involved. */
export class DriverError extends Error {
  readonly code: string;
  readonly path: string | undefined;

  constructor(message: string, options: { code?: string; path?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'DriverError';
    this.code = options.code ?? 'SWITCHYARD_DRIVER';
    this.path = options.path;
  }
}

/** The hardware a config names is not there (no such pin, path or chip). */
export class HardwareMissingError extends DriverError {
  constructor(message: string, path: string, cause?: unknown) {
    super(message, { code: 'SWITCHYARD_HARDWARE_MISSING', path, cause });
    this.name = 'HardwareMissingError';
  }
}
