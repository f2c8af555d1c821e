import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Event } from '../../src/client/types.js';
import { isConsecutive, observer, startRawSocketRouter, until } from '../device/device-fixture.js';
import { closedPort } from './closed-port.js';
import { DeviceProcess, writeDeviceConfig } from './device-process.js';

/** `switchyard device` as a process: signals, the persisted buffer across SIGKILL, exit codes. */
describe('switchyard device (process)', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-device-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  function spawnDevice(file: string): DeviceProcess {
    const device = new DeviceProcess(file);
    cleanups.push(() => device.stop('SIGKILL'));
    return device;
  }

  it('writes the safe state, publishes offline and exits 0 on SIGTERM', async () => {
    const router = await startRawSocketRouter();
    cleanups.push(() => router.running.close());
    const dir = tempDir();
    const file = writeDeviceConfig(dir, {
      device: 'relay',
      upstream: [{ url: router.url }],
      actuators: [{ name: 'pump', driver: 'simulated', kind: 'switch', initial: 'on', on_disconnect: 'off' }],
      state_dir: dir,
    });
    const client = await observer(router.url);
    cleanups.push(() => client.leave());
    const states: Event[] = [];
    const statuses: unknown[] = [];
    await client.subscribe('devices.relay.pump.state', (event) => void states.push(event));
    await client.subscribe('devices.relay.status', (event) => void statuses.push(event.args[0]));
    const device = spawnDevice(file);
    await until(() => statuses.includes('online'), 10_000, 'the device online');
    expect((await client.call('devices.relay.pump.get')).args).toEqual([true]);

    const exit = await device.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    await until(() => statuses.at(-1) === 'offline', 3000, 'offline');
    expect(states.at(-1)?.args).toEqual([false]);
    expect(states.at(-1)?.kwargs).toMatchObject({ source: 'safe_state' });
  });

  it('exits 0 on SIGTERM when its upstream router was never reachable', async () => {
    const dir = tempDir();
    const file = writeDeviceConfig(dir, {
      device: 'lonely',
      upstream: [{ url: `rs://127.0.0.1:${await closedPort()}` }],
      actuators: [{ name: 'valve', driver: 'simulated', kind: 'switch', initial: 'on', on_disconnect: 'off' }],
      state_dir: dir,
    });
    const device = spawnDevice(file);
    await device.waitForLine(/device started/);
    expect(await device.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(device.lines.filter((line) => /^error /.test(line))).toEqual([]);
    expect(device.lines.some((line) => /safe state applied .*actuator=valve/.test(line))).toBe(true);
  });

  it('keeps running with neither an upstream nor a local router, says so, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const file = writeDeviceConfig(dir, {
      device: 'alone',
      sensors: [{ name: 'temperature', driver: 'simulated', unit: '°C', interval: '1h' }],
      state_dir: dir,
    });
    const device = spawnDevice(file);
    await device.waitForLine(/device ready/);
    expect(device.lines).toContain(`warn ${file}:1: (root): no upstream and no local_router: nothing can reach this device`);
    // Nothing holds a socket or a referenced timer; the process must still wait for its stop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(device.child.exitCode).toBeNull();
    expect(await device.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('exits 1 with every problem listed for an invalid config, starting nothing', async () => {
    const dir = tempDir();
    const file = writeDeviceConfig(dir, { device: 'Bad Name', sensors: [{ name: 'x', driver: 'simulated', interval: 'often' }] });
    const device = spawnDevice(file);
    const exit = await device.exited;
    expect(exit.code).toBe(1);
    expect(device.lines).toEqual([
      `${file}:1: device: expected a name of lowercase letters, digits and _ (it is part of every URI)`,
      `${file}:5: sensors[0].interval: expected a duration such as 500ms, 10s, 5m or 1h`,
    ]);
  });

  it('loses no flushed reading when killed while offline, and continues seq after the restart', { timeout: 30_000 }, async () => {
    const TOPIC = 'devices.meter.power';
    // Each upstream router sees every reading from its start to its close (an in-process
    // subscriber attached before it listens), so a gap in seq is a reading lost by the device.
    const first = await startRawSocketRouter(0, [TOPIC]);
    const dir = tempDir();
    const flushMs = 200;
    const file = writeDeviceConfig(dir, {
      device: 'meter',
      upstream: [{ url: first.url }],
      sensors: [{ name: 'power', driver: 'simulated', min: 0, max: 100, seed: 5, unit: 'W', interval: '20ms' }],
      buffer: { max: 100_000, persist: true, flush: `${flushMs}ms` },
      state_dir: dir,
    });
    const live = first.events(TOPIC);
    let device = spawnDevice(file);
    await until(() => live.length >= 5, 10_000, 'live readings');
    await first.running.close();

    // Offline for a while, then a power cut.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const killedAt = Date.now();
    await device.stop('SIGKILL');

    const second = await startRawSocketRouter(first.port, [TOPIC]);
    cleanups.push(() => second.running.close());
    const later = second.events(TOPIC);
    device = spawnDevice(file);
    await device.waitForLine(/delivering buffered readings/);
    const before = (event: Event) => (event.kwargs['ts'] as number) < killedAt;
    await until(() => later.some((event) => !before(event)), 10_000, 'a reading made after the restart');

    const all = [...live, ...later];
    const seqs = all.map((event) => event.kwargs['seq'] as number);
    // Every reading once (but for a repeat of those in flight at the failure), in order, no gap.
    const unique = [...new Set(seqs)];
    expect(isConsecutive(unique)).toBe(true);
    expect(unique[0]).toBe(1);
    // Readings flushed before the kill (older than 2 × flush) were delivered after the restart;
    // 500 ms of slack for a device process that a busy machine does not schedule on time.
    const lastBeforeKill = Math.max(...later.filter(before).map((event) => event.kwargs['ts'] as number));
    expect(lastBeforeKill).toBeGreaterThanOrEqual(killedAt - 2 * flushMs - 500);
    for (const event of later) expect(event.kwargs['unit']).toBe('W');
  });
});
