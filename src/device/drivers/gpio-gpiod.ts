import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { GpioActuatorConfig, GpioSensorConfig } from '../config/schema.js';
import type { ActuatorDriver, ActuatorValue, DriverContext, SensorDriver, SensorListener, SensorValue } from '../driver.js';
import { DriverError, HardwareMissingError } from '../driver.js';
import { type CharDevChip, findCharDevChip } from './gpio-chip.js';
import { LineProcess } from './gpio-gpiod-process.js';

/**
 * The gpio backend through the libgpiod command-line tools (for kernels without sysfs GPIO), one
 * long-lived child per line. Flags differ between the two major versions (checked against the
 * libgpiod sources, tools/ of v1.6.x and v2.0–v2.2):
 *   v1: gpioset --mode=signal [--active-low] CHIP OFFSET=V      (holds until SIGTERM)
 *       gpiomon --line-buffered --format=%e [--active-low] [--bias=B] [--rising-edge|--falling-edge] CHIP OFFSET
 *               prints `1` (rising) or `0` (falling); without --line-buffered its stdout, a pipe,
 *               is block-buffered and events would sit in it
 *       gpioget [--active-low] [--bias=B] CHIP OFFSET             prints `0`/`1`
 *   v2: gpioset -c CHIP [-l] OFFSET=V                             (holds by default)
 *       gpiomon -c CHIP [-l] [-b B] -e EDGES [-p Nms] -F %e OFFSET
 *               prints `1` (rising) or `2` (falling); it flushes stdout after each batch
 *       gpioget -c CHIP [-l] [-b B] --numeric OFFSET               prints `0`/`1`
 * Bias B is pull-up, pull-down or disable. v1 has no debounce flag, so the driver debounces
 * v1 events itself on ctx.clock; v2 passes it to the kernel (-p). gpioset's interactive mode is
 * a build option of v2, so a new value respawns gpioset instead.
 */

type GpiodVersion = 1 | 2;

const SETTLE_MS = 100; // a gpioset that cannot get its line exits well within this
const TOOL_TIMEOUT_MS = 5000;

/** Where `tool` is on the PATH of `env`, or undefined. */
export async function findTool(env: DriverContext['env'], tool: string): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, tool);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  return undefined;
}

async function requireTool(ctx: DriverContext, tool: string): Promise<void> {
  if ((await findTool(ctx.env, tool)) === undefined) {
    throw new HardwareMissingError(`${tool} is not on PATH (install the libgpiod tools: apt install gpiod)`, tool);
  }
}

function runTool(ctx: DriverContext, tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { env: ctx.env, timeout: TOOL_TIMEOUT_MS }, function done(error, stdout, stderr) {
      if (error === null) return resolve(String(stdout));
      const reason = String(stderr).trim() || error.message;
      reject(new DriverError(`${tool} ${args.join(' ')} failed: ${reason}`, { path: tool, cause: error }));
    });
  });
}

/** Major version from `gpioset --version`: `gpioset (libgpiod) v1.6.3` or `… v2.1`. */
async function gpiodVersion(ctx: DriverContext): Promise<GpiodVersion> {
  const text = await runTool(ctx, 'gpioset', ['--version']);
  const major = /\(libgpiod\)\s+v?(\d+)/.exec(text)?.[1];
  if (major === '1' || major === '2') return Number(major) as GpiodVersion;
  throw new DriverError(`unsupported libgpiod version: ${text.split('\n')[0] ?? ''}`, { path: 'gpioset' });
}

interface Line {
  readonly version: GpiodVersion;
  readonly chip: string;
  readonly offset: number;
  readonly activeLow: boolean;
}

const BIAS = { up: 'pull-up', down: 'pull-down', off: 'disable' } as const;
type Pull = keyof typeof BIAS;

function setArgs(line: Line, value: boolean): string[] {
  const level = `${line.offset}=${value ? 1 : 0}`;
  if (line.version === 1) return ['--mode=signal', ...(line.activeLow ? ['--active-low'] : []), line.chip, level];
  return ['-c', line.chip, ...(line.activeLow ? ['-l'] : []), level];
}

