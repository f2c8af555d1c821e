import { realpath } from 'node:fs/promises';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { backoffCeiling, type ResolvedBackoffOptions } from '../../client/backoff.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { SerialSensorConfig } from '../config/schema.js';
import { type DriverContext, DriverError, type SensorDriver, type SensorListener, type SensorValue } from '../driver.js';
import { asError } from '../../client/errors.js';

/**
 * A sensor that prints its readings as text lines on a serial port (an Arduino or ESP on USB, a
 * particulate sensor's UART bridge): one number per line, or one JSON object per line with the
 * value in `field`. Push mode: every good line is a value as it arrives.
 *
 * The port may be missing at start and may be unplugged at any time; the device must run on
 * regardless. Every failure (open refused, port lost, bad line) goes to listener.error, which the
 * runtime throttles in its log, and the port is reopened after 0.5 s, 1 s, 2 s, 4 s, then every 5 s
 * until it is back. `path` is resolved again at every open: a /dev/serial/by-id/… link may point
 * to another ttyUSBn after a replug.
 */

/** The reopen schedule: the client's backoff window without jitter (0.5 s doubling, at most 5 s). */
const RETRY: ResolvedBackoffOptions = { initialMs: 500, maxMs: 5000, factor: 2, retries: Number.POSITIVE_INFINITY };
/** How much of a bad line an error message quotes. */
const QUOTE_CHARS = 60;

/** What serialport calls a binding (bindings-cpp's autoDetect(), or MockBinding in tests). */
type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

export async function openSerialSensor(config: SerialSensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  let binding: unknown;
  try {
    binding = await ctx.loadSerialBinding();
  } catch (error) {
    const reason = asError(error).message;
    throw new DriverError(`serial ports are not available (${reason}); needed for ${config.path}`, { path: config.path, cause: error });
  }
  if (!isBinding(binding)) throw new DriverError(`the serial binding has no open(); needed for ${config.path}`, { path: config.path });
  return new SerialSensor(config, binding, ctx.clock);
}

function isBinding(value: unknown): value is SerialBinding {
  return typeof value === 'object' && value !== null && 'open' in value && typeof value.open === 'function';
}

/** The device node behind `path` (following by-id links); the path as given when it does not exist (MockBinding's ports). */
async function resolvePortPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

class SerialSensor implements SensorDriver {
  readonly mode = 'push';
  readonly #config: SerialSensorConfig;
  readonly #binding: SerialBinding;
  readonly #clock: Clock;
  /** `field` split at its dots once, not on every line. */
  readonly #fieldPath: readonly string[] | undefined;
  #listener: SensorListener | undefined;
  /** The port being opened or open; undefined while waiting to retry. */
  #port: SerialPortStream | undefined;
  #timer: TimerHandle | undefined;
  /** Failed opens since the port was last open. */
  #retries = 0;
  /** The attempt in progress, so close() can wait for it and then close what it opened. */
  #connecting: Promise<void> = Promise.resolve();
  #closed = false;
  /**
   * The first line after each open is dropped: the sensor may have been mid-line when the port
   * opened (or the USB bridge may still hold part of an old one), and a truncated number (`1.5`
   * from `21.5`) would be a wrong reading, worse than one reading less.
   */
  #skipLine = false;

  constructor(config: SerialSensorConfig, binding: SerialBinding, clock: Clock) {
    this.#config = config;
    this.#binding = binding;
    this.#clock = clock;
    this.#fieldPath = config.field?.split('.');
  }

  start(listener: SensorListener): void {
    if (this.#listener !== undefined) throw new DriverError(`serial sensor ${this.#config.path} is already started`);
    this.#listener = listener;
    this.#connecting = this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#connecting;
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** One open attempt; failures are reported and rescheduled, never thrown. */
  async #connect(): Promise<void> {
    const path = await resolvePortPath(this.#config.path);
    if (this.#closed) return;
    const where = path === this.#config.path ? path : `${this.#config.path} (${path})`;
    let port: SerialPortStream;
    try {
      port = new SerialPortStream({ binding: this.#binding, path, baudRate: this.#config.baud, autoOpen: false });
    } catch (error) {
      this.#report(`cannot open serial port ${where}`, error);
      this.#schedule();
      return;
    }
    // Listeners for error and close stay on for the port's whole life: an 'error' nobody listens
    // to would crash the process.
    port.on('error', (error: Error) => this.#lost(port, `serial port ${where} failed`, error));
    port.on('close', (error: Error | null) => {
      const disconnected = error !== null && 'disconnected' in error;
      this.#lost(port, `serial port ${where} ${disconnected ? 'disconnected' : 'closed'}`, error);
    });
    const lines = port.pipe(new ReadlineParser({ delimiter: '\n' }));
    lines.on('data', (line: string) => {
      if (port === this.#port) this.#line(line);
    });
    lines.on('error', (error: Error) => this.#lost(port, `serial port ${where} read failed`, error));
    this.#port = port;
    const error = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (this.#closed) return; // close() closes it
    if (error !== null) {
      this.#port = undefined;
      this.#report(`cannot open serial port ${where}`, error);
      this.#schedule();
      return;
    }
    this.#retries = 0;
    this.#skipLine = true;
  }

  /** The current port went away (or failed): report it once, close what is left, retry. */
  #lost(port: SerialPortStream, message: string, error: Error | null): void {
    if (port !== this.#port || this.#closed) return;
    this.#port = undefined;
    this.#report(message, error);
    if (port.isOpen) port.close(); // its close event no longer concerns us: port is not current
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const delay = backoffCeiling(RETRY, this.#retries++);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#connecting = this.#connect();
    }, delay);
  }

  #line(text: string): void {
    const line = text.trim(); // ReadlineParser splits at \n; CRLF senders leave a \r
    if (line === '') return;
    if (this.#skipLine) {
      this.#skipLine = false;
      return;
    }
    let value: SensorValue;
    try {
      value = parseLine(line, this.#config, this.#fieldPath);
    } catch (error) {
      if (error instanceof DriverError) this.#listener?.error(error);
      return;
    }
    this.#listener?.value(value);
  }

  #report(message: string, error: unknown): void {
    const reason = error instanceof Error ? `: ${error.message}` : '';
    this.#listener?.error(new DriverError(`${message}${reason}`, { path: this.#config.path, cause: error ?? undefined }));
  }
}

/**
 * The value of one non-empty line per `parse` and `field` (`fieldPath`: `field` split at its
 * dots); a DriverError quoting the line when it has none.
 */
export function parseLine(
  line: string,
  config: Pick<SerialSensorConfig, 'path' | 'parse' | 'field'>,
  fieldPath: readonly string[] | undefined = config.field?.split('.'),
): SensorValue {
  const bad = (why: string) => {
    const quoted = JSON.stringify(line.length > QUOTE_CHARS ? `${line.slice(0, QUOTE_CHARS)}…` : line);
    return new DriverError(`serial ${config.path}: bad line ${quoted}: ${why}`, { path: config.path });
  };
  if (config.parse === 'line') {
    const value = Number(line);
    if (!Number.isFinite(value)) throw bad('expected a number');
    return value;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw bad('not JSON');
  }
  if (fieldPath === undefined) {
    if (typeof parsed !== 'number') throw bad('expected a number (set field to take one from an object)');
    return parsed;
  }
  const value = fieldOf(parsed, fieldPath);
  if (value === undefined) throw bad(`no field ${config.field}`);
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw bad(`field ${config.field} is not a number or boolean`);
}

/** `pm.pm25` of `{"pm":{"pm25":12}}` → 12; undefined when any step is missing. */
function fieldOf(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
