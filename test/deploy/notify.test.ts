import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connect } from '../../src/node.js';
import { DeviceProcess, writeDeviceConfig } from '../cli/device-process.js';
import { requireSystem } from '../helpers/system-deps.js';
import { CliProcess, portIn } from '../cli/cli-process.js';
import { FakeNotifySocket, hasPython, hasSystemdNotify } from './fake-notify-socket.js';

const available = requireSystem('systemd', hasSystemdNotify) && requireSystem('python3', hasPython);

/** A router config in `dir`: one RawSocket listener on a free port, realm home open. */
function routerConfig(dir: string): string {
  const file = join(dir, 'router.yaml');
  writeFileSync(file, stringify({ listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }], realms: [{ name: 'home', anonymous: { role: 'anonymous' } }] }));
  return file;
}

/**
 * Type=notify as systemd sees it: the real systemd-notify tool sends to a socket this test listens
 * on (NOTIFY_SOCKET), with WATCHDOG_USEC = 200 ms, so a ping is due every 100 ms.
 */
describe.skipIf(!available)('systemd notifications (real systemd-notify, fake NOTIFY_SOCKET)', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-notify-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function notifySocket(): Promise<FakeNotifySocket> {
    const socket = await FakeNotifySocket.open();
    cleanups.push(() => socket.close());
    return socket;
  }

  it('device: READY=1 once its procedures are registered, WATCHDOG=1 repeatedly, STOPPING=1 on SIGTERM', async () => {
    const socket = await notifySocket();
    const dir = tempDir();
    const file = writeDeviceConfig(dir, {
      device: 'porch',
      local_router: { listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }] },
      actuators: [{ name: 'light', driver: 'simulated', kind: 'switch', initial: 'on' }],
      sensors: [{ name: 'temperature', driver: 'simulated', interval: '1s' }],
      state_dir: dir,
    });
    const device = new DeviceProcess(file, { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '200000' });
    cleanups.push(() => device.stop('SIGKILL'));
    const port = portIn(await device.waitForLine(/local router started/));

    await socket.waitFor('READY=1');
    // Ready means callable: the procedures are on the local router when READY=1 arrives.
    const client = await connect({ url: `rs://127.0.0.1:${port}`, realm: 'home' });
    cleanups.push(() => client.leave());
    expect((await client.call('devices.porch.light.get')).args).toEqual([true]);
    expect(device.lines.some((line) => /^info device ready/.test(line))).toBe(true);
    expect(socket.having('READY=1')).toEqual(['READY=1\nSTATUS=device porch ready']);

    const pings = socket.having('WATCHDOG=1').length;
    await socket.waitFor('WATCHDOG=1', pings + 3, 5000);

    expect(await device.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    // Relayed by systemd-notify and the listener: it may come in after the exit is seen.
    await socket.waitFor('STOPPING=1', 1, 3000);
    expect(socket.having('STOPPING=1')).toHaveLength(1);
    const order = socket.messages.filter((message) => message !== 'BARRIER=1');
    expect(order.at(-1)).toBe('STOPPING=1');
    expect(order.indexOf('READY=1\nSTATUS=device porch ready')).toBeLessThan(order.indexOf('STOPPING=1'));
  });

  it('router: READY=1 once it listens, WATCHDOG=1 repeatedly, STOPPING=1 on SIGTERM', async () => {
    const socket = await notifySocket();
    const router = new CliProcess(['router', '--config', routerConfig(tempDir())], { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '200000' });
    cleanups.push(() => router.stop('SIGTERM', 1000));
    const port = portIn(await router.waitForLine(/router started/));

    await socket.waitFor('READY=1');
    const client = await connect({ url: `rs://127.0.0.1:${port}`, realm: 'home' });
    await client.leave();
    await socket.waitFor('WATCHDOG=1', socket.having('WATCHDOG=1').length + 3, 5000);

    expect(await router.stop()).toEqual({ code: 0, signal: null });
    await socket.waitFor('STOPPING=1', 1, 3000);
    expect(socket.having('STOPPING=1')).toHaveLength(1);
    expect(socket.messages.filter((message) => message !== 'BARRIER=1').at(-1)).toBe('STOPPING=1');
  });

  it('sends no watchdog pings when WATCHDOG_PID names another process', async () => {
    const socket = await notifySocket();
    const router = new CliProcess(['router', '--config', routerConfig(tempDir())], { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '1' });
    cleanups.push(() => router.stop('SIGTERM', 1000));
    await socket.waitFor('READY=1');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(socket.having('WATCHDOG=1')).toEqual([]);
    expect(await router.stop()).toEqual({ code: 0, signal: null });
  });
});
