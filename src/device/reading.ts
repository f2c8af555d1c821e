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
