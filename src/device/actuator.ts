import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { asError } from '../client/errors.js';
import type { ActuatorConfig } from './config/schema.js';
import type { ActuatorDriver, ActuatorKind, ActuatorValue } from './driver.js';
import { HardwareUnavailableError, InvalidValueError } from './errors.js';

/** Who changed a state: `call` (a WAMP call), `start`, `safe_state` (grace or shutdown). */
export type StateSource = 'call' | 'start' | 'safe_state';

export interface ActuatorState {
  value: ActuatorValue;
  /** When it was set (ms since epoch). */
  ts: number;
  source: StateSource;
}

export type OpenActuator = () => Promise<ActuatorDriver>;

/**
 * One actuator at run time: its driver, its state (the device is the one source of truth), the
 * checks of values that calls bring, and the safe state. Writes to the hardware are serialised
 * so two calls never interleave, and a write that does not change the level is not made (a
 * restart, or a set to the current value, never glitches an output).
 */
export class Actuator {
  readonly name: string;
  readonly kind: ActuatorKind;
  readonly config: ActuatorConfig;
  readonly #open: OpenActuator;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #onChange: (state: ActuatorState) => void;
  #driver: ActuatorDriver | undefined;
  #state: ActuatorState | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** The hardware problem of the last failed open (logged once per streak). */
  #missing: string | undefined;

  constructor(config: ActuatorConfig, kind: ActuatorKind, deps: { open: OpenActuator; clock: Clock; logger: Logger; onChange: (state: ActuatorState) => void }) {
    this.name = config.name;
    this.kind = kind;
    this.config = config;
    this.#open = deps.open;
    this.#clock = deps.clock;
    this.#logger = deps.logger.child({ actuator: config.name });
    this.#onChange = deps.onChange;
  }

  /** The state, or undefined while the hardware was never reached. */
  get state(): ActuatorState | undefined {
    return this.#state;
  }

  /**
   * Opens the hardware and settles the start state: the level read back from the hardware, or
   * `initial` when given and different (only then is the output written). Missing hardware is
   * logged once; the device starts anyway and later calls try again.
   */
  start(): Promise<void> {
    return this.#serial(async () => {
      const driver = await this.#tryOpen();
      if (driver === undefined) return;
      const current = await driver.read().catch(() => undefined);
      const initial = this.config.initial;
      if (initial !== undefined && current !== initial) {
        await driver.write(initial);
        this.#logger.info('initial state written', { value: initial, was: current });
        this.#record(initial, 'start');
      } else {
        this.#record(current ?? initial ?? (this.kind === 'switch' ? false : 0), 'start');
      }
    });
  }

  /** A `set` call: checks the value, drives the output if it differs, returns the new state. */
  set(value: unknown, source: StateSource = 'call'): Promise<ActuatorValue> {
    const checked = this.check(value);
    return this.#serial(() => this.#drive(checked, source));
  }

  /** A `toggle` call (switches only). */
  toggle(): Promise<ActuatorValue> {
    if (this.kind !== 'switch') throw new InvalidValueError(`${this.name} is a dimmer: use set with a number 0..1`);
    return this.#serial(async () => {
      const current = this.#state?.value ?? (await this.#driverOrThrow().then((d) => d.read()));
      return this.#drive(current !== true, 'call');
    });
  }

  /** Writes the safe state (`on_disconnect`), unless it is `hold`; never throws. */
  async applySafeState(reason: string): Promise<void> {
    const target = this.config.on_disconnect;
    if (target === 'hold') return;
    const value = this.kind === 'switch' ? target === 'on' : target === 'on' ? 1 : 0;
    try {
      const before = this.#state?.value;
      await this.#serial(() => this.#drive(value, 'safe_state'));
      if (before !== value) this.#logger.warn('safe state applied', { value, reason });
    } catch (error) {
      this.#logger.error('safe state could not be written', { reason, error: asError(error).message });
    }
  }

  /** Checks a value from a call; throws InvalidValueError with a message for the caller. */
  check(value: unknown): ActuatorValue {
    if (this.kind === 'switch') {
      if (typeof value === 'boolean') return value;
      if (value === 'on' || value === 'off') return value === 'on';
      throw new InvalidValueError(`${this.name} is on/off: expected true or false, got ${describe(value)}`);
    }
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidValueError(`${this.name} is a dimmer: expected a number from 0 to 1, got ${describe(value)}`);
    }
    return value;
  }

  /** Releases the hardware (after the safe state was written). */
  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#driver?.close();
      this.#driver = undefined;
    });
  }

  async #drive(value: ActuatorValue, source: StateSource): Promise<ActuatorValue> {
    const driver = await this.#driverOrThrow();
    if (this.#state?.value !== value) {
      try {
        await driver.write(value);
      } catch (error) {
        throw new HardwareUnavailableError(`${this.name}: ${asError(error).message}`);
      }
      this.#record(value, source);
    }
    return value;
  }

  #record(value: ActuatorValue, source: StateSource): void {
    const state = { value, ts: this.#clock.now(), source };
    this.#state = state;
    this.#onChange(state);
  }

  async #driverOrThrow(): Promise<ActuatorDriver> {
    const driver = await this.#tryOpen();
    if (driver === undefined) throw new HardwareUnavailableError(`${this.name}: ${this.#missing ?? 'hardware unavailable'}`);
    if (this.#state === undefined) {
      const current = await driver.read().catch(() => undefined);
      if (current !== undefined) this.#state = { value: current, ts: this.#clock.now(), source: 'start' };
    }
    return driver;
  }

  async #tryOpen(): Promise<ActuatorDriver | undefined> {
    if (this.#driver !== undefined) return this.#driver;
    try {
      this.#driver = await this.#open();
      if (this.#missing !== undefined) this.#logger.info('hardware found', { driver: this.config.driver });
      this.#missing = undefined;
      return this.#driver;
    } catch (error) {
      const message = asError(error).message;
      if (this.#missing !== message) this.#logger.error('hardware unavailable', { driver: this.config.driver, error: message });
      this.#missing = message;
      return undefined;
    }
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'no value';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : 'a dict';
}
