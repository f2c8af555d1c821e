import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MockBindingInterface, MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SerialSensorConfig } from '../../../src/device/config/schema.js';
import { DriverError, type SensorDriver, type SensorValue } from '../../../src/device/driver.js';
import { openSerialSensor, parseLine } from '../../../src/device/drivers/serial.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { fakeDriverContext } from './driver-context.js';

/**
 * binding-mock's package.json sends ESM importers to a file without types; its CommonJS build
 * has them, so the test loads that one.
 */
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingInterface };

const PATH = '/dev/ttyFAKE';

interface OpenedPort {
  readonly path: string;
  readonly port: MockPortBinding;
  /** Fails the pending read as the kernel does when a USB adapter is pulled out. */
  unplug(): void;
}

/**
 * MockBinding, wrapped so the test reaches every port the driver opens (to emit data on it) and
 * can pull it out: MockBinding itself has no way to fail a read, which is how a real binding
 * notices a lost device.
 */
function harness() {
  const clock = new FakeClock();
  const opened: OpenedPort[] = [];
  const attempts: number[] = [];
  /** Opens wait for this: a test can hold an open in flight. */
  let gate: Promise<void> = Promise.resolve();
  const binding = {
    list: () => MockBinding.list(),
    open: async (options: Parameters<typeof MockBinding.open>[0]): Promise<MockPortBinding> => {
      attempts.push(clock.now());
      await gate;
      const port = await MockBinding.open(options);
      const read = port.read.bind(port);
      let unplug: (error: Error) => void = () => {};
      const unplugged = new Promise<never>((_, reject) => {
        unplug = reject;
      });
      unplugged.catch(() => {}); // a read races it; no read pending is fine too
      port.read = (buffer, offset, length) => Promise.race([read(buffer, offset, length), unplugged]);
      opened.push({ path: options.path, port, unplug: () => unplug(new Error('EIO: the device went away')) });
      return port;
    },
  };
  const values: SensorValue[] = [];
  const errors: Error[] = [];
  const listener = { value: (value: SensorValue) => values.push(value), error: (error: Error) => errors.push(error) };
  const ctx = fakeDriverContext({ clock, loadSerialBinding: async () => binding });
  /** Holds every open until the returned function is called. */
  const hold = (): (() => void) => {
    let release: () => void = () => {};
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  };
  return { clock, opened, attempts, values, errors, listener, ctx, hold };
}

const drivers: SensorDriver[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((driver) => driver.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  MockBinding.reset();
});

function config(overrides: Partial<SerialSensorConfig> = {}): SerialSensorConfig {
  return { name: 'air', driver: 'serial', path: PATH, baud: 9600, parse: 'line', interval: 10_000, ...overrides };
}

async function start(h: ReturnType<typeof harness>, overrides: Partial<SerialSensorConfig> = {}): Promise<SensorDriver> {
  const driver = await openSerialSensor(config(overrides), h.ctx);
  drivers.push(driver);
  driver.start!(h.listener);
  return driver;
}

/** vi.waitFor polling often: the mock port answers within a few event-loop turns. */
function until(check: () => void): Promise<void> {
  return vi.waitFor(check, { interval: 5, timeout: 2000 });
}

/** Waits for the driver's `count`-th port to open. */
async function portNumber(h: ReturnType<typeof harness>, count: number): Promise<MockPortBinding> {
  await until(() => expect(h.opened.length).toBeGreaterThanOrEqual(count));
  return h.opened[count - 1]!.port;
}

