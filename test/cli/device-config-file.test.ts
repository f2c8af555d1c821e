import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readDeviceConfigFile } from '../../src/cli/device-config-file.js';
import type { ConfigProblem } from '../../src/common/config-problem.js';
import { writeDeviceConfig } from './device-process.js';

const TLS = new URL('../fixtures/tls/', import.meta.url);
const SEED = '4d3b3c0f6b7c1a2e9f8d7c6b5a4938271605f4e3d2c1b0a99887766554433221';

/**
 * The built CLI reads a device config in a worker thread and gets it back by structured clone
 * (src/cli/device-config-file.ts; the worker itself is exercised in built-cli.test.ts): every
 * kind of value a config holds must survive that trip unchanged.
 */
describe('readDeviceConfigFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a config with every kind of value into something a worker can hand back unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'porch.key'), SEED);
    writeFileSync(join(dir, 'porch.ticket'), 'secret-ticket\n');
    writeFileSync(join(dir, 'ca.pem'), readFileSync(new URL('cert.pem', TLS)));
    const file = writeDeviceConfig(dir, {
      device: 'porch',
      upstream: [
        { url: 'rs://hub.example.com:8081', auth: { method: 'cryptosign', authid: 'porch', key: join(dir, 'porch.key') } },
        { url: 'rss://backup.example.com:8443', auth: { method: 'ticket', authid: 'porch', ticket_file: join(dir, 'porch.ticket') }, ca: join(dir, 'ca.pem') },
        { url: 'ws://127.0.0.1:9/ws', serializer: 'json', auth: { method: 'wampcra', authid: 'porch', secret: '${CRA_SECRET}' } },
      ],
      local_router: {
        listen: [
          { type: 'universal', host: '127.0.0.1', port: 0 },
          { type: 'websocket', host: '127.0.0.1', port: 0, tls: { cert: new URL('cert.pem', TLS).pathname, key: new URL('key.pem', TLS).pathname } },
          { type: 'mqtt', host: '127.0.0.1', port: 0 },
        ],
        realms: [{ name: 'home', anonymous: { role: 'viewer' }, users: [{ authid: 'ui', method: 'ticket', ticket: 'letmein', role: 'admin' }, { authid: 'cra', method: 'wampcra', secret: 'cra', role: 'admin' }], roles: { viewer: [{ uri: 'devices.', match: 'prefix', allow: ['call', 'subscribe'] }], admin: [{ uri: '', match: 'prefix', allow: ['call', 'subscribe', 'publish', 'register'] }] } }],
      },
      actuators: [
        { name: 'light', driver: 'simulated', kind: 'switch', initial: 'off', on_disconnect: 'off', grace: '2m' },
        { name: 'lamp', driver: 'simulated', kind: 'dimmer', initial: 0.5 },
      ],
      sensors: [{ name: 'temperature', driver: 'simulated', unit: '°C', interval: '10s', deadband: 0.2, max_interval: '5m', average: 3 }],
      buffer: { max: 1000, persist: true, flush: '5s' },
      state_dir: dir,
    });
    const warnings: ConfigProblem[] = [];
    const config = await readDeviceConfigFile(file, { CRA_SECRET: 'cra-secret' }, (w) => warnings.push(w));
    expect(config.upstream).toHaveLength(3);
    expect(config.local_router?.listen).toHaveLength(3);
    expect(isDeepStrictEqual(structuredClone(config), config)).toBe(true);
  });

  it('rejects a bad config with a ConfigError listing every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));
    dirs.push(dir);
    const file = join(dir, 'device.yaml');
    writeFileSync(file, 'device: Porch\nsensors:\n  - { name: t, driver: simulated, interval: soon }\n');
    await expect(readDeviceConfigFile(file, {}, () => undefined)).rejects.toMatchObject({
      name: 'ConfigError',
      problems: [expect.objectContaining({ line: 1, key: 'device' }), expect.objectContaining({ line: 3, key: 'sensors[0].interval' })],
    });
  });
});
