import { append, EMPTY_SERIES, longestGap, type Series } from './series.js';

export { eventAction, parseDescription, parseTopic, type TopicKind } from './device-events.js';

/**
 * The devices of the realm as the views render them, and the pure reducer that turns what WAMP
 * delivers (status, state and reading events, describe results, call outcomes) into that state.
 * Every time an action carries (`at`) is the page's clock when it arrived, so the reducer is pure.
 */

export type ActuatorKind = 'switch' | 'dimmer';
export type ActuatorValue = boolean | number;
export type SensorValue = boolean | number;
export type DeviceStatus = 'online' | 'offline' | 'unknown';

export interface ActuatorView {
  readonly name: string;
  /** Undefined until the device's describe answered. */
  readonly kind: ActuatorKind | undefined;
  /** The state the device reported; null while unknown (or the hardware is unavailable). */
  readonly state: ActuatorValue | null;
  /** The device's timestamp of `state`, to order describe results against state events. */
  readonly stateTs: number | null;
  /** False when the device reports the actuator's hardware missing. */
  readonly available: boolean;
  /** The value asked for and not yet confirmed; shown instead of `state` meanwhile. */
  readonly pending: { readonly value: ActuatorValue; readonly request: number } | undefined;
  /** Why the last change failed (the shown value went back to `state`). */
  readonly error: { readonly message: string; readonly request: number } | undefined;
}

export interface SensorView {
  readonly name: string;
  readonly unit: string | null;
  readonly value: SensorValue | null;
  /** When the value was sampled, on the page's clock (see DeviceView.clockOffsets). */
  readonly at: number | null;
  readonly seq: number | null;
  /** The device says reads are failing (describe's `stale`). */
  readonly failing: boolean;
  readonly history: Series;
}

export interface DeviceView {
  readonly name: string;
  readonly status: DeviceStatus;
  /** When the status last changed (page clock); null while unknown. */
  readonly statusSince: number | null;
  readonly described: boolean;
  readonly actuators: readonly ActuatorView[];
  readonly sensors: readonly SensorView[];
  /**
   * Recent (arrival − sample ts) differences: their minimum estimates the page clock minus the
   * device clock (plus the smallest delivery delay). A Pi without network time can be far off;
   * ages and chart times use sample ts + this offset.
   */
  readonly clockOffsets: readonly number[];
}

/** A `describe` answer, checked (it comes from the network). */
export interface Description {
  readonly device: string;
  readonly actuators: readonly { name: string; kind: ActuatorKind; state: ActuatorValue | null; ts: number | null; available: boolean }[];
  readonly sensors: readonly { name: string; unit: string | null; value: SensorValue | null; ts: number | null; stale: boolean }[];
}

export type DeviceAction =
  | { type: 'status'; device: string; online: boolean; at: number }
  | { type: 'described'; device: string; description: Description; at: number }
  | { type: 'state'; device: string; actuator: string; value: ActuatorValue; ts: number | null; at: number }
  | { type: 'reading'; device: string; sensor: string; value: SensorValue; ts: number | null; unit: string | null; seq: number | null; at: number }
  | { type: 'setRequested'; device: string; actuator: string; value: ActuatorValue; request: number }
  | { type: 'setSucceeded'; device: string; actuator: string; request: number; value: ActuatorValue | undefined }
  | { type: 'setFailed'; device: string; actuator: string; request: number; message: string }
  | { type: 'errorDismissed'; device: string; actuator: string; request: number }
  | { type: 'cleared' };

const OFFSET_WINDOW = 16;

// ---- the reducer ------------------------------------------------------------------------------

export function reduceDevices(devices: readonly DeviceView[], action: DeviceAction): readonly DeviceView[] {
  switch (action.type) {
    case 'cleared':
      return devices.length === 0 ? devices : [];
    case 'status':
      return withDevice(devices, action.device, (d) => {
        const status: DeviceStatus = action.online ? 'online' : 'offline';
        return d.status === status ? d : { ...d, status, statusSince: action.at };
      });
    case 'described':
      return withDevice(devices, action.device, (d) => described(d, action.description, action.at));
    case 'state':
      return withDevice(devices, action.device, (d) =>
        withActuator(d, action.actuator, (a) =>
          a.stateTs !== null && action.ts !== null && action.ts < a.stateTs ? a : { ...a, state: action.value, stateTs: action.ts, available: true },
        ),
      );
    case 'reading':
      return withDevice(devices, action.device, (d) => reading(d, action));
    case 'setRequested':
      return withExisting(devices, action.device, action.actuator, (a) => ({
        ...a,
        pending: { value: action.value, request: action.request },
        error: undefined,
      }));
    case 'setSucceeded':
      return withExisting(devices, action.device, action.actuator, (a) => {
        const state = action.value !== undefined ? { state: action.value, available: true } : {};
        return { ...a, ...state, pending: a.pending?.request === action.request ? undefined : a.pending };
      });
    case 'setFailed':
      return withExisting(devices, action.device, action.actuator, (a) =>
        a.pending?.request !== action.request ? a : { ...a, pending: undefined, error: { message: action.message, request: action.request } },
      );
    case 'errorDismissed':
      return withExisting(devices, action.device, action.actuator, (a) => (a.error?.request === action.request ? { ...a, error: undefined } : a));
  }
}

function emptyDevice(name: string): DeviceView {
  return { name, status: 'unknown', statusSince: null, described: false, actuators: [], sensors: [], clockOffsets: [] };
}

