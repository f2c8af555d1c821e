import { describe, expect, it } from 'vitest';
import type { SensorConfig } from '../../src/device/config/schema.js';
import type { SensorDriver, SensorListener, SensorValue } from '../../src/device/driver.js';
import { Sensor, type Sample } from '../../src/device/sensor.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { FakeClock } from '../helpers/fake-clock.js';

const CONFIG = { name: 'temp', driver: 'simulated', interval: 1000, kind: 'analog', min: 0, max: 1, seed: 1 } as SensorConfig;

/** Let the awaited driver calls of a tick settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function pollDriver(results: Array<SensorValue | Error>): SensorDriver {
  return {
    mode: 'poll',
    unit: '°C',
    read: () => {
      const next = results.shift() ?? new Error('no more values');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    close: () => Promise.resolve(),
  };
}

function setup(open: () => Promise<SensorDriver>, config: SensorConfig = CONFIG) {
  const clock = new FakeClock();
  const logger = captureLogger();
  const samples: Sample[] = [];
  const sensor = new Sensor(config, { open, clock, logger, onSample: (sample) => samples.push(sample) });
  return { clock, logger, samples, sensor };
}

async function tick(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await settle();
}

describe('Sensor', () => {
  it('reads every interval and takes the unit from the driver when the config has none', async () => {
    const { clock, samples, sensor } = setup(() => Promise.resolve(pollDriver([20, 21, 22])));
    await sensor.start();
    await tick(clock, 1000);
    await tick(clock, 1000);
    expect(samples.map((s) => [s.value, s.unit])).toEqual([
      [20, '°C'],
      [21, '°C'],
      [22, '°C'],
    ]);
    await sensor.stop();
  });

  it('logs a failing read once per failure streak, is stale meanwhile, and logs the recovery', async () => {
    const failure = new Error('EIO: i/o error, read');
    const { clock, logger, samples, sensor } = setup(() => Promise.resolve(pollDriver([20, failure, failure, failure, 21])));
    await sensor.start();
    expect(sensor.stale).toBe(false);
    for (let i = 0; i < 3; i++) await tick(clock, 1000);
    expect(sensor.stale).toBe(true);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([
      { level: 'warn', message: 'read failed', fields: { sensor: 'temp', driver: 'simulated', error: 'EIO: i/o error, read' } },
    ]);
    await tick(clock, 1000);
    expect(sensor.stale).toBe(false);
    expect(samples.map((s) => s.value)).toEqual([20, 21]);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'info', message: 'sensor recovered', fields: { failures: 3 } });
    await sensor.stop();
  });

  it('starts without its hardware, logs it once, and opens it at a later interval', async () => {
    let present = false;
    const { clock, logger, samples, sensor } = setup(() =>
      present ? Promise.resolve(pollDriver([5])) : Promise.reject(new Error('no such device: /sys/bus/w1/devices/28-x')),
    );
    await sensor.start();
    await tick(clock, 1000);
    expect(sensor.stale).toBe(true);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(logger.lines[0]!.fields['error']).toMatch(/\/sys\/bus\/w1\/devices\/28-x/);
    present = true;
    await tick(clock, 1000);
    expect(samples.map((s) => s.value)).toEqual([5]);
    expect(sensor.stale).toBe(false);
    await sensor.stop();
  });

  it('takes pushed values without polling and reports pushed errors as stale', async () => {
    let listener: SensorListener | undefined;
    const driver: SensorDriver = { mode: 'push', start: (l) => void (listener = l), close: () => Promise.resolve() };
    const { clock, samples, sensor } = setup(() => Promise.resolve(driver));
    await sensor.start();
    listener!.value(true, 123);
    listener!.value(false);
    expect(samples.map((s) => [s.value, s.ts])).toEqual([
      [true, 123],
      [false, clock.now()],
    ]);
    listener!.error(new Error('port unplugged'));
    expect(sensor.stale).toBe(true);
    expect(clock.pending).toBe(0);
    await sensor.stop();
  });

  it('closes the driver on stop and samples nothing afterwards', async () => {
    let closed = 0;
    const driver = { ...pollDriver([1, 2, 3]), close: () => Promise.resolve(void closed++) };
    const { clock, samples, sensor } = setup(() => Promise.resolve(driver));
    await sensor.start();
    await sensor.stop();
    await tick(clock, 5000);
    expect(samples).toHaveLength(1);
    expect(closed).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
