import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDevice, type RunningDevice } from '../../src/cli/run-device.js';
import { parseFullDeviceConfig } from '../../src/cli/device-config.js';
import type { Event } from '../../src/client/types.js';
import { formatProblem } from '../../src/common/config-problem.js';
import { silentLogger } from '../../src/common/logger.js';
import { isConsecutive, observer, startRawSocketRouter, until } from '../device/device-fixture.js';

/** A device with its embedded router and an upstream router, wired as `switchyard device` does. */
async function startDevice(upstreamUrl: string): Promise<{ running: RunningDevice; localUrl: string }> {
  const yaml = stringify({
    device: 'kitchen',
    upstream: [{ url: upstreamUrl }],
    local_router: { listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }] },
    actuators: [{ name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' }],
    sensors: [{ name: 'temperature', driver: 'simulated', min: 18, max: 24, unit: '°C', interval: '10ms' }],
  });
  const { config, problems } = parseFullDeviceConfig(yaml, 'kitchen.yaml', {}, () => '');
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  const running = await runDevice(config, silentLogger, {});
  const address = running.router!.listeners[0]!.address;
  return { running, localUrl: `rs://127.0.0.1:${'port' in address ? address.port : 0}` };
}

describe('runDevice (device + embedded router + upstream)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('keeps the LAN working through the local router while upstream is down, then delivers what upstream missed', async () => {
    const TOPIC = 'devices.kitchen.temperature';
    // Each upstream router sees every reading from its start to its close (an in-process
    // subscriber attached before it listens), so a gap in seq is a reading lost by the device.
    const first = await startRawSocketRouter(0, [TOPIC]);
    const { running, localUrl } = await startDevice(first.url);
    cleanups.push(() => running.stop());
    const lan = await observer(localUrl);
    cleanups.push(() => lan.leave());
    await until(() => first.events(TOPIC).length >= 3, 5000, 'readings upstream');
    await first.running.close();

    // Upstream is gone: the LAN still controls the light and sees readings.
    const lanReadings: Event[] = [];
    await lan.subscribe(TOPIC, (event) => void lanReadings.push(event));
    expect((await lan.call('devices.kitchen.light.toggle')).args).toEqual([true]);
    expect((await lan.call('devices.kitchen.light.get')).args).toEqual([true]);
    await until(() => lanReadings.length >= 10, 5000, 'readings on the LAN');
    await until(() => running.host.buffer.size >= 20, 5000, 'readings buffered for upstream');
    const downUntil = Date.now();

    const second = await startRawSocketRouter(first.port, [TOPIC]);
    cleanups.push(() => second.running.close());
    const client = await observer(second.url);
    cleanups.push(() => client.leave());
    const late = second.events(TOPIC);
    const states: Event[] = [];
    await client.subscribe('devices.kitchen.light.state', (event) => void states.push(event), { getRetained: true });
    await until(() => late.some((event) => (event.kwargs['ts'] as number) > downUntil), 10_000, 'fresh readings after the buffered ones');

    const seqs = [...first.events(TOPIC), ...late].map((event) => event.kwargs['seq'] as number);
    const unique = [...new Set(seqs)];
    // In order, nothing missing; a repeat only for what was in flight when the router went away.
    expect(unique[0]).toBe(1);
    expect(isConsecutive(unique)).toBe(true);
    expect(seqs.length - unique.length).toBeLessThanOrEqual(5);
    expect(late.filter((event) => (event.kwargs['ts'] as number) <= downUntil).length).toBeGreaterThanOrEqual(20);
    // The upstream router, new since the change, learns the light's state from the rejoin.
    await until(() => states.length > 0, 3000, 'the light state upstream');
    expect(states.at(-1)!.args).toEqual([true]);
  });

  it('serves the same procedures on both routers', async () => {
    const upstream = await startRawSocketRouter();
    cleanups.push(() => upstream.running.close());
    const { running, localUrl } = await startDevice(upstream.url);
    cleanups.push(() => running.stop());
    const lan = await observer(localUrl);
    cleanups.push(() => lan.leave());
    const hub = await observer(upstream.url);
    cleanups.push(() => hub.leave());
    const status: unknown[] = [];
    await hub.subscribe('devices.kitchen.status', (event) => void status.push(event.args[0]), { getRetained: true });
    await until(() => status.includes('online'), 5000, 'the device online upstream');
    expect((await lan.call('devices.kitchen.light.set', [true])).args).toEqual([true]);
    expect((await hub.call('devices.kitchen.light.get')).args).toEqual([true]);
    expect((await hub.call('devices.kitchen.light.toggle')).args).toEqual([false]);
    expect((await lan.call('devices.kitchen.light.get')).args).toEqual([false]);
    const described = (await hub.call('devices.kitchen.describe')).args[0] as { device: string };
    expect(described.device).toBe('kitchen');
  });
});
