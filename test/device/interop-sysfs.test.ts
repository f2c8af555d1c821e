import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDevice, type RunningDevice } from '../../src/cli/run-device.js';
import { parseFullDeviceConfig } from '../../src/cli/device-config.js';
import { formatProblem } from '../../src/common/config-problem.js';
import { silentLogger } from '../../src/common/logger.js';
import { requireSystem } from '../helpers/system-deps.js';
import { hasPythonAutobahn, PyPeer, pyEvent, type RouterAddress } from '../interop/peers/py-peer.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

const W1_ID = '28-0316a2795aff';
const URI = 'devices.bench';

/**
 * A device on a fake sysfs tree (a PWM channel, a DS18B20, the SoC thermal zone) run in-process
 * by runDevice with its embedded router only, driven by an Autobahn|Python client: what Python
 * sets lands in the attribute files, what the files hold arrives as readings.
 */
describe.skipIf(!runPython)('device runtime with Autobahn|Python: sysfs drivers on a fake tree', { timeout: 40_000 }, () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  });

  /** The fake tree: pwmchip0 with pwm0 already exported (never configured), a DS18B20, thermal_zone0. */
  async function fakeSysfs(): Promise<{ root: string; pwm: string; w1Slave: string; thermal: string }> {
    const root = await mkdtemp(join(tmpdir(), 'switchyard-sysfs-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const chip = join(root, 'class', 'pwm', 'pwmchip0');
    const pwm = join(chip, 'pwm0');
    await mkdir(pwm, { recursive: true });
    await writeFile(join(chip, 'export'), '');
    await writeFile(join(chip, 'npwm'), '1\n');
    for (const attribute of ['period', 'duty_cycle', 'enable']) await writeFile(join(pwm, attribute), '0\n');
    const w1 = join(root, 'bus', 'w1', 'devices', W1_ID);
    await mkdir(w1, { recursive: true });
    const w1Slave = join(w1, 'w1_slave');
    await writeFile(w1Slave, w1Text(23125));
    const zone = join(root, 'class', 'thermal', 'thermal_zone0');
    await mkdir(zone, { recursive: true });
    const thermal = join(zone, 'temp');
    await writeFile(thermal, '45000\n');
    return { root, pwm, w1Slave, thermal };
  }

  async function startBench(sysfs: string): Promise<{ device: RunningDevice; local: RouterAddress }> {
    const text = stringify({
      device: 'bench',
      sysfs,
      local_router: {
        listen: [
          { type: 'universal', host: '127.0.0.1', port: 0 },
          { type: 'rawsocket', host: '127.0.0.1', port: 0 },
        ],
      },
      actuators: [{ name: 'lamp', driver: 'pwm', chip: 0, channel: 0, period: '1ms' }],
      sensors: [
        { name: 'water', driver: 'ds18b20', id: W1_ID, interval: '50ms' },
        { name: 'cpu_temp', driver: 'system', metric: 'cpu_temp', interval: '50ms' },
      ],
    });
    const file = join(sysfs, 'bench.yaml');
    const { config, problems } = parseFullDeviceConfig(text, file, {}, (path) => readFileSync(path, 'utf8'));
    if (config === undefined) throw new Error(`bad bench config:\n${problems.map(formatProblem).join('\n')}`);
    const device = await runDevice(config, silentLogger, {});
    cleanups.push(() => device.stop());
    const port = (type: string): number => {
      const address = device.router!.listeners.find((l) => l.config.type === type)?.address;
      if (address === undefined || !('port' in address)) throw new Error(`no ${type} TCP listener`);
      return address.port;
    };
    const universal = port('universal');
    return { device, local: { host: '127.0.0.1', port: universal, rawsocketPort: port('rawsocket'), wsUrl: `ws://127.0.0.1:${universal}/ws` } };
  }

  async function python(router: RouterAddress): Promise<PyPeer> {
    const py = await PyPeer.start(router, { maxSeconds: 60 });
    cleanups.push(() => py.stop());
    await py.open('s', { transport: 'rawsocket', serializer: 'cbor' });
    await py.subscribe('s', `${URI}.status`, 'status', { get_retained: true });
    await py.waitFor(pyEvent('status', 'online'), 'the device online');
    return py;
  }

  it('writes duty_cycle and enable of the PWM channel when Python sets the lamp', async () => {
    const tree = await fakeSysfs();
    const { local } = await startBench(tree.root);
    const attribute = async (name: string) => (await readFile(join(tree.pwm, name), 'utf8')).trim();
    // Opening the channel set the configured period (1 ms) and left the output off.
    expect(await attribute('period')).toBe('1000000');
    expect(await attribute('enable')).toBe('0');

    const py = await python(local);
    await py.subscribe('s', `${URI}.lamp.state`, 'lamp');
    expect((await py.call('s', `${URI}.lamp.get`)).args).toEqual([0]);
    expect((await py.call('s', `${URI}.lamp.set`, [0.5])).args).toEqual([0.5]);
    expect(await attribute('duty_cycle')).toBe('500000');
    expect(await attribute('enable')).toBe('1');
    expect(await attribute('period')).toBe('1000000');
    expect((await py.call('s', `${URI}.lamp.get`)).args).toEqual([0.5]);
    expect((await py.waitFor(pyEvent('lamp', 0.5), 'lamp.state 0.5')).kwargs).toMatchObject({ source: 'call' });

    expect((await py.call('s', `${URI}.lamp.set`, [true])).args).toEqual([1]);
    expect(await attribute('duty_cycle')).toBe('1000000');
  });

  it('publishes the DS18B20 and CPU temperatures from the fake tree to Python subscribers', async () => {
    const tree = await fakeSysfs();
    const { local } = await startBench(tree.root);
    const py = await python(local);
    await py.subscribe('s', `${URI}.water`, 'water');
    await py.subscribe('s', `${URI}.cpu_temp`, 'cpu');

    const water = await py.waitFor(pyEvent('water'), 'a DS18B20 reading');
    expect(water.args).toEqual([23.125]);
    expect(water.kwargs).toMatchObject({ unit: '°C', ts: expect.any(Number), seq: expect.any(Number) });
    const cpu = await py.waitFor(pyEvent('cpu'), 'a cpu_temp reading');
    expect(cpu.args).toEqual([45]);
    expect(cpu.kwargs).toMatchObject({ unit: '°C', seq: expect.any(Number) });

    // Every reading reads the files again.
    await writeFile(tree.w1Slave, w1Text(24500));
    await writeFile(tree.thermal, '51500\n');
    await py.waitFor(pyEvent('water', 24.5), 'the DS18B20 reading after the change');
    await py.waitFor(pyEvent('cpu', 51.5), 'the cpu_temp reading after the change');
  });
});

/** What w1-therm shows after a good conversion. */
function w1Text(millidegrees: number): string {
  return `72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=${millidegrees}\n`;
}
