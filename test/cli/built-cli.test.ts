import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/node.js';
import { closeAll, RawMqtt } from '../mqtt/helpers.js';
import { DeviceProcess, writeDeviceConfig } from './device-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface BuildResult {
  main: string;
  resident: Set<string>;
}

/**
 * The executable users run is the bundle scripts/build-cli.mjs makes, not the TypeScript the other
 * CLI tests run through tsx: built here into a package-shaped temp dir (dist/cli, dist/web,
 * package.json, node_modules), then run as its own process.
 */
describe('the built switchyard executable (scripts/build-cli.mjs)', () => {
  let dir: string;
  let built: BuildResult;
  let main: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    const { buildCli } = (await import(pathToFileURL(join(ROOT, 'scripts/build-cli.mjs')).href)) as {
      buildCli(options: { outDir: string }): Promise<BuildResult>;
    };
    built = await buildCli({ outDir: join(dir, 'dist/cli') });
    main = join(dir, 'dist/cli/main.js');
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'dist/web'));
    writeFileSync(join(dir, 'dist/web/index.html'), '<!doctype html><title>switchyard</title>');
  }, 60_000);
  afterAll(async () => {
    await closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8', timeout: 15_000 });

  it('keeps the YAML parser and the schema library out of what a running device loads', () => {
    expect(built.resident.has('ws')).toBe(true);
    expect(built.resident.has('zod')).toBe(false);
    expect(built.resident.has('yaml')).toBe(false);
  });

  it('prints its version from package.json and validates configs with check', () => {
    const version = run('--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const bad = writeDeviceConfig(dir, { device: 'Porch', sensors: [{ name: 'temp', driver: 'simulated', interval: 'soon' }] }, 'bad.yaml');
    const checked = run('check', bad, join(ROOT, 'devices/demo.yaml'));
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain(`${bad}:1: device: expected a name of lowercase letters`);
    expect(checked.stderr).toMatch(/bad\.yaml:\d+: sensors\[0\]\.interval: expected a duration/);
    expect(checked.stdout).toContain('demo.yaml: ok');
  });

  it('runs a device whose config it reads in a worker thread: procedures served, SIGTERM exits 0', async () => {
    const file = writeDeviceConfig(dir, {
      device: 'porch',
      local_router: {
        listen: [
          { type: 'universal', host: '127.0.0.1', port: 0 },
          { type: 'mqtt', host: '127.0.0.1', port: 0 },
        ],
      },
      actuators: [{ name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' }],
      sensors: [{ name: 'temperature', driver: 'simulated', unit: '°C', interval: '50ms' }],
    });
    const device = new DeviceProcess(file, {}, main);
    try {
      const started = await device.waitForLine(/local router started/);
      await device.waitForLine(/device ready/);
      const port = Number(/universal 127\.0\.0\.1:(\d+)/.exec(started)![1]);
      const mqttPort = Number(/mqtt 127\.0\.0\.1:(\d+)/.exec(started)![1]);
      const client = await connect({ url: `ws://127.0.0.1:${port}/ws`, realm: 'home', reconnect: false });
      try {
        expect((await client.call('devices.porch.light.toggle')).args).toEqual([true]);
        const readings: unknown[] = [];
        await client.subscribe('devices.porch.temperature', (event) => void readings.push(event.args[0]));
        await expect.poll(() => readings.length, { timeout: 5000 }).toBeGreaterThan(0);
      } finally {
        await client.leave();
      }
      // The MQTT gateway, a chunk loaded on demand, bridges readings to an MQTT subscriber.
      const { client: mqtt, connack } = await RawMqtt.connect(mqttPort);
      expect(connack).toMatchObject({ returnCode: 0 });
      expect(await mqtt.subscribe([{ topic: 'devices/porch/temperature', qos: 0 }])).toEqual([0]);
      expect(await mqtt.next('publish', 5000)).toMatchObject({ topic: 'devices/porch/temperature' });
      // The web UI's files are found from the bundle's own location (dist/cli → dist/web).
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>switchyard</title>');
      expect(await device.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      await device.stop('SIGKILL');
    }
  });

  it('reports every problem of a bad device config, file:line, and exits 1', async () => {
    const file = writeDeviceConfig(
      dir,
      { device: 'porch', actuators: [{ name: 'light', driver: 'simulated', kind: 'lamp' }], sensors: [{ name: 'temp', driver: 'simulated', interval: 'soon' }] },
      'two-problems.yaml',
    );
    const device = new DeviceProcess(file, {}, main);
    const exit = await device.exited;
    expect(exit.code).toBe(1);
    expect(device.lines.filter((line) => line.startsWith(`${file}:`))).toHaveLength(2);
  });

  it('names a local router listener that cannot start by its file:line and key, as run from source', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    try {
      const port = (busy.address() as AddressInfo).port;
      const file = writeDeviceConfig(dir, { device: 'porch', local_router: { listen: [{ type: 'rawsocket', host: '127.0.0.1', port }] } }, 'busy.yaml');
      const device = new DeviceProcess(file, {}, main);
      expect((await device.exited).code).toBe(1);
      expect(device.lines).toContain(`${file}:6: local_router.listen[0].port: 127.0.0.1:${port} is already in use (another router or program listens there)`);
    } finally {
      busy.close();
    }
  });
});
