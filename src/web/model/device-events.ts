import type { Args, Dict } from '../../protocol/messages.js';
import type { ActuatorValue, DeviceAction, Description } from './devices.js';

/**
 * What WAMP delivers, checked (it comes from the network) and turned into the actions of the
 * devices reducer (devices.ts): the events of the `{prefix}.` subscription and describe answers.
 */

/** What the part of a topic after `{prefix}.` names: `{device}.status`, `{device}.{actuator}.state`, `{device}.{sensor}`. */
export type TopicKind =
  | { kind: 'status'; device: string }
  | { kind: 'state'; device: string; actuator: string }
  | { kind: 'reading'; device: string; sensor: string };

export function parseTopic(prefix: string, topic: string): TopicKind | undefined {
  if (!topic.startsWith(`${prefix}.`)) return undefined;
  const parts = topic.slice(prefix.length + 1).split('.');
  if (parts.some((part) => part === '')) return undefined;
  const [device, name, last] = parts as [string, string | undefined, string | undefined];
  if (parts.length === 2 && name === 'status') return { kind: 'status', device };
  if (parts.length === 2) return { kind: 'reading', device, sensor: name! };
  if (parts.length === 3 && last === 'state') return { kind: 'state', device, actuator: name! };
  return undefined;
}

/** The action for one event of the `{prefix}.` subscription; undefined for anything else. */
export function eventAction(prefix: string, event: { topic: string; args: Args; kwargs: Dict }, at: number): DeviceAction | undefined {
  const parsed = parseTopic(prefix, event.topic);
  const value = event.args[0];
  switch (parsed?.kind) {
    case 'status':
      return value === 'online' || value === 'offline' ? { type: 'status', device: parsed.device, online: value === 'online', at } : undefined;
    case 'state':
      if (!isActuatorValue(value)) return undefined;
      return { type: 'state', device: parsed.device, actuator: parsed.actuator, value, ts: numberOr(event.kwargs['ts'], null), at };
    case 'reading':
      if (!isActuatorValue(value)) return undefined;
      return {
        type: 'reading',
        device: parsed.device,
        sensor: parsed.sensor,
        value,
        ts: numberOr(event.kwargs['ts'], null),
        unit: typeof event.kwargs['unit'] === 'string' ? event.kwargs['unit'] : null,
        seq: numberOr(event.kwargs['seq'], null),
        at,
      };
    default:
      return undefined;
  }
}

/** Checks a describe answer; undefined when it is not one. */
export function parseDescription(value: unknown): Description | undefined {
  if (!isRecord(value) || typeof value['device'] !== 'string') return undefined;
  const actuators = Array.isArray(value['actuators']) ? value['actuators'] : [];
  const sensors = Array.isArray(value['sensors']) ? value['sensors'] : [];
  return {
    device: value['device'],
    actuators: actuators.filter(isRecord).flatMap((a) => {
      const kind = a['kind'];
      if (typeof a['name'] !== 'string' || (kind !== 'switch' && kind !== 'dimmer')) return [];
      const state = isActuatorValue(a['state']) ? a['state'] : null;
      return [{ name: a['name'], kind, state, ts: numberOr(a['ts'], null), available: a['available'] !== false }];
    }),
    sensors: sensors.filter(isRecord).flatMap((s) => {
      if (typeof s['name'] !== 'string') return [];
      return [
        {
          name: s['name'],
          unit: typeof s['unit'] === 'string' ? s['unit'] : null,
          value: isActuatorValue(s['value']) ? s['value'] : null,
          ts: numberOr(s['ts'], null),
          stale: s['stale'] === true,
        },
      ];
    }),
  };
}

function isActuatorValue(value: unknown): value is ActuatorValue {
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
