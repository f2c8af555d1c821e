import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../src/common/config-problem.js';
import { generateKeyPair } from '../src/key-file.js';
import { parseFullDeviceConfig } from '../src/cli/device-config.js';

/**
 * Every example config in devices/ passes `switchyard check`, carries the schema line editors
 * use, and runs where it says it runs. Files the Raspberry Pi example expects under
 * /etc/switchyard (a key, a ticket, a CA) are made in a temporary directory first.
 */
const DEVICES = new URL('../devices/', import.meta.url);
const examples = readdirSync(DEVICES).filter((name) => name.endsWith('.yaml'));
const etc = mkdtempSync(join(tmpdir(), 'switchyard-etc-'));
writeFileSync(join(etc, 'porch.key'), generateKeyPair().privatePem, { mode: 0o600 });
writeFileSync(join(etc, 'porch.ticket'), 'not-a-real-ticket\n', { mode: 0o600 });
writeFileSync(join(etc, 'backup-hub-ca.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');

describe('devices/ examples', () => {
  afterAll(() => rmSync(etc, { recursive: true, force: true }));

  it('has the demo and the Raspberry Pi example', () => {
    expect(examples).toEqual(expect.arrayContaining(['demo.yaml', 'raspberry-pi.yaml']));
  });

  it.each(examples)('%s passes check and names its JSON Schema for editors', (name) => {
    const text = readFileSync(new URL(name, DEVICES), 'utf8').replaceAll('/etc/switchyard/', `${etc}/`);
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./device.schema.json');
    const { problems } = parseFullDeviceConfig(text, `devices/${name}`, {}, (path) => readFileSync(path, 'utf8'));
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it('runs the demo without hardware and without an upstream router', () => {
    const text = readFileSync(new URL('demo.yaml', DEVICES), 'utf8');
    const { config } = parseFullDeviceConfig(text, 'devices/demo.yaml', {}, (path) => readFileSync(path, 'utf8'));
    expect(config?.upstream).toEqual([]);
    expect([...config!.actuators, ...config!.sensors].every((entry) => entry.driver === 'simulated')).toBe(true);
    expect(config?.local_router?.listen.map((listener) => listener.port)).toEqual([8080, 8081]);
  });
});
