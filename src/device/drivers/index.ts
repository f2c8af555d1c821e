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
 * driver here; the `never` checks make the compiler say so when one is added on one side only.
 */
export function openActuatorDriver(config: ActuatorConfig, ctx: DriverContext): Promise<ActuatorDriver> {
  switch (config.driver) {
    case 'gpio':
      return openGpioActuator(config, ctx);
    case 'pwm':
      return openPwmActuator(config, ctx);
    case 'simulated':
      return openSimulatedActuator(config);
    default:
      return unknownDriver(config);
  }
}

export function openSensorDriver(config: SensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  switch (config.driver) {
    case 'gpio':
      return openGpioSensor(config, ctx);
    case 'ds18b20':
      return openDs18b20Sensor(config, ctx);
    case 'iio':
      return openIioSensor(config, ctx);
    case 'serial':
      return openSerialSensor(config, ctx);
    case 'system':
      return openSystemSensor(config, ctx);
    case 'simulated':
      return openSimulatedSensor(config);
    default:
      return unknownDriver(config);
  }
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
