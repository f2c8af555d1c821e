import type { Dict } from '../protocol/messages.js';
import type { SensorValue } from './driver.js';

/**
 * One sensor value bound upstream. `ts` (ms since epoch) is the sampling time and `seq` counts up
 * per sensor: both travel unchanged however late the reading is delivered, so the receiver can
 * order readings and spot gaps after an outage.
 */
export interface Reading {
  sensor: string;
  value: SensorValue;
  ts: number;
  seq: number;
  unit?: string;
}

/**
 * A reading while the offline buffer holds it. `id` is the buffer's own handle (monotonically
 * increasing, persisted with the reading) so ack/reject can name a reading without relying on
 * sensor and seq being unique across restarts.
 */
export interface BufferedReading extends Reading {
  readonly id: number;
}

/** The kwargs a reading is published with (locally and upstream): `ts`, `seq` and `unit` if any. */
export function readingKwargs(ts: number, seq: number, unit: string | undefined): Dict {
  const kwargs: Dict = { ts, seq };
  if (unit !== undefined) kwargs['unit'] = unit;
  return kwargs;
}
