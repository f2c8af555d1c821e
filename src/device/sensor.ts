import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { asError } from '../client/errors.js';
import type { SensorConfig } from './config/schema.js';
import type { SensorDriver, SensorValue } from './driver.js';
import { Sampler } from './sampler.js';

export type OpenSensor = () => Promise<SensorDriver>;

/** A sample that passed the sampler: what gets published (seq is added by the device). */
export interface Sample {
  sensor: string;
  value: SensorValue;
  ts: number;
  unit: string | undefined;
}

/**
 * One sensor at run time: opens its driver (again later when the hardware is missing at start),
 * reads it every `interval` (poll drivers) or listens (push drivers), feeds the Sampler, and
 * keeps what `describe` shows. A failing read is logged once per failure streak (and the
 * recovery once); meanwhile the sensor is `stale`. Nothing a driver does can stop the others.
 */
export class Sensor {
  readonly name: string;
  readonly config: SensorConfig;
  readonly #open: OpenSensor;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #sampler: Sampler;
  #driver: SensorDriver | undefined;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #stopped = false;
  #reading = false;

  constructor(config: SensorConfig, deps: { open: OpenSensor; clock: Clock; logger: Logger; onSample: (sample: Sample) => void }) {
    this.name = config.name;
    this.config = config;
    this.#open = deps.open;
    this.#clock = deps.clock;
    this.#logger = deps.logger.child({ sensor: config.name });
    this.#sampler = new Sampler(
      { deadband: config.deadband, maxIntervalMs: config.max_interval, throttleMs: config.throttle, average: config.average },
      deps.clock,
      {
        publish: (value, ts) => deps.onSample({ sensor: this.name, value, ts, unit: this.unit }),
        refresh: () => this.#refresh(),
      },
    );
  }

  /** The configured unit, else the driver's. */
  get unit(): string | undefined {
    return this.config.unit ?? this.#driver?.unit;
  }

  /** The last sample taken (published or not). */
  get latest(): { value: SensorValue; ts: number } | undefined {
    return this.#sampler.latest;
  }

  /** True while reads fail or the hardware is missing. */
  get stale(): boolean {
    return this.#failures > 0 || this.#driver === undefined;
  }

  async start(): Promise<void> {
    await this.#tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sampler.stop();
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const driver = this.#driver;
    this.#driver = undefined;
    await driver?.close().catch((error: Error) => this.#logger.debug('close failed', { error: error.message }));
  }

  /** One round: open if needed, read (poll) or start listening (push), then plan the next round. */
  async #tick(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    const driver = await this.#ensureOpen();
    if (driver !== undefined && driver.mode === 'poll') await this.#readOnce(driver);
    if (this.#stopped) return;
    // Push drivers need no timer once open; a missing one is tried again every interval.
    if (driver === undefined || driver.mode === 'poll') {
      this.#timer = this.#clock.setTimeout(this.#onTimer, this.config.interval);
    }
  }

  /** The timer callback, made once: a poll sensor arms one every interval. */
  readonly #onTimer = (): void => void this.#tick();

  async #ensureOpen(): Promise<SensorDriver | undefined> {
    if (this.#driver !== undefined) return this.#driver;
    let driver: SensorDriver;
    try {
      driver = await this.#open();
    } catch (error) {
      this.#fail(asError(error), 'hardware unavailable');
      return undefined;
    }
    if (this.#stopped) {
      await driver.close().catch(() => undefined);
      return undefined;
    }
    this.#driver = driver;
    if (driver.mode === 'push') {
      this.#recover();
      driver.start?.({
        value: (value, ts) => this.#sample(value, ts ?? this.#clock.now()),
        error: (error) => this.#fail(error, 'read failed'),
      });
      if (driver.read !== undefined) await this.#readOnce(driver);
    }
    return driver;
  }

  async #readOnce(driver: SensorDriver): Promise<void> {
    if (driver.read === undefined || this.#reading) return;
    this.#reading = true;
    try {
      const value = await driver.read();
      if (!this.#stopped) this.#sample(value, this.#clock.now());
    } catch (error) {
      this.#fail(asError(error), 'read failed');
    } finally {
      this.#reading = false;
    }
  }

  #sample(value: SensorValue, ts: number): void {
    if (this.#stopped) return;
    this.#recover();
    this.#sampler.offer(value, ts);
  }

  /** max_interval ran out: a fresh reading now (push drivers: the sampler re-sends the last value). */
  #refresh(): void {
    const driver = this.#driver;
    if (driver?.read !== undefined) void this.#readOnce(driver);
    else {
      const latest = this.#sampler.latest;
      if (latest !== undefined) this.#sampler.offer(latest.value, this.#clock.now());
    }
  }

  /** Logged once per failure streak; `#failures` counts the streak. */
  #fail(error: Error, what: string): void {
    if (++this.#failures === 1) this.#logger.warn(what, { driver: this.config.driver, error: error.message });
  }

  #recover(): void {
    if (this.#failures === 0) return;
    this.#logger.info('sensor recovered', { failures: this.#failures });
    this.#failures = 0;
  }
}
