import { spawn as spawnProcess } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { type Clock, systemClock, type TimerHandle } from '../common/clock.js';
import { type Logger, silentLogger } from '../common/logger.js';

/**
 * sd_notify for `Type=notify` units: readiness, watchdog pings and stopping, sent by running the
 * `systemd-notify` tool. Node core has no AF_UNIX datagram sockets, and a native addon would mean
 * a compiler on every Pi; the tool ships with systemd. Its messages come from a child process, so
 * the units say `NotifyAccess=all`; without `--no-block` it waits until systemd has read the
 * message, so a short-lived sender is still attributed to the unit.
 *
 * Only plain `VAR=VALUE` assignments are sent (READY=1, WATCHDOG=1, STOPPING=1, STATUS=…): Debian
 * bookworm's systemd 252 has `--ready` and `--status=` but no `--stopping`.
 * Without `NOTIFY_SOCKET` in the environment (not started by systemd) nothing is ever spawned.
 */

/** Runs `command args` with `env`; resolves when it exits 0, rejects otherwise. */
export type NotifySpawn = (command: string, args: readonly string[], env: Record<string, string>) => Promise<void>;

export interface SystemdNotifierOptions {
  env: Readonly<Record<string, string | undefined>>;
  spawn?: NotifySpawn;
  clock?: Clock;
  logger?: Logger;
  /** This process's id, compared with `WATCHDOG_PID` (default process.pid). */
  pid?: number;
}

export const NOTIFY_COMMAND = 'systemd-notify';
const SPAWN_TIMEOUT_MS = 5000;

export class SystemdNotifier {
  /** Whether systemd listens (NOTIFY_SOCKET set). */
  readonly enabled: boolean;
  /** Time between two WATCHDOG=1 (WATCHDOG_USEC / 2), or undefined when there is no watchdog. */
  readonly watchdogIntervalMs: number | undefined;
  readonly #env: Record<string, string>;
  readonly #spawn: NotifySpawn;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #queue: Promise<void> = Promise.resolve();
  #timer: TimerHandle | undefined;
  #pinging = false;
  #stopped = false;
  #failures = 0;

  constructor(options: SystemdNotifierOptions) {
    const socket = options.env['NOTIFY_SOCKET'];
    this.enabled = socket !== undefined && socket !== '';
    this.#env = definedOnly(options.env);
    this.#spawn = options.spawn ?? spawnNotify;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.watchdogIntervalMs = this.enabled ? watchdogInterval(options.env, options.pid ?? process.pid) : undefined;
  }

  /** READY=1 (and STATUS=): start-up is complete. */
  ready(status?: string): Promise<void> {
    return this.#send(['READY=1', ...(status !== undefined ? [`STATUS=${status}`] : [])]);
  }

  /** STATUS=text, shown by `systemctl status`. */
  status(text: string): Promise<void> {
    return this.#send([`STATUS=${text}`]);
  }

  /** Sends WATCHDOG=1 every watchdogIntervalMs until stopping() or close(); no-op without a watchdog. */
  startWatchdog(): void {
    if (this.watchdogIntervalMs === undefined || this.#timer !== undefined || this.#stopped) return;
    const interval = this.watchdogIntervalMs;
    const tick = () => {
      this.#timer = this.#clock.setTimeout(tick, interval);
      // A ping still in flight (a slow SD card) is not doubled up.
      if (this.#pinging) return;
      this.#pinging = true;
      void this.#send(['WATCHDOG=1']).finally(() => (this.#pinging = false));
    };
    this.#timer = this.#clock.setTimeout(tick, interval);
  }

  /** STOPPING=1 and no more watchdog pings; resolves once it is sent (or has failed). */
  stopping(): Promise<void> {
    this.close();
    return this.#send(['STOPPING=1'], true);
  }

  /** Stops the watchdog pings. */
  close(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Sends one message after the ones before it, so READY, WATCHDOG and STOPPING stay in order. */
  #send(assignments: string[], final = false): Promise<void> {
    if (!this.enabled || (this.#stopped && !final)) return Promise.resolve();
    const next = this.#queue.then(() =>
      this.#spawn(NOTIFY_COMMAND, assignments, this.#env).then(
        () => this.#recovered(),
        (error: unknown) => this.#failed(assignments[0]!, error),
      ),
    );
    this.#queue = next;
    return next;
  }

  #failed(what: string, error: unknown): void {
    // Logged once per failure streak: a missing tool would otherwise log every watchdog interval.
    if (this.#failures++ === 0) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.warn('systemd notification failed', { message: what, error: reason, hint: 'is the systemd package installed?' });
    }
  }

  #recovered(): void {
    if (this.#failures > 0) this.#logger.info('systemd notifications work again', { failed: this.#failures });
    this.#failures = 0;
  }
}

/** WATCHDOG_USEC / 2 in ms, as sd_watchdog_enabled() decides it (WATCHDOG_PID, when set, must be us). */
function watchdogInterval(env: Readonly<Record<string, string | undefined>>, pid: number): number | undefined {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined;
  const owner = env['WATCHDOG_PID'];
  if (owner !== undefined && owner !== '' && Number(owner) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** The real spawn: `systemd-notify VAR=VALUE…`, killed after SPAWN_TIMEOUT_MS. */
export const spawnNotify: NotifySpawn = (command, args, env) =>
  new Promise((resolve, reject) => {
    const child = spawnProcess(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: SPAWN_TIMEOUT_MS });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${signal ?? code}${stderr.trim() !== '' ? `: ${stderr.trim()}` : ''}`));
    });
  });

/**
 * Whether stderr is connected to the journal: systemd sets `JOURNAL_STREAM` to the device and inode
 * of the stream it gave the service, and systemd.exec(5) says to compare them with fstat() of the
 * descriptor (a child whose stderr was redirected inherits the variable). Then lines get `<N>` prefixes.
 */
export function stderrIsJournal(env: Readonly<Record<string, string | undefined>>, stat: () => { dev: bigint; ino: bigint } = () => fstatSync(2, { bigint: true })): boolean {
  const match = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (match === null) return false;
  try {
    const { dev, ino } = stat();
    return dev === BigInt(match[1]!) && ino === BigInt(match[2]!);
  } catch {
    return false;
  }
}
