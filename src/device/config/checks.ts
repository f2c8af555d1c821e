import type { PathIssue } from '../../common/yaml-schema.js';
import type { DeviceFileConfig } from './schema.js';

/**
 * Checks of a device config that involve more than one entry, run after the schema accepted
 * it: names are one namespace for actuators and sensors, a GPIO line or PWM channel is used
 * once, and keys that only mean something together with another one.
 */
export function checkDeviceConfig(config: DeviceFileConfig): PathIssue[] {
  const issues: PathIssue[] = [];
  checkNames(config, issues);
  checkHardwareUse(config, issues);
  config.sensors.forEach((sensor, index) => {
    if (sensor.max_interval !== undefined && sensor.deadband === undefined) {
      issues.push({ path: ['sensors', index, 'max_interval'], message: 'only used together with deadband' });
    }
    if (sensor.driver === 'gpio' && sensor.average !== undefined) {
      issues.push({ path: ['sensors', index, 'average'], message: 'a digital input cannot be averaged' });
    }
    if (sensor.driver === 'simulated' && sensor.min > sensor.max) {
      issues.push({ path: ['sensors', index, 'min'], message: `min (${sensor.min}) is greater than max (${sensor.max})` });
    }
    if (sensor.driver === 'serial' && sensor.field !== undefined && sensor.parse !== 'json') {
      issues.push({ path: ['sensors', index, 'field'], message: 'only used with parse: json' });
    }
  });
  config.actuators.forEach((actuator, index) => {
    if (actuator.driver === 'simulated' && actuator.initial !== undefined) {
      const wantsBoolean = actuator.kind === 'switch';
      if (wantsBoolean !== (typeof actuator.initial === 'boolean')) {
        issues.push({ path: ['actuators', index, 'initial'], message: wantsBoolean ? 'expected on or off for a switch' : 'expected a number 0..1 for a dimmer' });
      }
    }
  });
  return issues;
}

function checkNames(config: DeviceFileConfig, issues: PathIssue[]): void {
  const seen = new Map<string, string>();
  const entries = [
    ...config.actuators.map((entry, index) => ({ name: entry.name, path: ['actuators', index, 'name'], what: `actuators[${index}]` })),
    ...config.sensors.map((entry, index) => ({ name: entry.name, path: ['sensors', index, 'name'], what: `sensors[${index}]` })),
  ];
  for (const { name, path, what } of entries) {
    const first = seen.get(name);
    if (first !== undefined) issues.push({ path, message: `name '${name}' is already used by ${first} (actuators and sensors share one namespace)` });
    else seen.set(name, what);
  }
  for (const reserved of RESERVED_NAMES) {
    const clash = entries.find((entry) => entry.name === reserved);
    if (clash !== undefined) issues.push({ path: clash.path, message: `'${reserved}' is reserved for the device's own URI` });
  }
}

/** `{prefix}.{device}.describe` and `.status` belong to the device. */
const RESERVED_NAMES = ['describe', 'status'];

function checkHardwareUse(config: DeviceFileConfig, issues: PathIssue[]): void {
  const used = new Map<string, string>();
  const claim = (resource: string, path: PropertyKey[], what: string, label: string) => {
    const first = used.get(resource);
    if (first !== undefined) issues.push({ path, message: `${label} is already used by ${first}` });
    else used.set(resource, what);
  };
  config.actuators.forEach((entry, index) => {
    if (entry.driver === 'gpio') claim(`gpio:${entry.chip ?? ''}:${entry.pin}`, ['actuators', index, 'pin'], `actuators[${index}]`, `pin ${entry.pin}`);
    if (entry.driver === 'pwm') {
      claim(`pwm:${entry.chip}:${entry.channel}`, ['actuators', index, 'channel'], `actuators[${index}]`, `pwm chip ${entry.chip} channel ${entry.channel}`);
    }
  });
  config.sensors.forEach((entry, index) => {
    if (entry.driver === 'gpio') claim(`gpio:${entry.chip ?? ''}:${entry.pin}`, ['sensors', index, 'pin'], `sensors[${index}]`, `pin ${entry.pin}`);
    if (entry.driver === 'serial') claim(`serial:${entry.path}`, ['sensors', index, 'path'], `sensors[${index}]`, `port ${entry.path}`);
  });
}
