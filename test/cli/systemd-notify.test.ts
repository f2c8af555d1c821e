import { describe, expect, it } from 'vitest';
import { NOTIFY_COMMAND, stderrIsJournal, SystemdNotifier, type NotifySpawn } from '../../src/cli/systemd-notify.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { FakeClock } from '../helpers/fake-clock.js';

interface Spawned {
  command: string;
  args: readonly string[];
  env: Record<string, string>;
}

/** A spawn that records every call; `fail` makes the next calls reject. */
function recordingSpawn(): NotifySpawn & { calls: Spawned[]; fail: boolean } {
  const spawn = Object.assign(
    (command: string, args: readonly string[], env: Record<string, string>) => {
      spawn.calls.push({ command, args, env });
      return spawn.fail ? Promise.reject(new Error('spawn systemd-notify ENOENT')) : Promise.resolve();
    },
    { calls: [] as Spawned[], fail: false },
  );
  return spawn;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const sent = (spawn: { calls: Spawned[] }) => spawn.calls.map((call) => call.args.join(' '));

describe('SystemdNotifier', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    const spawn = recordingSpawn();
    const clock = new FakeClock();
    const notifier = new SystemdNotifier({ env: { WATCHDOG_USEC: '1000000' }, spawn, clock });
    expect(notifier.enabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeUndefined();
    notifier.startWatchdog();
    await notifier.ready('up');
    clock.advance(10_000);
    await notifier.stopping();
    expect(spawn.calls).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('sends READY=1 with a status through systemd-notify, passing the environment on', async () => {
    const spawn = recordingSpawn();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/run/systemd/notify', PATH: '/usr/bin', EMPTY: undefined }, spawn });
    await notifier.ready('device porch ready');
    expect(spawn.calls).toHaveLength(1);
    expect(spawn.calls[0]!.command).toBe(NOTIFY_COMMAND);
    expect(spawn.calls[0]!.args).toEqual(['READY=1', 'STATUS=device porch ready']);
    expect(spawn.calls[0]!.env).toEqual({ NOTIFY_SOCKET: '/run/systemd/notify', PATH: '/usr/bin' });
  });

  it('pings WATCHDOG=1 every WATCHDOG_USEC / 2 until stopping, then sends STOPPING=1 last', async () => {
    const spawn = recordingSpawn();
    const clock = new FakeClock();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '@sock', WATCHDOG_USEC: '30000000' }, spawn, clock });
    expect(notifier.watchdogIntervalMs).toBe(15_000);
    notifier.startWatchdog();
    notifier.startWatchdog(); // twice: still one timer
    clock.advance(14_999);
    await flush();
    expect(sent(spawn)).toEqual([]);
    for (let i = 0; i < 3; i++) {
      clock.advance(15_000);
      await flush();
    }
    expect(sent(spawn)).toEqual(['WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    await notifier.stopping();
    clock.advance(60_000);
    await flush();
    expect(sent(spawn)).toEqual(['WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1', 'STOPPING=1']);
    expect(clock.pending).toBe(0);
    await notifier.ready();
    expect(spawn.calls).toHaveLength(4);
  });

  it('honours WATCHDOG_PID like sd_watchdog_enabled', () => {
    const env = { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '2000000' };
    expect(new SystemdNotifier({ env: { ...env, WATCHDOG_PID: '42' }, pid: 42 }).watchdogIntervalMs).toBe(1000);
    expect(new SystemdNotifier({ env: { ...env, WATCHDOG_PID: '43' }, pid: 42 }).watchdogIntervalMs).toBeUndefined();
    expect(new SystemdNotifier({ env: { ...env, WATCHDOG_USEC: 'x' } }).watchdogIntervalMs).toBeUndefined();
    expect(new SystemdNotifier({ env: { ...env, WATCHDOG_USEC: '0' } }).watchdogIntervalMs).toBeUndefined();
  });

  it('keeps messages in order and never doubles a ping that is still in flight', async () => {
    const calls: string[] = [];
    let release: () => void = () => {};
    const spawn: NotifySpawn = (_command, args) => {
      calls.push(args.join(' '));
      return new Promise((resolve) => (release = resolve));
    };
    const clock = new FakeClock();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/n', WATCHDOG_USEC: '2000' }, spawn, clock });
    notifier.startWatchdog();
    clock.advance(1);
    const ready = notifier.ready();
    clock.advance(5); // five more ticks while the first ping hangs
    await flush();
    expect(calls).toEqual(['WATCHDOG=1']);
    release();
    await flush();
    expect(calls).toEqual(['WATCHDOG=1', 'READY=1']);
    release();
    await ready;
    clock.advance(1);
    await flush();
    expect(calls).toEqual(['WATCHDOG=1', 'READY=1', 'WATCHDOG=1']);
    release();
    notifier.close();
  });

  it('logs a failing systemd-notify once per streak, and its recovery', async () => {
    const spawn = recordingSpawn();
    const logger = captureLogger();
    const clock = new FakeClock();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/n', WATCHDOG_USEC: '2000' }, spawn, clock, logger });
    spawn.fail = true;
    await notifier.ready();
    notifier.startWatchdog();
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      await flush();
    }
    expect(logger.lines.map((line) => line.message)).toEqual(['systemd notification failed']);
    expect(logger.lines[0]!.fields).toMatchObject({ message: 'READY=1', error: 'spawn systemd-notify ENOENT' });
    spawn.fail = false;
    clock.advance(1);
    await flush();
    expect(logger.lines.map((line) => `${line.level} ${line.message}`)).toEqual(['warn systemd notification failed', 'info systemd notifications work again']);
    notifier.close();
  });
});

describe('stderrIsJournal', () => {
  const stat = () => ({ dev: 2049n, ino: 123456789n });
  it('is true only when JOURNAL_STREAM names the stream stderr is', () => {
    expect(stderrIsJournal({ JOURNAL_STREAM: '2049:123456789' }, stat)).toBe(true);
    expect(stderrIsJournal({ JOURNAL_STREAM: '2049:1' }, stat)).toBe(false);
    expect(stderrIsJournal({ JOURNAL_STREAM: 'garbage' }, stat)).toBe(false);
    expect(stderrIsJournal({}, stat)).toBe(false);
    expect(
      stderrIsJournal({ JOURNAL_STREAM: '1:1' }, () => {
        throw new Error('EBADF');
      }),
    ).toBe(false);
  });
});
