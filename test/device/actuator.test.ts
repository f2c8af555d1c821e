import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { Actuator, type ActuatorState } from '../../src/device/actuator.js';
import type { ActuatorConfig } from '../../src/device/config/schema.js';
import type { ActuatorDriver, ActuatorKind, ActuatorValue } from '../../src/device/driver.js';
import { HardwareUnavailableError, InvalidValueError } from '../../src/device/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** A driver that records every write, starting at `level`. */
function recordingDriver(kind: ActuatorKind, level: ActuatorValue | undefined) {
  const writes: ActuatorValue[] = [];
  let current = level;
  const driver: ActuatorDriver = {
    kind,
    read: () => Promise.resolve(current),
    write: (value) => {
      writes.push(value);
      current = value;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { driver, writes };
}

function switchConfig(extra: Partial<Record<string, unknown>> = {}): ActuatorConfig {
  return { name: 'light', driver: 'simulated', kind: 'switch', on_disconnect: 'off', grace: 1000, ...extra } as ActuatorConfig;
}

function dimmerConfig(extra: Partial<Record<string, unknown>> = {}): ActuatorConfig {
  return { name: 'lamp', driver: 'simulated', kind: 'dimmer', on_disconnect: 'hold', grace: 1000, ...extra } as ActuatorConfig;
}

function actuatorWith(config: ActuatorConfig, kind: ActuatorKind, open: () => Promise<ActuatorDriver>) {
  const changes: ActuatorState[] = [];
  const actuator = new Actuator(config, kind, { open, clock: new FakeClock(), logger: silentLogger, onChange: (state) => changes.push(state) });
  return { actuator, changes };
}

describe('Actuator', () => {
  it('does not write at start when the output already holds initial', async () => {
    const { driver, writes } = recordingDriver('switch', true);
    const { actuator } = actuatorWith(switchConfig({ initial: true }), 'switch', () => Promise.resolve(driver));
    await actuator.start();
    expect(writes).toEqual([]);
    expect(actuator.state?.value).toBe(true);
  });

  it('writes initial at start when the output differs', async () => {
    const { driver, writes } = recordingDriver('switch', true);
    const { actuator, changes } = actuatorWith(switchConfig({ initial: false }), 'switch', () => Promise.resolve(driver));
    await actuator.start();
    expect(writes).toEqual([false]);
    expect(changes.map((c) => [c.value, c.source])).toEqual([[false, 'start']]);
  });

  it('keeps the level read back when no initial is configured', async () => {
    const { driver, writes } = recordingDriver('dimmer', 0.25);
    const { actuator } = actuatorWith(dimmerConfig(), 'dimmer', () => Promise.resolve(driver));
    await actuator.start();
    expect(writes).toEqual([]);
    expect(actuator.state?.value).toBe(0.25);
  });

  it('sets, skips a write to the same value, and toggles', async () => {
    const { driver, writes } = recordingDriver('switch', false);
    const { actuator, changes } = actuatorWith(switchConfig(), 'switch', () => Promise.resolve(driver));
    await actuator.start();
    expect(await actuator.set(true)).toBe(true);
    expect(await actuator.set(true)).toBe(true);
    expect(await actuator.toggle()).toBe(false);
    expect(writes).toEqual([true, false]);
    expect(changes.map((c) => c.source)).toEqual(['start', 'call', 'call']);
  });

  it('rejects values of the wrong type or range with invalid_argument', async () => {
    const { driver } = recordingDriver('dimmer', 0);
    const { actuator } = actuatorWith(dimmerConfig(), 'dimmer', () => Promise.resolve(driver));
    await actuator.start();
    for (const bad of [1.5, -0.1, 'bright', null, undefined, [1], { v: 1 }, Number.NaN]) {
      expect(() => actuator.set(bad)).toThrow(InvalidValueError);
    }
    try {
      actuator.set(2);
    } catch (error) {
      expect((error as InvalidValueError).uri).toBe('wamp.error.invalid_argument');
      expect((error as InvalidValueError).args[0]).toMatch(/lamp is a dimmer: expected a number from 0 to 1, got 2/);
    }
    const sw = actuatorWith(switchConfig(), 'switch', () => Promise.resolve(recordingDriver('switch', false).driver)).actuator;
    expect(() => sw.set(1)).toThrow(/expected true or false, got 1/);
    expect(() => actuator.toggle()).toThrow(/is a dimmer/);
  });

  it('writes the safe state once and not when on_disconnect is hold', async () => {
    const sw = recordingDriver('switch', true);
    const light = actuatorWith(switchConfig(), 'switch', () => Promise.resolve(sw.driver)).actuator;
    await light.start();
    await light.applySafeState('test');
    await light.applySafeState('test');
    expect(sw.writes).toEqual([false]);
    const dim = recordingDriver('dimmer', 0.7);
    const lamp = actuatorWith(dimmerConfig(), 'dimmer', () => Promise.resolve(dim.driver)).actuator;
    await lamp.start();
    await lamp.applySafeState('test');
    expect(dim.writes).toEqual([]);
  });

  it('starts without its hardware, answers calls with hardware_unavailable, and uses the hardware once it appears', async () => {
    let present = false;
    const { driver, writes } = recordingDriver('switch', false);
    const { actuator } = actuatorWith(switchConfig(), 'switch', () => (present ? Promise.resolve(driver) : Promise.reject(new Error('no such pin'))));
    await actuator.start();
    expect(actuator.state).toBeUndefined();
    await expect(actuator.set(true)).rejects.toBeInstanceOf(HardwareUnavailableError);
    present = true;
    expect(await actuator.set(true)).toBe(true);
    expect(writes).toEqual([true]);
  });

  it('serialises concurrent calls in arrival order', async () => {
    const { driver, writes } = recordingDriver('dimmer', 0);
    const { actuator } = actuatorWith(dimmerConfig(), 'dimmer', () => Promise.resolve(driver));
    await actuator.start();
    await Promise.all([actuator.set(0.1), actuator.set(0.2), actuator.set(0.3)]);
    expect(writes).toEqual([0.1, 0.2, 0.3]);
    expect(actuator.state?.value).toBe(0.3);
  });
});
