import type { ActuatorConfig, SensorConfig } from '../config/schema.js';
import type { ActuatorDriver, ActuatorKind, DriverContext, SensorDriver } from '../driver.js';
import { openDs18b20Sensor } from './ds18b20.js';
import { openGpioActuator, openGpioSensor } from './gpio.js';
import { openIioSensor } from './iio.js';
import { openPwmActuator } from './pwm.js';
import { openSerialSensor } from './serial.js';
import { openSimulatedActuator, openSimulatedSensor } from './simulated.js';
import { openSystemSensor } from './system.js';

/**
 * The driver table: the config's `driver` key → the factory that opens it. The config schema
 * (config/schema.ts) lists the same names, so a config that passed validation always finds its
 * driver here; the mapped types make the compiler say so when one is added on one side only.
 */
type Factories<Config extends { driver: string }, Driver> = {
  readonly [Name in Config['driver']]: (config: Extract<Config, { driver: Name }>, ctx: DriverContext) => Promise<Driver>;
};

const ACTUATOR_DRIVERS: Factories<ActuatorConfig, ActuatorDriver> = {
  gpio: openGpioActuator,
  pwm: openPwmActuator,
  simulated: openSimulatedActuator,
};

const SENSOR_DRIVERS: Factories<SensorConfig, SensorDriver> = {
  gpio: openGpioSensor,
  ds18b20: openDs18b20Sensor,
  iio: openIioSensor,
  serial: openSerialSensor,
  system: openSystemSensor,
  simulated: openSimulatedSensor,
};

export function openActuatorDriver(config: ActuatorConfig, ctx: DriverContext): Promise<ActuatorDriver> {
  return factory(ACTUATOR_DRIVERS, config)(config, ctx);
}

export function openSensorDriver(config: SensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  return factory(SENSOR_DRIVERS, config)(config, ctx);
}

/** The factory of `config.driver`; the table's type guarantees it takes that config. */
function factory<Config extends { driver: string }, Driver>(
  table: Factories<Config, Driver>,
  config: Config,
): (config: Config, ctx: DriverContext) => Promise<Driver> {
  if (!Object.hasOwn(table, config.driver)) return unknownDriver(config as never);
  return table[config.driver as Config['driver']] as (config: Config, ctx: DriverContext) => Promise<Driver>;
}

/** What an actuator's driver drives, known from its config before the hardware is reached. */
export function actuatorKind(config: ActuatorConfig): ActuatorKind {
  switch (config.driver) {
    case 'gpio':
      return 'switch';
    case 'pwm':
      return 'dimmer';
    case 'simulated':
      return config.kind;
    default:
      return unknownDriver(config);
  }
}

function unknownDriver(config: never): never {
  throw new Error(`unknown driver ${JSON.stringify((config as { driver: unknown }).driver)}`);
}