describe('serial', () => {
  it('delivers each number line, trimming \\r, after dropping the first line', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const driver = await start(h);
    expect(driver.mode).toBe('push');
    const port = await portNumber(h, 1);
    // ".5" is what is left of "21.5" when the port opens mid-line.
    port.emitData(Buffer.from('.5\n21.5\r\n-3\n'));
    await until(() => expect(h.values).toEqual([21.5, -3]));
    port.emitData(Buffer.from('2'));
    port.emitData(Buffer.from('2.25\n'));
    await until(() => expect(h.values).toEqual([21.5, -3, 22.25]));
    expect(h.errors).toEqual([]);
  });

  it('reports each bad line and carries on', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    await start(h);
    (await portNumber(h, 1)).emitData(Buffer.from('x\nabc\n\n22\nERR\n23\n'));
    await until(() => expect(h.values).toEqual([22, 23]));
    expect(h.errors.map((error) => error.message)).toEqual([
      `serial ${PATH}: bad line "abc": expected a number`,
      `serial ${PATH}: bad line "ERR": expected a number`,
    ]);
    expect(h.errors[0]).toBeInstanceOf(DriverError);
  });

  it('takes a nested JSON field from each line', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    await start(h, { parse: 'json', field: 'pm.pm25' });
    (await portNumber(h, 1)).emitData(Buffer.from('{"pm":{"pm25":1}}\n{"pm":{"pm25":12.5,"pm10":20}}\n{"pm":{}}\nnot json\n{"pm":{"pm25":7}}\n'));
    await until(() => expect(h.values).toEqual([12.5, 7]));
    expect(h.errors.map((error) => error.message)).toEqual([
      `serial ${PATH}: bad line "{\\"pm\\":{}}": no field pm.pm25`,
      `serial ${PATH}: bad line "not json": not JSON`,
    ]);
  });

  it('parses JSON values: numbers and booleans in a field, a bare number without one', () => {
    const json = (line: string, field?: string) => parseLine(line, { path: PATH, parse: 'json', field });
    expect(json('{"a":{"b":{"c":-1.5}}}', 'a.b.c')).toBe(-1.5);
    expect(json('{"door":true}', 'door')).toBe(true);
    expect(json('21.5')).toBe(21.5);
    expect(() => json('{"a":"21.5"}', 'a')).toThrow('field a is not a number or boolean');
    expect(() => json('{"a":null}', 'a')).toThrow('field a is not a number or boolean');
    expect(() => json('{"a":1}', 'a.b')).toThrow('no field a.b');
    expect(() => json('{"a":1}', 'toString')).toThrow('no field toString');
    expect(() => json('{"a":1}')).toThrow('expected a number');
    expect(() => json('true')).toThrow('expected a number');
    expect(() => parseLine('Infinity', { path: PATH, parse: 'line' })).toThrow('expected a number');
    expect(() => parseLine('x'.repeat(200), { path: PATH, parse: 'line' })).toThrow(`"${'x'.repeat(60)}…"`);
  });

  it('reopens an unplugged port with backoff once it is back, and values flow again', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    await start(h);
    (await portNumber(h, 1)).emitData(Buffer.from('lead\n20\n'));
    await until(() => expect(h.values).toEqual([20]));

    MockBinding.reset(); // the device node is gone…
    h.opened[0]!.unplug(); // …and the pending read fails
    await until(() => expect(h.errors.map((e) => e.message)).toEqual([`serial port ${PATH} disconnected: EIO: the device went away`]));
    expect(h.opened[0]!.port.isOpen).toBe(false);

    h.clock.advance(499);
    expect(h.attempts).toEqual([0]);
    h.clock.advance(1);
    await until(() => expect(h.errors).toHaveLength(2));
    expect(h.errors[1]!.message).toMatch(/^cannot open serial port \/dev\/ttyFAKE: Port does not exist/);

    MockBinding.createPort(PATH, { echo: false, record: true });
    h.clock.advance(1000);
    const port = await portNumber(h, 2);
    expect(h.attempts).toEqual([0, 500, 1500]);
    port.emitData(Buffer.from('lead\n23\n'));
    await until(() => expect(h.values).toEqual([20, 23]));
  });

  it('starts without the port, reports it, and opens it once it appears', async () => {
    const h = harness();
    await start(h);
    await until(() => expect(h.errors).toHaveLength(1));
    expect(h.errors[0]).toBeInstanceOf(DriverError);
    expect(h.errors[0]!.message).toContain(`cannot open serial port ${PATH}`);
    MockBinding.createPort(PATH, { echo: false, record: true });
    h.clock.advance(500);
    (await portNumber(h, 1)).emitData(Buffer.from('lead\n21.5\n'));
    await until(() => expect(h.values).toEqual([21.5]));
  });

  it('retries after 0.5 s, 1 s, 2 s, 4 s, then every 5 s, reporting each failure', async () => {
    const h = harness();
    await start(h);
    await until(() => expect(h.errors).toHaveLength(1));
    for (const [i, delay] of [500, 1000, 2000, 4000, 5000, 5000].entries()) {
      h.clock.advance(delay - 1);
      expect(h.attempts).toHaveLength(i + 1);
      h.clock.advance(1);
      await until(() => expect(h.errors).toHaveLength(i + 2));
    }
    expect(h.attempts).toEqual([0, 500, 1500, 3500, 7500, 12500, 17500]);
  });

  it('resolves a by-id link again at every open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-serial-'));
    dirs.push(dir);
    const link = join(dir, 'by-id', 'usb-Arduino-if00');
    await mkdir(join(dir, 'by-id'));
    for (const tty of ['ttyACM0', 'ttyACM1']) await writeFile(join(dir, tty), '');
    await symlink(join(dir, 'ttyACM0'), link);
    MockBinding.createPort(join(dir, 'ttyACM0'));
    const h = harness();
    await start(h, { path: link });
    await portNumber(h, 1);
    expect(h.opened[0]!.path).toBe(join(dir, 'ttyACM0'));

    // Replugged, the same device comes back as ttyACM1.
    await rm(link);
    await symlink(join(dir, 'ttyACM1'), link);
    MockBinding.createPort(join(dir, 'ttyACM1'));
    h.opened[0]!.unplug();
    await until(() => expect(h.errors).toHaveLength(1));
    expect(h.errors[0]!.message).toContain(`${link} (${join(dir, 'ttyACM0')}) disconnected`);
    h.clock.advance(500);
    await portNumber(h, 2);
    expect(h.opened[1]!.path).toBe(join(dir, 'ttyACM1'));
  });

  it('stops retrying and closes the port at close', async () => {
    const missing = harness();
    const retrying = await start(missing);
    await until(() => expect(missing.errors).toHaveLength(1));
    expect(missing.clock.pending).toBe(1);
    await retrying.close();
    expect(missing.clock.pending).toBe(0);

    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const driver = await start(h);
    const port = await portNumber(h, 1);
    await driver.close();
    expect(port.isOpen).toBe(false);
    expect(h.errors).toEqual([]);
    expect(h.clock.pending).toBe(0);
  });

  it('closes a port that finishes opening after close', async () => {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const h = harness();
    const release = h.hold();
    const driver = await start(h);
    await until(() => expect(h.attempts).toHaveLength(1));
    const closing = driver.close(); // the open is still in flight
    release();
    await closing;
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]!.port.isOpen).toBe(false);
  });

  it('fails to open when serial port support cannot load', async () => {
    const error = await openSerialSensor(config(), fakeDriverContext({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toContain('not available in this test');
  });
});
