import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/common/logger.js';
import { gpioActuatorSchema, gpioSensorSchema } from '../../../src/device/config/schema.js';
import type { DriverContext, SensorValue } from '../../../src/device/driver.js';
import { DriverError, HardwareMissingError } from '../../../src/device/driver.js';
import { openGpiodActuator, openGpiodSensor } from '../../../src/device/drivers/gpio-gpiod.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { fakeDriverContext } from './driver-context.js';

/**
 * Fake libgpiod tools, as shell scripts first on PATH. Each records its arguments in calls.log
 * and its pid in pids. gpioset stores the value it was given in `level` and holds until killed
 * (or refuses when `refuse` exists); gpiomon echoes what the test writes into the `events`
 * FIFO (`exit` makes it crash); gpioget prints the `input` file.
 */
const BODIES: Record<string, string> = {
  gpioset: [
    'if [ -e "$D/refuse" ]; then echo "gpioset: unable to request lines: Device or resource busy" >&2; exit 1; fi',
    'for a in "$@"; do case "$a" in -*) ;; *=*) echo "${a#*=}" > "$D/level" ;; esac; done',
    'exec sleep 300',
  ].join('\n'),
  gpiomon: [
    'exec 3<>"$D/events"',
    'while IFS= read -r line <&3; do',
    '  case "$line" in exit) exit 1 ;; *) echo "$line" ;; esac',
    'done',
  ].join('\n'),
  gpioget: 'cat "$D/input"',
};

