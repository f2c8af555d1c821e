// The web UI's page weight and time to first device, measured in headless Chromium against a
// router serving the page (its web_root: the UI built afresh) and a simulated device, both in
// this process, from dist/.
//   node scripts/bench/web-page.mjs [--runs N] [--chromium PATH]
// Needs `npm run build` (dist/) and Debian's chromium (scripts/install-test-deps.sh).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './report.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** How the bench and the browser tests (test/web/ui.browser.test.ts) launch Chromium. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** performance.mark the page sets when the first device card is on screen (src/web/views/device-card.ts). */
const FIRST_DEVICE_MARK = 'switchyard:first-device';

/**
 * Two profiles, each loaded `runs` times in a fresh browser context (empty cache):
 * - desktop: 1280 × 800, the machine's CPU;
 * - phone: 375 × 812, CPU slowed 4× (Chrome DevTools' "mid-tier mobile"), no network throttling
 *   (the page comes from the LAN).
 *
 * Returns `{ skipped }` when Chromium or dist/ is missing, else
 * `{ pageWeight: { bytes, buildGzipBytes, requests }, profiles: { desktop, phone } }`. `bytes`: the
 * bodies the first load fetched, as the router sent them (br or gzip, its static handler);
 * `buildGzipBytes`: the same files gzipped -9 (build-web.mjs). Each profile has the medians
 * `firstDeviceMs` (navigation start → the first device card on screen) and `firstPaintMs` (first
 * contentful paint), and the values of every run.
 */
