import { join } from 'node:path';
import type { Ds18b20SensorConfig } from '../config/schema.js';
import { type DriverContext, DriverError, type SensorDriver, type SensorValue } from '../driver.js';
import { readAttribute, requirePath } from './sysfs.js';

/**
 * A DS18B20 1-Wire thermometer through the kernel's w1-therm driver (dtoverlay=w1-gpio):
 * reading `/sys/bus/w1/devices/<id>/w1_slave` runs one conversion (about 750 ms) and returns
 *
 *     72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 *     72 01 4b 46 7f ff 0e 10 57 t=23125
 *
 * the scratchpad with the CRC verdict, then the scratchpad with the temperature in millidegrees.
 */

/** The power-on reset value of the temperature register: the conversion did not run. */
const POWER_ON_MILLIDEGREES = 85_000;
/**
 * The sensor's range. Outside it a value cannot be a measurement: -127 °C is what several
 * libraries (and some w1 bus masters) report for a sensor that does not answer.
 */
const MIN_MILLIDEGREES = -55_000;
const MAX_MILLIDEGREES = 125_000;

export async function openDs18b20Sensor(config: Ds18b20SensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  const dir = join(ctx.sysfs, 'bus', 'w1', 'devices', config.id);
  await requirePath(dir, `1-Wire device ${config.id}`, 'check the wiring and that dtoverlay=w1-gpio is set in /boot/firmware/config.txt');
  const path = join(dir, 'w1_slave');
  return {
    mode: 'poll',
    unit: '°C',
    read: async (): Promise<SensorValue> => parseW1Slave(await readAttribute(path), path),
    close: async () => {},
  };
}

/** The temperature in °C from the text of w1_slave; a DriverError naming `path` when it is not a good reading. */
function parseW1Slave(text: string, path: string): number {
  const [crcLine, dataLine] = text.split('\n').map((line) => line.trim());
  if (crcLine === undefined || dataLine === undefined) {
    throw new DriverError(`${path}: unexpected content ${JSON.stringify(text.slice(0, 80))}`, { path });
  }
  if (crcLine.endsWith('NO')) throw new DriverError(`${path}: CRC check failed`, { path });
  if (!crcLine.endsWith('YES')) {
    throw new DriverError(`${path}: unexpected CRC line ${JSON.stringify(crcLine.slice(0, 80))}`, { path });
  }
  // A sensor that drops off the bus mid-read gives an all-zero scratchpad, whose CRC is 00 too:
  // "YES" with t=0, which would read as a plausible 0 °C.
  if (/^(00 ){9}/.test(crcLine)) throw new DriverError(`${path}: all-zero scratchpad: the sensor did not answer`, { path });
  const match = /t=(-?\d+)$/.exec(dataLine);
  if (match === null) {
    throw new DriverError(`${path}: no temperature in ${JSON.stringify(dataLine.slice(0, 80))}`, { path });
  }
  const millidegrees = Number(match[1]);
  if (millidegrees === POWER_ON_MILLIDEGREES) {
    throw new DriverError(`${path}: power-on value 85 °C: the conversion did not run`, { path });
  }
  if (millidegrees < MIN_MILLIDEGREES || millidegrees > MAX_MILLIDEGREES) {
    throw new DriverError(`${path}: ${millidegrees / 1000} °C is outside the sensor's range (-55..125 °C)`, { path });
  }
  return millidegrees / 1000;
}
