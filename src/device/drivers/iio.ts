import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { IioSensorConfig } from '../config/schema.js';
import { type DriverContext, DriverError, HardwareMissingError, type SensorDriver, type SensorValue } from '../driver.js';
import { errorCode, pathExists, readNumber, requirePath } from './sysfs.js';

/**
 * A channel of an Industrial I/O device (`/sys/bus/iio/devices/iio:deviceN`): DHT11/DHT22
 * (dtoverlay=dht11), BME280, ADS1115, BH1750 and most other I2C/SPI sensors with a kernel driver.
 *
 * The value is `in_<channel>_input` when the driver offers it (already scaled), else computed
 * from `in_<channel>_raw` as the kernel ABI (Documentation/ABI/testing/sysfs-bus-iio) defines it:
 * `_offset` is "to be added to <type>[Y]_raw prior to scaling by <type>[Y]_scale", so
 *
 *     value = (raw + offset) × scale        (offset default 0, scale default 1)
 *
 * Both give the ABI's base unit of the channel type, which UNITS converts to the product's.
 */

interface ChannelUnit {
  /** Divides the IIO base unit into the product's unit. */
  readonly divisor: number;
  readonly unit: string;
}

/**
 * Channel type (the channel name without its index or modifier: temp0, temp_ambient → temp) →
 * conversion from the IIO ABI unit: millidegrees Celsius, milli-percent RH, kilopascal,
 * millivolts, milliamps, lux. Types not listed pass through without a unit.
 */
const UNITS: Readonly<Record<string, ChannelUnit>> = {
  temp: { divisor: 1000, unit: '°C' },
  humidityrelative: { divisor: 1000, unit: '%RH' },
  pressure: { divisor: 1, unit: 'kPa' },
  voltage: { divisor: 1, unit: 'mV' },
  current: { divisor: 1, unit: 'mA' },
  illuminance: { divisor: 1, unit: 'lx' },
};

/** The conversion for `channel` (temp, temp0, temp_ambient, voltage3), or undefined for unknown types. */
export function channelUnit(channel: string): ChannelUnit | undefined {
  const type = /^[a-z]+/.exec(channel)?.[0];
  return type !== undefined && Object.hasOwn(UNITS, type) ? UNITS[type] : undefined;
}

/**
 * errno codes of a read that may well succeed a moment later: the DHT drivers answer EIO when the
 * sensor's reply was garbled or incomplete and ETIMEDOUT when it did not reply, about one read in
 * five on a busy Pi.
 */
const TRANSIENT = new Set(['EIO', 'ETIMEDOUT', 'EAGAIN']);
/**
 * One immediate retry after this pause before a transient failure is reported, so a single
 * garbled DHT reply does not cost a whole interval (the dht11 driver caches a good reading for
 * 2 s, but a failed one is retried on the next read).
 */
const RETRY_DELAY_MS = 100;

export async function openIioSensor(config: IioSensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  const dir = join(ctx.sysfs, 'bus', 'iio', 'devices', config.device);
  await requirePath(dir, `IIO device ${config.device}`);
  const attribute = (suffix: string) => join(dir, `in_${config.channel}_${suffix}`);
  const input = attribute('input');
  const raw = attribute('raw');
  let readBase: () => Promise<number>;
  if (await pathExists(input)) {
    readBase = () => readNumber(input);
  } else if (await pathExists(raw)) {
    // Which of scale and offset exist is fixed by the kernel driver: decided once, read each time
    // (some drivers change the scale with the range or oversampling setting).
    const scale = (await pathExists(attribute('scale'))) ? attribute('scale') : undefined;
    const offset = (await pathExists(attribute('offset'))) ? attribute('offset') : undefined;
    readBase = async () => {
      const value = await readNumber(raw);
      const add = offset === undefined ? 0 : await readNumber(offset);
      const factor = scale === undefined ? 1 : await readNumber(scale);
      return (value + add) * factor;
    };
  } else {
    throw new HardwareMissingError(`IIO channel ${config.channel} not found: neither ${input} nor ${raw} exists`, input);
  }
  const unit = channelUnit(config.channel);
  const divisor = unit?.divisor ?? 1;
  const read = async (): Promise<SensorValue> => tidy((await retryOnce(readBase, ctx.clock)) / divisor);
  return { mode: 'poll', unit: unit?.unit, read, close: async () => {} };
}

async function retryOnce(read: () => Promise<number>, clock: Clock): Promise<number> {
  try {
    return await read();
  } catch (error) {
    if (!isTransient(error)) throw error;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, RETRY_DELAY_MS));
    return read();
  }
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof DriverError)) return false;
  const code = errorCode(error.cause);
  return code !== undefined && TRANSIENT.has(code);
}

/** Drops binary floating-point noise (raw × 0.1 → 22.900000000000002) without losing real digits. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}