function emptyActuator(name: string): ActuatorView {
  return { name, kind: undefined, state: null, stateTs: null, available: true, pending: undefined, error: undefined };
}

function emptySensor(name: string): SensorView {
  return { name, unit: null, value: null, at: null, seq: null, failing: false, history: EMPTY_SERIES };
}

/** The page-clock time of a device timestamp (see DeviceView.clockOffsets). */
function pageTime(device: DeviceView, ts: number | null, at: number): number {
  if (ts === null) return at;
  const offset = device.clockOffsets.length > 0 ? Math.min(...device.clockOffsets) : 0;
  return Math.min(ts + offset, at);
}

function described(device: DeviceView, description: Description, at: number): DeviceView {
  const actuators = description.actuators.map((given) => {
    const known = device.actuators.find((a) => a.name === given.name) ?? emptyActuator(given.name);
    const newer = known.stateTs === null || (given.ts !== null && given.ts >= known.stateTs);
    return {
      ...known,
      kind: given.kind,
      ...(newer ? { state: given.state, stateTs: given.ts, available: given.available } : {}),
    };
  });
  const sensors = description.sensors.map((given) => {
    const known = device.sensors.find((s) => s.name === given.name) ?? emptySensor(given.name);
    const base = { ...known, unit: given.unit ?? known.unit, failing: given.stale };
    if (given.value === null || given.ts === null) return base;
    const when = pageTime(device, given.ts, at);
    if (known.at !== null && when <= known.at) return base;
    return { ...base, value: given.value, at: when, history: append(known.history, when, Number(given.value)) };
  });
  // Names the device no longer has (its config changed) are dropped; events may add them back.
  return { ...device, described: true, actuators, sensors };
}

function reading(device: DeviceView, action: Extract<DeviceAction, { type: 'reading' }>): DeviceView {
  const clockOffsets = action.ts === null ? device.clockOffsets : [...device.clockOffsets, action.at - action.ts].slice(-OFFSET_WINDOW);
  const withClock = { ...device, clockOffsets };
  return withSensor(withClock, action.sensor, (s) => {
    if (action.seq !== null && action.seq === s.seq) return s; // the rare repeat after a reconnect
    const when = pageTime(withClock, action.ts, action.at);
    const history = append(s.history, when, Number(action.value));
    if (s.at !== null && when < s.at) return { ...s, history }; // a late reading: history only
    return { ...s, value: action.value, at: when, seq: action.seq, unit: action.unit ?? s.unit, failing: false, history };
  });
}

// ---- staleness --------------------------------------------------------------------------------

/** Without a rhythm to go by (fewer than two readings): stale after this long. */
export const STALE_DEFAULT_MS = 10 * 60 * 1000;
export const STALE_MIN_MS = 2 * 60 * 1000;
export const STALE_MAX_MS = 30 * 60 * 1000;

/**
 * How old a reading may get before it is shown as stale. The device does not publish its
 * schedule (interval, deadband, max_interval), so this follows the rhythm seen so far: 2.5 × the
 * longest recent gap between readings, kept between 2 and 30 minutes.
 */
export function staleAfter(sensor: SensorView): number {
  const gap = longestGap(sensor.history);
  if (gap === undefined) return STALE_DEFAULT_MS;
  return Math.min(STALE_MAX_MS, Math.max(STALE_MIN_MS, 2.5 * gap));
}

export function isStale(sensor: SensorView, now: number): boolean {
  return sensor.failing || sensor.at === null || now - sensor.at > staleAfter(sensor);
}

/** The value to show: the pending one while a change is under way, else the device's. */
export function shownValue(actuator: ActuatorView): ActuatorValue | null {
  return actuator.pending !== undefined ? actuator.pending.value : actuator.state;
}

// ---- helpers ----------------------------------------------------------------------------------

/** Applies `change` to the named device, adding it (sorted by name) when it is new. */
function withDevice(devices: readonly DeviceView[], name: string, change: (device: DeviceView) => DeviceView): readonly DeviceView[] {
  const next = withNamed(devices, name, emptyDevice, change);
  return next.length > devices.length ? [...next].sort((a, b) => a.name.localeCompare(b.name)) : next;
}

function withActuator(device: DeviceView, name: string, change: (actuator: ActuatorView) => ActuatorView): DeviceView {
  const actuators = withNamed(device.actuators, name, emptyActuator, change);
  return actuators === device.actuators ? device : { ...device, actuators };
}

function withSensor(device: DeviceView, name: string, change: (sensor: SensorView) => SensorView): DeviceView {
  const sensors = withNamed(device.sensors, name, emptySensor, change);
  return sensors === device.sensors ? device : { ...device, sensors };
}

/** Applies `change` to the item called `name`, appending `empty(name)` changed when there is none; the same list when nothing changed. */
function withNamed<T extends { readonly name: string }>(items: readonly T[], name: string, empty: (name: string) => T, change: (item: T) => T): readonly T[] {
  const index = items.findIndex((item) => item.name === name);
  if (index < 0) return [...items, change(empty(name))];
  const next = change(items[index]!);
  return next === items[index] ? items : items.map((item, i) => (i === index ? next : item));
}

/** Like withDevice + withActuator, but never adds either (requests and outcomes for unknown things are dropped). */
function withExisting(devices: readonly DeviceView[], device: string, actuator: string, change: (a: ActuatorView) => ActuatorView): readonly DeviceView[] {
  if (!devices.some((d) => d.name === device && d.actuators.some((a) => a.name === actuator))) return devices;
  return withDevice(devices, device, (d) => withActuator(d, actuator, change));
}
