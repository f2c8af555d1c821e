import type { SimulatedActuatorConfig, SimulatedSensorConfig } from '../config/schema.js';
import type { ActuatorDriver, ActuatorValue, SensorDriver, SensorValue } from '../driver.js';

/**
 * The `simulated` driver, for development, demos and tests: no hardware at all. An actuator
 * holds the value written to it (it starts at nothing, as a line nobody drove yet). A sensor
 * follows a seeded random walk between `min` and `max` (analog) or flips now and then (digital),
 * so the same seed gives the same readings on every run.
 */
export function openSimulatedActuator(config: SimulatedActuatorConfig): Promise<ActuatorDriver> {
  let level: ActuatorValue | undefined;
  return Promise.resolve({
    kind: config.kind,
    read: () => Promise.resolve(level),
    write: (value: ActuatorValue) => {
      level = value;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  });
}

export function openSimulatedSensor(config: SimulatedSensorConfig): Promise<SensorDriver> {
  const next = randomSource(config.seed);
  const span = config.max - config.min;
  let value = config.min + span * next();
  let on = false;
  const read = (): Promise<SensorValue> => {
    if (config.kind === 'digital') {
      // About one change in four readings.
      if (next() < 0.25) on = !on;
      return Promise.resolve(on);
    }
    // A step of up to 5% of the span, reflected at the bounds.
    value += (next() - 0.5) * 0.1 * span;
    if (value > config.max) value = 2 * config.max - value;
    if (value < config.min) value = 2 * config.min - value;
    return Promise.resolve(Math.round(value * 100) / 100);
  };
  return Promise.resolve({ mode: 'poll', read, close: () => Promise.resolve() });
}

/** mulberry32: a small, fast, seedable generator of numbers in [0, 1). */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
