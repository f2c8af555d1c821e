import { join } from 'node:path';
import type { SystemSensorConfig } from '../config/schema.js';
import { type DriverContext, DriverError, type SensorDriver, type SensorValue } from '../driver.js';
import { parseNumber, readAttribute, readNumber, requirePath } from './sysfs.js';

/**
 * Health of the device itself: SoC temperature, 1-minute load average, share of memory in use.
 *
 * /proc is not under sysfs and DriverContext has no root for it, so `proc` is a parameter of its
 * own (tests pass a temporary directory); guessing it from `ctx.sysfs` would make a fake sysfs
 * silently read the real /proc.
 */
export async function openSystemSensor(config: SystemSensorConfig, ctx: DriverContext, proc = '/proc'): Promise<SensorDriver> {
  switch (config.metric) {
    case 'cpu_temp': {
      // thermal_zone0 is the SoC on every Raspberry Pi (cpu-thermal).
      const path = join(ctx.sysfs, 'class', 'thermal', 'thermal_zone0', 'temp');
      await requirePath(path, 'CPU thermal zone');
      return poll('°C', async () => (await readNumber(path)) / 1000);
    }
    case 'load1': {
      const path = join(proc, 'loadavg');
      await requirePath(path, 'load average');
      return poll(undefined, async () => parseLoadavg(await readAttribute(path), path));
    }
    case 'mem_used': {
      const path = join(proc, 'meminfo');
      await requirePath(path, 'memory statistics');
      return poll('%', async () => parseMeminfo(await readAttribute(path), path));
    }
  }
}

function poll(unit: string | undefined, read: () => Promise<SensorValue>): SensorDriver {
  return { mode: 'poll', unit, read, close: async () => {} };
}

/** The first field of /proc/loadavg (`0.42 0.37 0.30 1/123 4567`). */
function parseLoadavg(text: string, path: string): number {
  return parseNumber(text.split(/\s+/)[0] ?? '', path);
}

/** The /proc/meminfo lines parseMeminfo reads, compiled once (it runs on every sample). */
const MEM_TOTAL = /^MemTotal:\s+(\d+)/m;
const MEM_AVAILABLE = /^MemAvailable:\s+(\d+)/m;

/**
 * The share of memory in use, in percent rounded to 0.1: 100 × (MemTotal − MemAvailable) /
 * MemTotal. MemAvailable (the kernel's estimate of what can be had without swapping) rather than
 * MemFree, which counts the page cache as used and so reads near 100 % on any busy system.
 */
function parseMeminfo(text: string, path: string): number {
  const total = meminfoField(text, path, 'MemTotal', MEM_TOTAL);
  const available = meminfoField(text, path, 'MemAvailable', MEM_AVAILABLE);
  if (total === 0) throw new DriverError(`${path}: MemTotal is 0`, { path });
  return Math.round((1000 * (total - available)) / total) / 10;
}

function meminfoField(text: string, path: string, name: string, pattern: RegExp): number {
  const match = pattern.exec(text);
  if (match === null) throw new DriverError(`${path}: no ${name} line`, { path });
  return Number(match[1]);
}
