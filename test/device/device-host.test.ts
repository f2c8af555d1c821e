import { afterEach, describe, expect, it } from 'vitest';
import type { ManagedSession } from '../../src/client/managed-session.js';
import type { DeviceHost } from '../../src/device/device-host.js';
import type { Event } from '../../src/client/types.js';
import { deviceConfig, isConsecutive, observer, seqsOf, startDevice, startRawSocketRouter, until } from './device-fixture.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { startTestRouter } from '../helpers/start-router.js';

const BASE = {
  device: 'porch',
  actuators: [
    { name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' },
    { name: 'lamp', driver: 'simulated', kind: 'dimmer', initial: 0.25 },
  ],
  sensors: [{ name: 'temperature', driver: 'simulated', min: 18, max: 24, seed: 7, unit: '°C', interval: '20ms' }],
};

describe('DeviceHost', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  async function setup(config = deviceConfig(BASE)) {
    const router = await startRawSocketRouter();
    cleanups.push(() => router.running.close());
    const device = await startDevice(config, router.url);
    cleanups.push(() => device.host.stop('test'));
    const client = await observer(router.url);
    cleanups.push(() => client.leave());
    await device.announced;
    return { router, device, client };
  }

  it('serves set, get, toggle and describe, and publishes every state change', async () => {
    const { client } = await setup();
    const states: Event[] = [];
    await client.subscribe('devices.porch.light.state', (event) => void states.push(event), { getRetained: true });
    await until(() => states.length >= 1, 2000, 'the retained state');
    expect(states[0]!.retained).toBe(true);
    expect(states[0]!.args).toEqual([false]);

    expect((await client.call('devices.porch.light.set', [true])).args).toEqual([true]);
    expect((await client.call('devices.porch.light.get')).args).toEqual([true]);
    expect((await client.call('devices.porch.light.toggle')).args).toEqual([false]);
    expect((await client.call('devices.porch.lamp.set', [0.75])).args).toEqual([0.75]);
    await until(() => states.length >= 3, 2000, 'state events');
    expect(states.slice(1).map((event) => event.args[0])).toEqual([true, false]);
    expect(states[1]!.kwargs).toMatchObject({ source: 'call' });
    expect(typeof states[1]!.kwargs['ts']).toBe('number');

    const described = (await client.call('devices.porch.describe')).args[0] as Record<string, unknown>;
    expect(described).toMatchObject({
      device: 'porch',
      actuators: [
        { name: 'light', kind: 'switch', state: false },
        { name: 'lamp', kind: 'dimmer', state: 0.75 },
      ],
    });
    expect(described['sensors']).toEqual([expect.objectContaining({ name: 'temperature', unit: '°C', stale: false })]);
  });

  it('answers a wrong value with invalid_argument and a message, and keeps serving', async () => {
    const { client } = await setup();
    await expect(client.call('devices.porch.light.set', ['bright'])).rejects.toMatchObject({
      uri: 'wamp.error.invalid_argument',
      args: [expect.stringMatching(/light is on\/off: expected true or false/)],
    });
    await expect(client.call('devices.porch.lamp.set', [3])).rejects.toMatchObject({ uri: 'wamp.error.invalid_argument' });
    await expect(client.call('devices.porch.lamp.toggle')).rejects.toMatchObject({ uri: 'wamp.error.no_such_procedure' });
    expect((await client.call('devices.porch.lamp.get')).args).toEqual([0.25]);
  });

  it('publishes readings with ts, unit and a seq that counts up', async () => {
    const { client } = await setup();
    const readings: Event[] = [];
    await client.subscribe('devices.porch.temperature', (event) => void readings.push(event));
    await until(() => readings.length >= 5, 3000, 'readings');
    const seqs = seqsOf(readings);
    expect(isConsecutive(seqs)).toBe(true);
    for (const event of readings) {
      expect(event.kwargs['unit']).toBe('°C');
      expect(event.args[0]).toBeGreaterThanOrEqual(18);
      expect(event.args[0]).toBeLessThanOrEqual(24);
    }
  });

  it('shows a late subscriber the retained online status, and offline by testament when the connection dies', async () => {
    const { router, device } = await setup();
    const late = await observer(router.url);
    cleanups.push(() => late.leave());
    const statuses: unknown[] = [];
    await late.subscribe('devices.porch.status', (event) => void statuses.push(event.args[0]), { getRetained: true });
    await until(() => statuses.length === 1, 2000, 'the retained status');
    expect(statuses).toEqual(['online']);
    // Kill the device's connection without a goodbye: the router's testament says offline.
    device.dropConnection();
    await until(() => statuses.includes('offline'), 3000, 'the testament');
    await until(() => statuses.at(-1) === 'online', 3000, 'the device back online');
  });

  it('delivers every reading made while upstream was down, in order, with the original ts', async () => {
    const TOPIC = 'devices.porch.temperature';
    const first = await startRawSocketRouter(0, [TOPIC]);
    const config = deviceConfig({ ...BASE, sensors: [{ ...BASE.sensors[0], interval: '10ms' }] });
    const device = await startDevice(config, first.url);
    cleanups.push(() => device.host.stop('test'));
    await device.upstream.joinedOnce;
    await first.running.close();
    await until(() => device.host.buffer.size >= 30, 5000, 'readings buffered while offline');
    const offlineFrom = Date.now();

    // The second router sees every event from its start (an in-process subscriber attached
    // before it listens): what the device delivers, with no race against a late subscriber.
    const second = await startRawSocketRouter(first.port, [TOPIC]);
    cleanups.push(() => second.running.close());
    const readings = second.events(TOPIC);
    await until(() => device.host.buffer.size === 0 && readings.length >= 30, 10_000, 'the buffer to drain');
    const delivered = [...first.events(TOPIC), ...readings];
    expect(isConsecutive([...new Set(seqsOf(delivered))])).toBe(true);
    const seqs = seqsOf(readings);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(isConsecutive(seqs)).toBe(true);
    // The oldest delivered readings were sampled while the router was away.
    expect(readings[0]!.kwargs['ts'] as number).toBeLessThan(offlineFrom);
  });

  it('drops a reading the router refuses, logs it, and keeps delivering the others', async () => {
    const router = await startTestRouter({
      realms: [
        {
          name: 'home',
          anonymous: { role: 'device' },
          roles: {
            device: [
              { uri: 'devices.porch.', match: 'prefix', allow: ['register', 'subscribe', 'call'] },
              { uri: 'devices.porch.temperature', allow: ['publish', 'subscribe'] },
              { uri: 'devices.porch.status', allow: ['publish'] },
              { uri: 'wamp.session.', match: 'prefix', allow: ['call'] },
            ],
          },
        },
      ],
    });
    cleanups.push(() => router.close());
    const url = `rs://127.0.0.1:${router.rawsocketPort}`;
    const config = deviceConfig({
      device: 'porch',
      sensors: [
        { name: 'temperature', driver: 'simulated', unit: '°C', interval: '10ms' },
        { name: 'humidity', driver: 'simulated', unit: '%RH', interval: '10ms' },
      ],
    });
    const logger = captureLogger();
    const device = await startDevice(config, url, logger);
    cleanups.push(() => device.host.stop('test'));
    const client = await observer(url);
    cleanups.push(() => client.leave());
    const temperatures: Event[] = [];
    await client.subscribe('devices.porch.temperature', (event) => void temperatures.push(event));
    await until(() => device.host.buffer.rejected >= 20 && temperatures.length >= 20, 5000, 'refusals and deliveries');
    expect(device.host.buffer.size).toBeLessThan(20);
    const seqs = seqsOf(temperatures);
    expect(isConsecutive(seqs)).toBe(true);
    expect((device.host.describe()['buffer'] as { rejected: number }).rejected).toBeGreaterThanOrEqual(20);
    const refusals = logger.lines.filter((line) => line.level === 'warn' && line.message.startsWith('reading refused'));
    expect(refusals.map((line) => [line.fields['sensor'], line.fields['error']])).toEqual([['humidity', 'wamp.error.not_authorized']]);
  });
});

export type { DeviceHost, ManagedSession };
