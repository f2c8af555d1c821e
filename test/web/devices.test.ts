import { describe, expect, it } from 'vitest';
import {
  eventAction,
  isStale,
  parseDescription,
  parseTopic,
  reduceDevices,
  shownValue,
  staleAfter,
  STALE_DEFAULT_MS,
  STALE_MIN_MS,
  type DeviceAction,
  type DeviceView,
} from '../../src/web/model/devices.js';

function run(actions: DeviceAction[], start: readonly DeviceView[] = []): readonly DeviceView[] {
  return actions.reduce(reduceDevices, start);
}

const DESCRIPTION = {
  device: 'kitchen',
  actuators: [
    { name: 'light', kind: 'switch', state: false, ts: 1000 },
    { name: 'dimmer', kind: 'dimmer', state: 0.5, ts: 1000 },
  ],
  sensors: [{ name: 'temperature', unit: '°C', value: 21.5, ts: 1000, stale: false }],
  buffer: { size: 0, dropped: 0, rejected: 0 },
};

function described(at = 2000): DeviceAction {
  return { type: 'described', device: 'kitchen', description: parseDescription(DESCRIPTION)!, at };
}

function event(topic: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
  return { topic, args, kwargs };
}

describe('parseTopic', () => {
  it('tells status, actuator state and sensor readings apart under the prefix', () => {
    expect(parseTopic('devices', 'devices.kitchen.status')).toEqual({ kind: 'status', device: 'kitchen' });
    expect(parseTopic('devices', 'devices.kitchen.light.state')).toEqual({ kind: 'state', device: 'kitchen', actuator: 'light' });
    expect(parseTopic('devices', 'devices.kitchen.temperature')).toEqual({ kind: 'reading', device: 'kitchen', sensor: 'temperature' });
    expect(parseTopic('home.devices', 'home.devices.kitchen.temperature')).toEqual({ kind: 'reading', device: 'kitchen', sensor: 'temperature' });
  });

  it('ignores other topics', () => {
    expect(parseTopic('devices', 'other.kitchen.status')).toBeUndefined();
    expect(parseTopic('devices', 'devicesx.kitchen.status')).toBeUndefined();
    expect(parseTopic('devices', 'devices.kitchen')).toBeUndefined();
    expect(parseTopic('devices', 'devices.kitchen.light.other')).toBeUndefined();
    expect(parseTopic('devices', 'devices.kitchen..state')).toBeUndefined();
  });
});

describe('eventAction', () => {
  it('turns events into actions, stamped with the arrival time', () => {
    expect(eventAction('devices', event('devices.kitchen.status', ['offline']), 5)).toEqual({ type: 'status', device: 'kitchen', online: false, at: 5 });
    expect(eventAction('devices', event('devices.kitchen.light.state', [true], { ts: 4, source: 'call' }), 5)).toEqual({
      type: 'state',
      device: 'kitchen',
      actuator: 'light',
      value: true,
      ts: 4,
      at: 5,
    });
    expect(eventAction('devices', event('devices.kitchen.temperature', [21.5], { ts: 4, unit: '°C', seq: 9 }), 5)).toEqual({
      type: 'reading',
      device: 'kitchen',
      sensor: 'temperature',
      value: 21.5,
      ts: 4,
      unit: '°C',
      seq: 9,
      at: 5,
    });
  });

  it('drops payloads that are not what a device sends', () => {
    expect(eventAction('devices', event('devices.kitchen.status', ['maybe']), 5)).toBeUndefined();
    expect(eventAction('devices', event('devices.kitchen.light.state', ['on']), 5)).toBeUndefined();
    expect(eventAction('devices', event('devices.kitchen.temperature', [Number.NaN]), 5)).toBeUndefined();
    expect(eventAction('devices', event('devices.kitchen.temperature', []), 5)).toBeUndefined();
  });
});

describe('parseDescription', () => {
  it('keeps what it understands and marks actuators without hardware unavailable', () => {
    const parsed = parseDescription({
      device: 'd',
      actuators: [{ name: 'relay', kind: 'switch', state: null, available: false }, { name: 'x', kind: 'servo' }, 'junk'],
      sensors: [{ name: 's', unit: null, value: null, ts: null, stale: true }, { unit: 'x' }],
    });
    expect(parsed).toEqual({
      device: 'd',
      actuators: [{ name: 'relay', kind: 'switch', state: null, ts: null, available: false }],
      sensors: [{ name: 's', unit: null, value: null, ts: null, stale: true }],
    });
    expect(parseDescription(null)).toBeUndefined();
    expect(parseDescription({ actuators: [] })).toBeUndefined();
  });
});