async function writeFakeTools(dir: string, version: string): Promise<void> {
  await mkdir(join(dir, 'bin'));
  for (const [tool, body] of Object.entries(BODIES)) {
    const script = [
      '#!/bin/sh',
      `D='${dir}'`,
      `if [ "$1" = "--version" ]; then echo "${tool} (libgpiod) v${version}"; echo "Copyright (C) 2017-2023 Bartosz Golaszewski"; exit 0; fi`,
      `echo "${tool} $*" >> "$D/calls.log"`,
      'echo $$ >> "$D/pids"',
      body,
      '',
    ].join('\n');
    await writeFile(join(dir, 'bin', tool), script);
    await chmod(join(dir, 'bin', tool), 0o755);
  }
  execFileSync('mkfifo', [join(dir, 'events')]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const WAIT = { timeout: 3000, interval: 10 };

describe('gpio-gpiod', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-gpiod-'));
    await mkdir(join(dir, 'dev'));
    await mkdir(join(dir, 'sys'));
    await writeFile(join(dir, 'dev', 'gpiochip0'), '');
  });

  afterEach(async () => {
    for (const pid of await pids()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  async function calls(tool: string): Promise<string[]> {
    const log = await readFile(join(dir, 'calls.log'), 'utf8').catch(() => '');
    return log.split('\n').filter((line) => line.startsWith(`${tool} `));
  }

  async function pids(): Promise<number[]> {
    const text = await readFile(join(dir, 'pids'), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  async function context(version: string, overrides: Partial<DriverContext> = {}): Promise<DriverContext> {
    await writeFakeTools(dir, version);
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
    return fakeDriverContext({ sysfs: join(dir, 'sys'), dev: join(dir, 'dev'), env, ...overrides });
  }

  /** One line from the fake gpiomon, as the tool would print it. */
  function emit(line: string): Promise<void> {
    return writeFile(join(dir, 'events'), `${line}\n`);
  }

  describe('actuator', () => {
    for (const [version, flags] of [
      ['1.6.3', ['--mode=signal', '--active-low', 'gpiochip0']],
      ['2.1', ['-c', 'gpiochip0', '-l']],
    ] as const) {
      it(`holds each new value with one gpioset (v${version}) and leaves no child at close`, async () => {
        const ctx = await context(version);
        const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17, backend: 'gpiod', active_low: true });
        const driver = await openGpiodActuator(config, ctx);
        expect(await driver.read()).toBeUndefined();
        expect(await calls('gpioset')).toEqual([]);

        // write() resolves once gpioset has held its line for the settle time; the fake tool's
        // records may lag that on a busy machine, so they are waited for.
        const level = () => readFile(join(dir, 'level'), 'utf8').then((text) => text.trim(), () => '');
        await driver.write(true);
        await vi.waitFor(async () => expect(await calls('gpioset')).toEqual([`gpioset ${[...flags, '17=1'].join(' ')}`]), WAIT);
        await vi.waitFor(async () => expect(await level()).toBe('1'), WAIT);
        const [first] = await pids();
        expect(isAlive(first!)).toBe(true);

        await driver.write(false);
        expect(isAlive(first!)).toBe(false);
        await vi.waitFor(async () => expect((await calls('gpioset'))[1]).toBe(`gpioset ${[...flags, '17=0'].join(' ')}`), WAIT);
        await vi.waitFor(async () => expect(await level()).toBe('0'), WAIT);
        expect(await driver.read()).toBe(false);

        await driver.write(false);
        expect(await calls('gpioset')).toHaveLength(2);

        await driver.close();
        expect((await pids()).filter(isAlive)).toEqual([]);
      });
    }

    it('rejects a write the tool refuses with its message, and then reads undefined', async () => {
      // The settle time never runs out (a clock nobody advances): the tool's exit always wins it.
      const ctx = await context('2.1', { clock: new FakeClock() });
      await writeFile(join(dir, 'refuse'), '');
      const driver = await openGpiodActuator(gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17 }), ctx);
      const error = await driver.write(true).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DriverError);
      expect((error as Error).message).toContain('Device or resource busy');
      expect(await driver.read()).toBeUndefined();
      await driver.close();
    });

    it('throws HardwareMissingError when the chip’s device node is missing', async () => {
      const ctx = await context('2.1');
      await rm(join(dir, 'dev', 'gpiochip0'));
      const config = gpioActuatorSchema.parse({ name: 'relay', driver: 'gpio', pin: 17 });
      await expect(openGpiodActuator(config, ctx)).rejects.toThrow(HardwareMissingError);
      await expect(openGpiodActuator(config, ctx)).rejects.toThrow(join(dir, 'dev', 'gpiochip0'));
    });
  });

  describe('sensor', () => {
    function collect(): { values: SensorValue[]; errors: Error[]; listener: { value(v: SensorValue): void; error(e: Error): void } } {
      const values: SensorValue[] = [];
      const errors: Error[] = [];
      return { values, errors, listener: { value: (v) => values.push(v), error: (e) => errors.push(e) } };
    }

    it('passes v1 flags and delivers rising and falling events as booleans', async () => {
      const ctx = await context('1.6.3');
      const config = gpioSensorSchema.parse({ name: 'door', driver: 'gpio', pin: 22, edge: 'rising', pull: 'up', active_low: true });
      const driver = await openGpiodSensor(config, ctx);
      expect(driver.mode).toBe('push');
      expect(driver.read).toBeUndefined();
      const { values, listener } = collect();
      driver.start!(listener);
      await emit('1');
      await vi.waitFor(() => expect(values).toEqual([true]), WAIT);
      await emit('0');
      await vi.waitFor(() => expect(values).toEqual([true, false]), WAIT);
      expect(await calls('gpiomon')).toEqual(['gpiomon --line-buffered --format=%e --active-low --bias=pull-up --rising-edge gpiochip0 22']);
      await driver.close();
      expect((await pids()).filter(isAlive)).toEqual([]);
    });

    it('passes v2 flags with the kernel debounce and reads 2 as falling', async () => {
      const ctx = await context('2.1');
      const config = gpioSensorSchema.parse({ name: 'door', driver: 'gpio', pin: 22, edge: 'falling', debounce: '50ms', pull: 'down', active_low: true });
      const driver = await openGpiodSensor(config, ctx);
      const { values, listener } = collect();
      driver.start!(listener);
      await emit('2');
      await vi.waitFor(() => expect(values).toEqual([false]), WAIT);
      expect(await calls('gpiomon')).toEqual(['gpiomon -c gpiochip0 -l -b pull-down -e falling -p 50ms -F %e 22']);
      await driver.close();
    });

    it('debounces v1 events on the clock, watching both edges and delivering only the configured one', async () => {
      const clock = new FakeClock();
      const log: string[] = [];
      const logger = createLogger({ level: 'debug', write: (line) => log.push(line) });
      const ctx = await context('1.6.3', { clock, logger });
      const driver = await openGpiodSensor(gpioSensorSchema.parse({ name: 'button', driver: 'gpio', pin: 22, edge: 'rising', debounce: '50ms' }), ctx);
      const { values, listener } = collect();
      driver.start!(listener);
      let seen = 0;
      async function event(line: string, thenAdvance: number): Promise<void> {
        await emit(line);
        seen += 1;
        await vi.waitFor(() => expect(log.filter((l) => l.includes('gpio event'))).toHaveLength(seen), WAIT);
        clock.advance(thenAdvance);
      }
      await event('1', 20);
      await event('0', 20); // bounce
      await event('1', 49);
      expect(values).toEqual([]);
      clock.advance(1);
      expect(values).toEqual([true]);
      await event('0', 10); // a pulse shorter than the debounce
      await event('1', 50);
      await event('0', 50); // falling: not configured
      await event('1', 50);
      expect(values).toEqual([true, true]);
      expect(await calls('gpiomon')).toEqual(['gpiomon --line-buffered --format=%e gpiochip0 22']);
      await driver.close();
    });

    it('reports a gpiomon that exits and respawns it', async () => {
      const ctx = await context('2.1');
      const driver = await openGpiodSensor(gpioSensorSchema.parse({ name: 'door', driver: 'gpio', pin: 22, edge: 'both' }), ctx);
      const { values, errors, listener } = collect();
      driver.start!(listener);
      await emit('exit');
      await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT);
      expect(errors[0]).toBeInstanceOf(DriverError);
      expect(errors[0]!.message).toMatch(/gpiomon exited \(exit code 1\)/);
      await vi.waitFor(async () => expect(await calls('gpiomon')).toHaveLength(2), WAIT);
      await emit('1');
      await vi.waitFor(() => expect(values).toEqual([true]), WAIT);
      await driver.close();
      expect((await pids()).filter(isAlive)).toEqual([]);
    });

    for (const [version, args] of [
      ['1.6.3', 'gpioget --active-low --bias=disable gpiochip0 23'],
      ['2.1', 'gpioget -c gpiochip0 -l -b disable --numeric 23'],
    ] as const) {
      it(`polls with gpioget (v${version})`, async () => {
        const ctx = await context(version);
        const driver = await openGpiodSensor(gpioSensorSchema.parse({ name: 'level', driver: 'gpio', pin: 23, pull: 'off', active_low: true }), ctx);
        expect(driver.mode).toBe('poll');
        await writeFile(join(dir, 'input'), '1\n');
        expect(await driver.read!()).toBe(true);
        await writeFile(join(dir, 'input'), '0\n');
        expect(await driver.read!()).toBe(false);
        expect(await calls('gpioget')).toEqual([args, args]);
        await driver.close();
      });
    }
  });
});