function getArgs(line: Line, pull: Pull | undefined): string[] {
  if (line.version === 1) {
    return [...(line.activeLow ? ['--active-low'] : []), ...(pull ? [`--bias=${BIAS[pull]}`] : []), line.chip, String(line.offset)];
  }
  return ['-c', line.chip, ...(line.activeLow ? ['-l'] : []), ...(pull ? ['-b', BIAS[pull]] : []), '--numeric', String(line.offset)];
}

/** `edge` undefined: both edges (v1 with driver-side debounce needs to see both). */
function monArgs(line: Line, pull: Pull | undefined, edge: 'rising' | 'falling' | undefined, debounceMs: number | undefined): string[] {
  const bias = pull ? BIAS[pull] : undefined;
  if (line.version === 1) {
    return [
      '--line-buffered',
      '--format=%e',
      ...(line.activeLow ? ['--active-low'] : []),
      ...(bias ? [`--bias=${bias}`] : []),
      ...(edge ? [`--${edge}-edge`] : []),
      line.chip,
      String(line.offset),
    ];
  }
  const debounce = debounceMs ? ['-p', `${debounceMs}ms`] : [];
  const activeLow = line.activeLow ? ['-l'] : [];
  return ['-c', line.chip, ...activeLow, ...(bias ? ['-b', bias] : []), '-e', edge ?? 'both', ...debounce, '-F', '%e', String(line.offset)];
}

/** A gpiomon `%e` line as the new (logical) level: v1 1/0, v2 1/2 for rising/falling. */
function parseEvent(version: GpiodVersion, text: string): boolean | undefined {
  if (text === '1') return true;
  if (text === (version === 1 ? '0' : '2')) return false;
  return undefined;
}

/**
 * An output held by gpioset. The line is not probed at open (gpioget would turn an output into
 * an input on many kernels), so read() is the last value this process wrote, or undefined:
 * the runtime then writes `initial`, if any. close() ends gpioset, which releases the line; what
 * the line does then is up to the kernel (Raspberry Pi kernels may return it to an input).
 */
class GpiodActuator implements ActuatorDriver {
  readonly kind = 'switch' as const;
  readonly #line: Line;
  readonly #process: LineProcess;
  #value: boolean | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(ctx: DriverContext, line: Line, pin: number) {
    this.#line = line;
    this.#process = new LineProcess(ctx, 'gpioset', function onCrash(error) {
      ctx.logger.error('gpioset stopped holding the line', { pin, error: error.message });
    });
  }

  async read(): Promise<ActuatorValue | undefined> {
    return this.#value;
  }

  write(value: ActuatorValue): Promise<void> {
    if (typeof value !== 'boolean') return Promise.reject(new DriverError(`gpio is a switch: expected true or false, got ${value}`));
    // One gpioset at a time: writes are queued, each replacing the previous holder.
    const next = this.#queue.then(() => this.#hold(value));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #hold(value: boolean): Promise<void> {
    if (value === this.#value && this.#process.holding) return; // a respawn would only risk a glitch
    this.#value = undefined;
    await this.#process.run(setArgs(this.#line, value), SETTLE_MS);
    this.#value = value;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#process.close();
  }
}

/** Filters changes shorter than `ms` (v1 has no kernel debounce): a level counts once it held that long. */
class Debouncer {
  readonly #clock: Clock;
  readonly #ms: number;
  readonly #deliver: (value: boolean, since: number) => void;
  #pending: { value: boolean; since: number } | undefined;
  #stable: boolean | undefined;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, ms: number, deliver: (value: boolean, since: number) => void) {
    this.#clock = clock;
    this.#ms = ms;
    this.#deliver = deliver;
  }

  push(value: boolean): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#pending = { value, since: this.#clock.now() };
    this.#timer = this.#clock.setTimeout(() => this.#settle(), this.#ms);
  }

  #settle(): void {
    this.#timer = undefined;
    const pending = this.#pending!;
    if (pending.value === this.#stable) return;
    this.#stable = pending.value;
    this.#deliver(pending.value, pending.since);
  }

  cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * An input: with `edge`, gpiomon pushes events (interrupts, never polling); without, the runtime
 * polls read(), one gpioget each. Push mode offers no read(): gpiomon holds the line, so a
 * gpioget would find it busy.
 */