describe('reduceDevices', () => {
  it('adds devices in name order as they are first heard of', () => {
    const devices = run([
      { type: 'status', device: 'porch', online: true, at: 1 },
      { type: 'status', device: 'attic', online: false, at: 2 },
    ]);
    expect(devices.map((d) => [d.name, d.status, d.statusSince])).toEqual([
      ['attic', 'offline', 2],
      ['porch', 'online', 1],
    ]);
  });

  it('fills in a device from describe, keeping the order the device gives', () => {
    const [device] = run([{ type: 'status', device: 'kitchen', online: true, at: 1 }, described()]);
    expect(device!.described).toBe(true);
    expect(device!.actuators.map((a) => [a.name, a.kind, a.state])).toEqual([
      ['light', 'switch', false],
      ['dimmer', 'dimmer', 0.5],
    ]);
    expect(device!.sensors[0]).toMatchObject({ name: 'temperature', unit: '°C', value: 21.5, failing: false });
    expect(device!.sensors[0]!.history.v).toEqual([21.5]);
  });

  it('keeps a state event newer than the describe answer', () => {
    const [device] = run([{ type: 'state', device: 'kitchen', actuator: 'light', value: true, ts: 1500, at: 1600 }, described()]);
    expect(device!.actuators.find((a) => a.name === 'light')!.state).toBe(true);
    expect(device!.actuators.find((a) => a.name === 'light')!.kind).toBe('switch');
  });

  it('ignores a state event older than what it shows', () => {
    const [device] = run([
      described(),
      { type: 'state', device: 'kitchen', actuator: 'light', value: true, ts: 900, at: 2100 },
    ]);
    expect(device!.actuators[0]!.state).toBe(false);
  });

  it('shows the pending value until the call for it answers, then the device state', () => {
    let devices = run([described(), { type: 'setRequested', device: 'kitchen', actuator: 'light', value: true, request: 1 }]);
    const light = () => devices[0]!.actuators[0]!;
    expect(light().pending).toEqual({ value: true, request: 1 });
    expect(shownValue(light())).toBe(true);
    expect(light().state).toBe(false);
    devices = run([{ type: 'setSucceeded', device: 'kitchen', actuator: 'light', request: 1, value: true }], devices);
    expect(light().pending).toBeUndefined();
    expect(light().state).toBe(true);
  });

  it('rolls back to the device state with a message when the call fails', () => {
    const devices = run([
      described(),
      { type: 'setRequested', device: 'kitchen', actuator: 'light', value: true, request: 1 },
      { type: 'setFailed', device: 'kitchen', actuator: 'light', request: 1, message: 'The hardware is not available.' },
    ]);
    const light = devices[0]!.actuators[0]!;
    expect(shownValue(light)).toBe(false);
    expect(light.error).toEqual({ message: 'The hardware is not available.', request: 1 });
    const dismissed = run([{ type: 'errorDismissed', device: 'kitchen', actuator: 'light', request: 1 }], devices);
    expect(dismissed[0]!.actuators[0]!.error).toBeUndefined();
  });

  it('leaves a newer request pending when an older one answers (dragging a dimmer)', () => {
    const devices = run([
      described(),
      { type: 'setRequested', device: 'kitchen', actuator: 'dimmer', value: 0.6, request: 1 },
      { type: 'setRequested', device: 'kitchen', actuator: 'dimmer', value: 0.7, request: 2 },
      { type: 'setSucceeded', device: 'kitchen', actuator: 'dimmer', request: 1, value: 0.6 },
      { type: 'setFailed', device: 'kitchen', actuator: 'dimmer', request: 1, message: 'late' },
    ]);
    const dimmer = devices[0]!.actuators[1]!;
    expect(dimmer.pending).toEqual({ value: 0.7, request: 2 });
    expect(shownValue(dimmer)).toBe(0.7);
    expect(dimmer.error).toBeUndefined();
  });

  it('keeps a sensor history, drops the repeat of a reading, and shows late readings in history only', () => {
    const devices = run([
      described(),
      { type: 'reading', device: 'kitchen', sensor: 'temperature', value: 22, ts: 3000, unit: '°C', seq: 1, at: 3000 },
      { type: 'reading', device: 'kitchen', sensor: 'temperature', value: 22, ts: 3000, unit: '°C', seq: 1, at: 3010 },
      { type: 'reading', device: 'kitchen', sensor: 'temperature', value: 23, ts: 4000, unit: '°C', seq: 2, at: 4000 },
      { type: 'reading', device: 'kitchen', sensor: 'temperature', value: 19, ts: 2500, unit: '°C', seq: 0, at: 4100 },
    ]);
    const sensor = devices[0]!.sensors[0]!;
    expect(sensor.value).toBe(23);
    expect(sensor.history.v).toEqual([21.5, 19, 22, 23]);
    expect(sensor.history.t).toEqual([1000, 2500, 3000, 4000]);
  });

  it('puts readings on the page clock when the device clock is off', () => {
    // The device's clock is an hour behind the page's.
    const hour = 3_600_000;
    const devices = run([
      { type: 'reading', device: 'pi', sensor: 't', value: 1, ts: 10_000 - hour, unit: null, seq: 1, at: 10_050 },
      { type: 'reading', device: 'pi', sensor: 't', value: 2, ts: 11_000 - hour, unit: null, seq: 2, at: 11_020 },
    ]);
    const sensor = devices[0]!.sensors[0]!;
    expect(sensor.at).toBe(11_000 + 20);
    expect(isStale(sensor, 12_000)).toBe(false);
  });

  it('forgets every device on cleared', () => {
    expect(run([described(), { type: 'cleared' }])).toEqual([]);
  });

  it('returns the same array when nothing changed', () => {
    const devices = run([described()]);
    expect(reduceDevices(devices, { type: 'setSucceeded', device: 'nope', actuator: 'light', request: 1, value: true })).toBe(devices);
    expect(reduceDevices(devices, { type: 'status', device: 'kitchen', online: false, at: 1 })).not.toBe(devices);
  });
});

describe('staleness', () => {
  it('follows the rhythm of the readings, within bounds', () => {
    const [device] = run([described()]);
    const sensor = device!.sensors[0]!;
    expect(staleAfter(sensor)).toBe(STALE_DEFAULT_MS);
    const history = { t: [0, 60_000, 120_000], v: [1, 2, 3] };
    expect(staleAfter({ ...sensor, history })).toBe(150_000);
    expect(staleAfter({ ...sensor, history: { t: [0, 1000], v: [1, 2] } })).toBe(STALE_MIN_MS);
    expect(isStale({ ...sensor, at: 0, history }, 100_000)).toBe(false);
    expect(isStale({ ...sensor, at: 0, history }, 200_000)).toBe(true);
    expect(isStale({ ...sensor, at: 0, history, failing: true }, 1)).toBe(true);
  });
});