export async function measureWebPage({ runs = 5, chromiumPath = DEFAULT_CHROMIUM } = {}) {
  if (!existsSync(chromiumPath)) return { skipped: `no Chromium at ${chromiumPath} (sudo bash scripts/install-test-deps.sh)` };
  for (const file of ['dist/router/serve.js', 'dist/cli/commands/device.js']) {
    if (!existsSync(join(root, file))) return { skipped: `${file} is missing: run \`npm run build\` first` };
  }
  const { chromium } = await import('playwright-core');
  const { buildWeb } = await import(pathToFileURL(join(root, 'scripts/build-web.mjs')).href);
  const { parseRouterConfig } = await import(pathToFileURL(join(root, 'dist/router/config.js')).href);
  const { startRouter } = await import(pathToFileURL(join(root, 'dist/router/serve.js')).href);
  const { runDevice } = await import(pathToFileURL(join(root, 'dist/cli/commands/device.js')).href);
  const { parseFullDeviceConfig } = await import(pathToFileURL(join(root, 'dist/cli/device-config.js')).href);
  const { silentLogger } = await import(pathToFileURL(join(root, 'dist/common/logger.js')).href);

  const tmp = mkdtempSync(join(tmpdir(), 'switchyard-web-bench-'));
  const stops = [];
  try {
    const built = await buildWeb({ outDir: join(tmp, 'web') });
    const { config, problems } = parseRouterConfig(
      JSON.stringify({
        listen: [
          { type: 'universal', host: '127.0.0.1', port: 0, web_root: built.outDir },
          { type: 'rawsocket', host: '127.0.0.1', port: 0 },
        ],
        realms: [{ name: 'home', anonymous: { role: 'anonymous' } }],
      }),
      'bench-router.yaml',
      {},
    );
    if (config === undefined) throw new Error(`bench router config: ${problems.map((p) => p.message).join('; ')} (is dist/ older than the web_root key? npm run build)`);
    const router = await startRouter(config);
    stops.push(() => router.close());
    const port = (type) => router.listeners.find((l) => l.config.type === type).address.port;
    const deviceYaml = JSON.stringify({
      device: 'demo',
      upstream: [{ url: `rs://127.0.0.1:${port('rawsocket')}` }],
      actuators: [
        { name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' },
        { name: 'dimmer', driver: 'simulated', kind: 'dimmer', initial: 0.5 },
      ],
      sensors: [
        { name: 'temperature', driver: 'simulated', min: 18, max: 24, seed: 7, unit: '°C', interval: '1s' },
        { name: 'humidity', driver: 'simulated', min: 35, max: 60, seed: 11, unit: '%RH', interval: '1s' },
      ],
    });
    const parsed = parseFullDeviceConfig(deviceYaml, 'bench-device.yaml', {}, (path) => readFileSync(path, 'utf8'));
    if (parsed.config === undefined) throw new Error('bench device config is invalid');
    const device = await runDevice(parsed.config, silentLogger, {});
    stops.push(() => device.stop());
    const url = `http://127.0.0.1:${port('universal')}/`;

    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    stops.push(() => browser.close());
    // Wait until the device is announced, so every run measures the same thing.
    await loadOnce(browser, url, { viewport: { width: 1280, height: 800 } });

    const profiles = {};
    let weight;
    for (const [name, profile] of Object.entries({
      desktop: { viewport: { width: 1280, height: 800 } },
      phone: { viewport: { width: 375, height: 812 }, mobile: true, cpuSlowdown: 4 },
    })) {
      const samples = [];
      for (let i = 0; i < runs; i++) samples.push(await loadOnce(browser, url, profile));
      weight ??= samples[0];
      profiles[name] = {
        firstDeviceMs: median(samples.map((s) => s.firstDeviceMs)),
        firstPaintMs: median(samples.map((s) => s.firstPaintMs)),
        runs: samples.map((s) => ({ firstDeviceMs: s.firstDeviceMs, firstPaintMs: s.firstPaintMs })),
      };
    }
    return {
      pageWeight: { bytes: weight.bytes, buildGzipBytes: built.firstLoad.gzip, requests: weight.requests },
      profiles,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** One cold load in a fresh context: what it fetched (compressed bytes) and when the first device showed. */
async function loadOnce(browser, url, { viewport, mobile = false, cpuSlowdown = 1 }) {
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile });
  try {
    const page = await context.newPage();
    if (cpuSlowdown > 1) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    }
    await page.goto(url);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_DEVICE_MARK, { timeout: 15_000 });
    return await page.evaluate((mark) => {
      const navigation = performance.getEntriesByType('navigation')[0];
      const resources = performance.getEntriesByType('resource').filter((r) => r.name.startsWith(location.origin));
      const fetched = [navigation, ...resources];
      return {
        firstDeviceMs: performance.getEntriesByName(mark)[0].startTime,
        firstPaintMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        bytes: fetched.reduce((sum, entry) => sum + entry.encodedBodySize, 0),
        requests: fetched.map((entry) => ({ name: new URL(entry.name).pathname, bytes: entry.encodedBodySize })),
      };
    }, FIRST_DEVICE_MARK);
  } finally {
    await context.close();
  }
}

/** The lines `node scripts/bench/web-page.mjs` prints. */
export function formatWebPage(result) {
  if (result.skipped !== undefined) return `web page: skipped: ${result.skipped}`;
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (value) => (value === null ? '–' : `${Math.round(value)} ms`);
  const lines = [
    `web page weight: ${kb(result.pageWeight.bytes)} as served (compressed) over ${result.pageWeight.requests.length} requests ` +
      `(${result.pageWeight.requests.map((r) => `${r.name} ${kb(r.bytes)}`).join(', ')}); gzip -9 of the same files: ${kb(result.pageWeight.buildGzipBytes)}`,
  ];
  for (const [name, profile] of Object.entries(result.profiles)) {
    lines.push(`web ${name}: first device shown ${ms(profile.firstDeviceMs)}, first paint ${ms(profile.firstPaintMs)} (median of ${profile.runs.length})`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
  };
  const runs = Number(option('--runs', '5'));
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('--runs must be a positive integer');
    process.exit(2);
  }
  try {
    const result = await measureWebPage({ runs, chromiumPath: option('--chromium', DEFAULT_CHROMIUM) });
    console.log(formatWebPage(result));
    if (result.skipped !== undefined) process.exitCode = 1;
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  }
}