class GpiodSensor implements SensorDriver {
  readonly mode: 'poll' | 'push';
  /** Poll mode only: declared, so push mode has no `read` at all. */
  declare readonly read?: () => Promise<SensorValue>;
  readonly #ctx: DriverContext;
  readonly #config: GpioSensorConfig;
  readonly #line: Line;
  #process: LineProcess | undefined;
  #debouncer: Debouncer | undefined;
  #closed = false;

  constructor(ctx: DriverContext, config: GpioSensorConfig, line: Line) {
    this.#ctx = ctx;
    this.#config = config;
    this.#line = line;
    this.mode = config.edge !== undefined ? 'push' : 'poll';
    if (this.mode === 'poll') this.read = () => this.#get();
  }

  async #get(): Promise<SensorValue> {
    const text = (await runTool(this.#ctx, 'gpioget', getArgs(this.#line, this.#config.pull))).trim();
    if (text === '1' || text === '0') return text === '1';
    throw new DriverError(`gpioget printed ${JSON.stringify(text)}, expected 0 or 1`, { path: 'gpioget' });
  }

  start(listener: SensorListener): void {
    const { edge, debounce, pin } = this.#config;
    if (edge === undefined || this.#process !== undefined || this.#closed) return;
    const wanted = (value: boolean) => edge === 'both' || value === (edge === 'rising');
    const driverDebounce = this.#line.version === 1 && debounce !== undefined && debounce > 0;
    if (driverDebounce) {
      this.#debouncer = new Debouncer(this.#ctx.clock, debounce, function settled(value, since) {
        if (wanted(value)) listener.value(value, since);
      });
    }
    const { logger } = this.#ctx;
    const version = this.#line.version;
    const debouncer = this.#debouncer;
    this.#process = new LineProcess(
      this.#ctx,
      'gpiomon',
      function onCrash(error) {
        logger.warn('gpiomon stopped', { pin, error: error.message });
        listener.error(error);
      },
      function onEvent(text) {
        const value = parseEvent(version, text.trim());
        logger.debug('gpio event', { pin, event: text });
        if (value === undefined) return;
        if (debouncer !== undefined) debouncer.push(value);
        else listener.value(value);
      },
    );
    const monitored = driverDebounce || edge === 'both' ? undefined : edge;
    this.#process.start(monArgs(this.#line, this.#config.pull, monitored, driverDebounce ? undefined : debounce));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#debouncer?.cancel();
    await this.#process?.close();
  }
}

async function openLine(config: GpioActuatorConfig | GpioSensorConfig, ctx: DriverContext, tool: string): Promise<Line> {
  await requireTool(ctx, tool);
  const chip: CharDevChip = await findCharDevChip(ctx, config.chip);
  if (chip.ngpio !== undefined && config.pin >= chip.ngpio) {
    throw new HardwareMissingError(`GPIO${config.pin} is beyond ${chip.path}, which has ${chip.ngpio} lines`, chip.path);
  }
  return { version: await gpiodVersion(ctx), chip: chip.name, offset: config.pin, activeLow: config.active_low };
}

export async function openGpiodActuator(config: GpioActuatorConfig, ctx: DriverContext): Promise<ActuatorDriver> {
  return new GpiodActuator(ctx, await openLine(config, ctx, 'gpioset'), config.pin);
}

export async function openGpiodSensor(config: GpioSensorConfig, ctx: DriverContext): Promise<SensorDriver> {
  return new GpiodSensor(ctx, config, await openLine(config, ctx, config.edge !== undefined ? 'gpiomon' : 'gpioget'));
}
