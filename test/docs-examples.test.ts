import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMap, parseDocument } from 'yaml';
import { check } from '../src/cli/commands/check.js';
import { deviceConfigSchema } from '../src/device/config/schema.js';
import { routerConfigSchema } from '../src/router/config.js';
import { fakeIo } from './cli/fake-io.js';
import { exampleFiles } from './helpers/example-files.js';

/**
 * Every ```yaml block of README.md and docs/*.md, and systemd/router.yaml, passes `switchyard
 * check` (with the checks against the machine: TLS files, socket directories), as the device or
 * router config it is. The files the examples name under /etc/switchyard and /run/switchyard are
 * made in a temporary directory; `${NAME}` references get a value. A block that is only a part of
 * a config (an `upstream:` list, a `listen:` list) is checked inside the smallest config around
 * it: `device: example` is added to device keys, a realm open to anonymous sessions to router keys.
 * (devices/*.yaml are checked by test/devices.test.ts.)
 */
const ROOT = new URL('../', import.meta.url);
const DEVICE_KEYS = new Set(Object.keys(deviceConfigSchema.shape));
const ROUTER_KEYS = new Set(Object.keys(routerConfigSchema.shape));

interface Example {
  where: string;
  text: string;
}

function yamlBlocks(file: string): Example[] {
  const text = readFileSync(new URL(file, ROOT), 'utf8');
  const blocks: Example[] = [];
  for (const match of text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split('\n').length;
    blocks.push({ where: `${file}:${line}`, text: match[1]! });
  }
  return blocks;
}

const docs = readdirSync(new URL('docs/', ROOT)).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
const examples: Example[] = [
  ...['README.md', ...docs].flatMap(yamlBlocks),
  { where: 'systemd/router.yaml', text: readFileSync(new URL('systemd/router.yaml', ROOT), 'utf8') },
];

/** The example as a whole config file, or why it cannot be one. */
function asConfig(text: string): string | Error {
  const contents = parseDocument(text).contents;
  if (!isMap(contents)) return new Error('not a mapping of config keys');
  const keys = contents.items.map((pair) => String((pair.key as { value?: unknown } | null)?.value));
  if (keys.includes('device')) return text;
  if (keys.every((key) => ROUTER_KEYS.has(key))) {
    return keys.includes('realms') ? text : `${text}\nrealms: [ { name: home, anonymous: { role: anonymous } } ]\n`;
  }
  if (keys.every((key) => DEVICE_KEYS.has(key))) return `device: example\n${text}`;
  return new Error(`keys of neither config: ${keys.join(', ')}`);
}

const files = exampleFiles();
afterAll(() => files.cleanup());

describe('config examples in the documentation', () => {
  it('finds the README examples', () => {
    expect(examples.filter((example) => example.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((example) => [example.where, example] as const))('%s passes switchyard check', async (_where, example) => {
    const config = asConfig(files.rewrite(example.text));
    if (config instanceof Error) throw config;
    const file = join(files.etc, 'example.yaml');
    writeFileSync(file, config);
    const env = Object.fromEntries([...config.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => [m[1]!, 'example-value']));
    const io = fakeIo({ cwd: files.etc, env });
    const code = await check.run(['example.yaml'], io);
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
  });
});
