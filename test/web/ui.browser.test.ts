import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDevice } from '../../src/cli/run-device.js';
import type { Event } from '../../src/client/types.js';
import { connect, nodeTransportFactory, type ManagedSession } from '../../src/node.js';
import type { Transport } from '../../src/transport/transport.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { formatValue } from '../../src/web/model/format.js';
import { requireSystem } from '../helpers/system-deps.js';
import { buildWeb, chromiumArgs, startDevice, startUiRouter, type UiRouter } from './harness.js';

/**
 * The web UI in real headless Chromium (Debian's `chromium`, driven by playwright-core), against
 * a router serving the built page and devices started here. What the device did is checked over
 * WAMP from the test, never from the page.
 */

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = resolve(ROOT, 'test-artifacts');
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

const hasChromium = requireSystem('chromium', () => existsSync(CHROMIUM));

describe.skipIf(!hasChromium)('web UI in Chromium', { timeout: 40_000 }, () => {
  let tmp: string;
  let webDir: string;
  let browser: Browser;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'switchyard-web-'));
    webDir = join(tmp, 'web');
    await buildWeb(webDir);
    // Every launch gets a fresh, temporary profile (user data dir) from playwright.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: await chromiumArgs() });
  }, 60_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  async function router(realms?: unknown[]): Promise<UiRouter> {
    const started = await startUiRouter(webDir, realms);
    cleanups.push(() => started.close());
    return started;
  }

  async function device(upstream: string, options: Parameters<typeof startDevice>[1] = {}): Promise<RunningDevice> {
    const running = await startDevice(upstream, options);
    cleanups.push(() => running.stop());
    return running;
  }

  async function observer(url: string, auth?: { authid: string; ticket: string }): Promise<ManagedSession> {
    const session = await connect({ url, realm: 'home', ...(auth !== undefined ? { auth: { method: 'ticket', ...auth } } : {}) });
    cleanups.push(() => session.leave());
    return session;
  }

  /** A page in a fresh context; CSP violations and page errors fail the test at cleanup. */
  async function open(url: string, viewport = DESKTOP, mobile = false): Promise<Page> {
    const context: BrowserContext = await browser.newContext({ viewport, locale: 'en-US', isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 2 : 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
    });
    cleanups.push(async () => {
      await context.close();
      expect(problems).toEqual([]);
    });
    const response = await page.goto(url);
    // The router's own headers: the checks above would not catch inline code without this CSP.
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    return page;
  }

  const card = (page: Page, name: string): Locator => page.locator(`article[data-device="${name}"]`);

  it('lists the device, switches the light and sets the dimmer (checked over WAMP), and shows readings', async () => {
    const r = await router();
    await device(r.rawsocketUrl, { interval: '300ms' });
    const wamp = await observer(r.rawsocketUrl);
    const published = new Set<string>();
    await wamp.subscribe('devices.kitchen.temperature', (event: Event) => void published.add(formatValue(event.args[0] as number)));

    const page = await open(r.pageUrl);
    const kitchen = card(page, 'kitchen');
    await expect.poll(() => kitchen.getAttribute('data-status')).toBe('online');
    await expect.poll(() => page.locator('.connection').textContent()).toContain('Connected');

    const light = kitchen.getByRole('switch', { name: 'Light' });
    expect(await light.getAttribute('aria-checked')).toBe('false');
    await light.click();
    await expect.poll(() => light.getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => light.getAttribute('aria-busy')).toBe('false');
    expect((await wamp.call('devices.kitchen.light.get')).args).toEqual([true]);

    // Keyboard: Space on the focused switch turns it off again.
    await light.focus();
    await page.keyboard.press('Space');
    await expect.poll(async () => (await wamp.call('devices.kitchen.light.get')).args[0]).toBe(false);
    await expect.poll(() => light.getAttribute('aria-checked')).toBe('false');

    const dimmer = kitchen.getByRole('slider', { name: 'Dimmer' });
    expect(await dimmer.getAttribute('aria-valuetext')).toBe('50 %');
    await dimmer.fill('80');
    await expect.poll(async () => (await wamp.call('devices.kitchen.dimmer.get')).args[0]).toBe(0.8);
    // Arrow keys while focused: each step is a call, throttled; the last one always arrives.
    await dimmer.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await wamp.call('devices.kitchen.dimmer.get')).args[0]).toBe(0.85);
    await expect.poll(() => dimmer.getAttribute('aria-valuetext')).toBe('85 %');

    // A reading the device published is what the tile shows.
    const value = kitchen.locator('[data-sensor="temperature"] .tile-number');
    await expect.poll(async () => published.has((await value.textContent()) ?? ''), { timeout: 5000 }).toBe(true);
    await expect.poll(() => kitchen.locator('[data-sensor="temperature"] .tile-age').textContent()).toMatch(/just now|\d+ s ago/);
    await expect.poll(() => kitchen.locator('[data-sensor="temperature"] .sparkline-line').count()).toBe(1);

    // The last-hour chart loads uPlot on demand.
    await kitchen.locator('[data-sensor="temperature"]').getByRole('button', { name: 'Last hour' }).click();
    await expect.poll(() => kitchen.locator('.chart canvas').count()).toBe(1);
  });

  it('shows the device offline when it stops, and online again when it starts', async () => {
    const r = await router();
    const first = await startDevice(r.rawsocketUrl);
    const page = await open(r.pageUrl);
    const kitchen = card(page, 'kitchen');
    await expect.poll(() => kitchen.getAttribute('data-status')).toBe('online');
    const light = kitchen.getByRole('switch', { name: 'Light' });
    // Enabled once describe has answered (the retained state alone draws it disabled).
    await expect.poll(() => light.isEnabled()).toBe(true);

    await first.stop();
    await expect.poll(() => kitchen.getAttribute('data-status')).toBe('offline');
    expect(await kitchen.locator('.status').textContent()).toContain('Offline');
    expect(await light.isDisabled()).toBe(true);

    await device(r.rawsocketUrl);
    await expect.poll(() => kitchen.getAttribute('data-status'), { timeout: 10_000 }).toBe('online');
    await expect.poll(() => light.isEnabled()).toBe(true);
  });

  it('finds a device that joins after the page loaded', async () => {
    const r = await router();
    const page = await open(r.pageUrl);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('No devices');
    await device(r.rawsocketUrl, { name: 'porch' });
    await expect.poll(() => card(page, 'porch').getAttribute('data-status')).toBe('online');
    await expect.poll(() => card(page, 'porch').getByRole('switch', { name: 'Light' }).count()).toBe(1);
  });

  /**
   * A device played by the test: one switch `relay` whose set always fails with
   * switchyard.error.hardware_unavailable, `online` retained, `offline` as its testament.
   */
  async function brokenRelay(upstream: string): Promise<{ attempts: () => number; dropConnection: () => void }> {
    let transport: Transport | undefined;
    const session = await connect({
      url: upstream,
      realm: 'home',
      reconnect: false,
      transportFactory: async (...args) => (transport = await nodeTransportFactory(...args)),
    });
    cleanups.push(() => session.leave());
    await session.register('devices.flaky.describe', () => ({
      device: 'flaky',
      actuators: [{ name: 'relay', kind: 'switch', state: false, ts: Date.now() }],
      sensors: [],
      buffer: { size: 0, dropped: 0, rejected: 0 },
    }));
    let attempts = 0;
    await session.register('devices.flaky.relay.set', () => {
      attempts++;
      throw new ApplicationError('switchyard.error.hardware_unavailable', ['relay board not found on i2c-1']);
    });
    await session.call('wamp.session.add_testament', ['devices.flaky.status', ['offline'], {}], { publish_options: { retain: true }, scope: 'destroyed' });
    await session.publish('devices.flaky.status', ['online'], {}, { retain: true, acknowledge: true });
    return { attempts: () => attempts, dropConnection: () => transport?.destroy('test: connection lost') };
  }

  it('rolls the switch back with a readable message when the call fails', async () => {
    const r = await router();
    const flaky = await brokenRelay(r.rawsocketUrl);
    const page = await open(r.pageUrl);
    const relay = card(page, 'flaky').getByRole('switch', { name: 'Relay' });
    await expect.poll(() => relay.isEnabled()).toBe(true);
    await relay.click();
    const alert = card(page, 'flaky').getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('The hardware is not available: relay board not found on i2c-1');
    expect(await relay.getAttribute('aria-checked')).toBe('false');
    expect(await relay.getAttribute('aria-busy')).toBe('false');
    expect(flaky.attempts()).toBe(1);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => alert.count()).toBe(0);
  });

  it('marks a device offline when its testament fires (connection lost without a goodbye)', async () => {
    const r = await router();
    const flaky = await brokenRelay(r.rawsocketUrl);
    const page = await open(r.pageUrl);
    const relay = card(page, 'flaky').getByRole('switch', { name: 'Relay' });
    await expect.poll(() => card(page, 'flaky').getAttribute('data-status')).toBe('online');
    // The card shows the status first; its controls come with the answer to `describe`, which
    // must be in before the device goes (under load it can lag the status).
    await expect.poll(() => relay.isEnabled()).toBe(true);
    flaky.dropConnection();
    await expect.poll(() => card(page, 'flaky').getAttribute('data-status')).toBe('offline');
    expect(await relay.isDisabled()).toBe(true);
  });

  it('signs in with the login form on a realm that refuses anonymous sessions (ticket and WAMP-CRA)', async () => {
    const r = await router([
      {
        name: 'home',
        users: [
          { authid: 'alice', method: 'ticket', ticket: 'wonderland', role: 'user' },
          { authid: 'bob', method: 'wampcra', secret: 'builder', role: 'user' },
          { authid: 'kitchen', method: 'ticket', ticket: 'device-ticket', role: 'device' },
        ],
      },
    ]);
    await device(r.rawsocketUrl, { auth: { method: 'ticket', authid: 'kitchen', ticket: 'device-ticket' } });
    const wamp = await observer(r.rawsocketUrl, { authid: 'kitchen', ticket: 'device-ticket' });

    const page = await open(r.pageUrl);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    await page.getByLabel('User').fill('alice');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Sign-in refused');

    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const kitchen = card(page, 'kitchen');
    await expect.poll(() => kitchen.getAttribute('data-status')).toBe('online');
    await kitchen.getByRole('switch', { name: 'Light' }).click();
    await expect.poll(async () => (await wamp.call('devices.kitchen.light.get')).args[0]).toBe(true);

    // Kept for the tab: a reload signs in again without the form.
    await page.reload();
    await expect.poll(() => kitchen.getAttribute('data-status')).toBe('online');
    expect(await page.getByRole('heading', { name: 'Sign in' }).count()).toBe(0);

    await page.getByRole('button', { name: /Sign out/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    await page.getByLabel('WAMP-CRA').check();
    await page.getByLabel('User').fill('bob');
    await page.getByLabel('Password').fill('builder');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => kitchen.getAttribute('data-status')).toBe('online');
    expect(await page.getByRole('button', { name: /Sign out/ }).textContent()).toContain('bob');
  });

  it('fits a phone and a desktop, with 44 px touch targets; writes both screenshots', async () => {
    const r = await router();
    await device(r.rawsocketUrl, { interval: '200ms' });
    await device(r.rawsocketUrl, { name: 'living_room', interval: '200ms' });
    mkdirSync(ARTIFACTS, { recursive: true });

    const phone = await open(r.pageUrl, PHONE, true);
    await expect.poll(() => phone.locator('article[data-status="online"]').count()).toBe(2);
    await expect.poll(() => phone.locator('[data-sensor="temperature"] .sparkline-line').count()).toBe(2);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    for (const control of await phone.locator('button, input[type="range"]').all()) {
      const box = (await control.boundingBox())!;
      expect(Math.round(box.height)).toBeGreaterThanOrEqual(44);
      expect(Math.round(box.width)).toBeGreaterThanOrEqual(44);
    }
    await phone.waitForTimeout(1500); // a few readings for the sparklines
    await phone.screenshot({ path: join(ARTIFACTS, 'ui-phone.png'), fullPage: true });

    const desktop = await open(r.pageUrl, DESKTOP);
    await expect.poll(() => desktop.locator('article[data-status="online"]').count()).toBe(2);
    await desktop.locator('article[data-device="kitchen"] [data-sensor="temperature"]').getByRole('button', { name: 'Last hour' }).click();
    await expect.poll(() => desktop.locator('.chart canvas').count()).toBe(1);
    await desktop.waitForTimeout(1500);
    await desktop.screenshot({ path: join(ARTIFACTS, 'ui-desktop.png') });
    expect(existsSync(join(ARTIFACTS, 'ui-phone.png')) && existsSync(join(ARTIFACTS, 'ui-desktop.png'))).toBe(true);
  });
});
