import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ManagedSession } from '../../src/client/managed-session.js';
import { runDevice, type RunningDevice } from '../../src/cli/run-device.js';
import { parseFullDeviceConfig } from '../../src/cli/device-config.js';
import { formatProblem } from '../../src/common/config-problem.js';
import { silentLogger } from '../../src/common/logger.js';
import type { RunningRouter } from '../../src/router/serve.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { hasPythonAutobahn, PyPeer, PyPeerError, pyEvent, type PyOpenOptions, type PyReport, type RouterAddress } from '../interop/peers/py-peer.js';
import { observer, until } from './device-fixture.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

const DEMO_FILE = fileURLToPath(new URL('../../devices/demo.yaml', import.meta.url));
const URI = 'devices.demo';

/**
 * devices/demo.yaml run in-process by runDevice (embedded router on OS-assigned ports, upstream
 * session to a test router), driven by Autobahn|Python clients on either router.
 */
describe.skipIf(!runPython)('device runtime with Autobahn|Python: the demo device', { timeout: 40_000 }, () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  });

  /** An upstream router and the demo device (embedded router on port 0, upstream session to that router). */
  async function startDemo(): Promise<{ upstream: TestRouter; local: RouterAddress; device: RunningDevice }> {
    const upstream = await startTestRouter();
    cleanups.push(() => upstream.close());
    const doc = parse(readFileSync(DEMO_FILE, 'utf8')) as { local_router: { listen: unknown }; upstream: unknown; sensors: Array<{ interval: string }> };
    doc.local_router.listen = [
      { type: 'universal', host: '127.0.0.1', port: 0 },
      { type: 'rawsocket', host: '127.0.0.1', port: 0 },
    ];
    doc.upstream = [{ url: `rs://127.0.0.1:${upstream.rawsocketPort}` }];
    for (const sensor of doc.sensors) sensor.interval = '50ms';
    const { config, problems } = parseFullDeviceConfig(stringify(doc), DEMO_FILE, {}, (path) => readFileSync(path, 'utf8'));
    if (config === undefined) throw new Error(`bad demo config:\n${problems.map(formatProblem).join('\n')}`);
    const device = await runDevice(config, silentLogger, {});
    cleanups.push(() => device.stop());
    return { upstream, local: addressOf(device.router!), device };
  }

  /** A Python peer with session `s` on `router`, once the device is announced there (retained `online`). */
  async function python(router: RouterAddress, options: PyOpenOptions): Promise<PyPeer> {
    const py = await PyPeer.start(router, { maxSeconds: 60 });
    cleanups.push(() => py.stop());
    await py.open('s', options);
    await py.subscribe('s', `${URI}.status`, 'status', { get_retained: true });
    await py.waitFor(pyEvent('status', 'online'), 'the device online');
    return py;
  }

  async function ourClient(url: string): Promise<ManagedSession> {
    const client = await observer(url);
    cleanups.push(() => client.leave());
    return client;
  }

  describe.each([
    { transport: 'rawsocket', serializer: 'cbor' },
    { transport: 'websocket', serializer: 'json' },
  ] as const)('through the upstream router, Python over $transport/$serializer', (options) => {
    it('toggles the light, which our client then reads back, and sees the state event', async () => {
      const { upstream } = await startDemo();
      const py = await python(upstream, options);
      await py.subscribe('s', `${URI}.light.state`, 'light');

      expect((await py.call('s', `${URI}.light.toggle`)).args).toEqual([true]);
      const event = await py.waitFor(pyEvent('light', true), 'light.state true');
      expect(event).toMatchObject({ retained: false, kwargs: { source: 'call', ts: expect.any(Number) } });
      const client = await ourClient(`rs://127.0.0.1:${upstream.rawsocketPort}`);
      expect((await client.call(`${URI}.light.get`)).args).toEqual([true]);

      expect((await py.call('s', `${URI}.light.toggle`)).args).toEqual([false]);
      expect((await py.call('s', `${URI}.light.get`)).args).toEqual([false]);
    });

    it('receives temperature readings in °C within the demo range with seq counting up', async () => {
      const { upstream } = await startDemo();
      const py = await python(upstream, options);
      await py.subscribe('s', `${URI}.temperature`, 'temp');
      await until(() => py.reports(pyEvent('temp')).length >= 4, 5000, 'four temperature readings');
      const readings = py.reports(pyEvent('temp'));
      for (const reading of readings) {
        expect(reading.topic).toBe(`${URI}.temperature`);
        expect(reading.args).toHaveLength(1);
        expectInRange(reading.args, 18, 24);
        expect(reading.kwargs).toMatchObject({ unit: '°C', ts: expect.any(Number), seq: expect.any(Number) });
      }
      const seqs = readings.map((r) => (r.kwargs as { seq: number }).seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    });
  });

  it('serves Python clients on the embedded router: set light and dimmer, readings of every sensor', async () => {
    const { local } = await startDemo();
    const ws = await python(local, { transport: 'websocket', serializer: 'json' });
    const rs = await python(local, { transport: 'rawsocket', serializer: 'cbor' });
    await rs.subscribe('s', `${URI}.`, 'readings', { match: 'prefix' });

    expect((await ws.call('s', `${URI}.light.set`, [true])).args).toEqual([true]);
    expect((await rs.call('s', `${URI}.dimmer.set`, [0.8])).args).toEqual([0.8]);
    expect((await ws.call('s', `${URI}.dimmer.get`)).args).toEqual([0.8]);
    expect((await rs.call('s', `${URI}.light.get`)).args).toEqual([true]);
    await rs.waitFor((r) => r.key === 'readings' && r.topic === `${URI}.dimmer.state` && (r.args as unknown[])[0] === 0.8, 'dimmer.state 0.8');

    const on = (topic: string) => (r: PyReport) => r.key === 'readings' && r.topic === `${URI}.${topic}`;
    await rs.waitFor(on('temperature'), 'a temperature reading');
    await rs.waitFor(on('humidity'), 'a humidity reading');
    const humidity = rs.reports(on('humidity'))[0]!;
    expectInRange(humidity.args, 35, 60);
    expect(humidity.kwargs).toMatchObject({ unit: '%RH', seq: expect.any(Number) });
    expect(rs.reports(on('temperature'))[0]!.kwargs).toMatchObject({ unit: '°C' });
  });

  it('gives a late Python subscriber the retained status and light state, and describes the device', async () => {
    const { upstream, local } = await startDemo();
    const client = await ourClient(`rs://127.0.0.1:${upstream.rawsocketPort}`);
    await retry(() => client.call(`${URI}.light.set`, [true]), 'light.set from our client');
    for (const [where, router] of [['upstream', upstream], ['local', local]] as const) {
      const py = await python(router, { transport: 'rawsocket', serializer: 'cbor' });
      expect(py.reports(pyEvent('status'))[0]).toMatchObject({ args: ['online'], retained: true });
      await py.subscribe('s', `${URI}.light.state`, 'light', { get_retained: true });
      const state = await py.waitFor(pyEvent('light'), `retained light.state (${where})`);
      expect(state).toMatchObject({ args: [true], retained: true, kwargs: { source: 'call' } });

      const described = (await py.call('s', `${URI}.describe`)).args;
      expect(described).toHaveLength(1);
      expect(described[0]).toMatchObject({
        device: 'demo',
        actuators: [
          { name: 'light', kind: 'switch', state: true },
          { name: 'dimmer', kind: 'dimmer', state: 0.5 },
        ],
        sensors: [
          { name: 'temperature', unit: '°C', value: expect.any(Number), ts: expect.any(Number), stale: false },
          { name: 'humidity', unit: '%RH', value: expect.any(Number), ts: expect.any(Number), stale: false },
          { name: 'motion', unit: null, value: expect.any(Boolean), stale: false },
        ],
        buffer: { size: expect.any(Number) },
      });
    }
  });

  it('publishes offline to Python subscribers on both routers when the device stops cleanly', async () => {
    const { upstream, local, device } = await startDemo();
    const peers = [await python(upstream, { transport: 'rawsocket', serializer: 'cbor' }), await python(local, { transport: 'websocket', serializer: 'json' })];
    await device.stop();
    for (const py of peers) await py.waitFor(pyEvent('status', 'offline'), 'offline');
    const late = await PyPeer.start(upstream, { maxSeconds: 60 });
    cleanups.push(() => late.stop());
    await late.open('s', { transport: 'websocket', serializer: 'json' });
    await late.subscribe('s', `${URI}.status`, 'status', { get_retained: true });
    expect(await late.waitFor(pyEvent('status'), 'the retained status')).toMatchObject({ args: ['offline'], retained: true });
  });

  it('answers bad values from Python with wamp.error.invalid_argument and a message, then keeps serving', async () => {
    const { upstream } = await startDemo();
    const py = await python(upstream, { transport: 'websocket', serializer: 'json' });
    const refusal = (procedure: string, args: unknown[]) => py.call('s', `${URI}.${procedure}`, args).then(() => undefined, (e: unknown) => e);

    const bright = await refusal('light.set', ['bright']);
    expect(bright).toBeInstanceOf(PyPeerError);
    expect(bright).toMatchObject({ uri: 'wamp.error.invalid_argument', args: [expect.stringContaining('bright')] });
    const tooMuch = await refusal('dimmer.set', [2]);
    expect(tooMuch).toMatchObject({ uri: 'wamp.error.invalid_argument', args: [expect.stringMatching(/0 to 1.*2/)] });
    expect(await refusal('light.set', [])).toMatchObject({ uri: 'wamp.error.invalid_argument', args: [expect.any(String)] });

    expect((await py.call('s', `${URI}.dimmer.get`)).args).toEqual([0.5]);
    expect((await py.call('s', `${URI}.light.get`)).args).toEqual([false]);
    expect((await py.call('s', `${URI}.light.set`, [true])).args).toEqual([true]);
    expect((await py.call('s', `${URI}.dimmer.set`, [1])).args).toEqual([1]);
    await py.subscribe('s', `${URI}.temperature`, 'temp');
    await py.waitFor(pyEvent('temp'), 'a temperature reading after the refused calls');
  });
});

/** The bound universal and RawSocket ports of a running router, as the Python peer wants them. */
function addressOf(router: RunningRouter): RouterAddress {
  const port = (type: string): number => {
    const address = router.listeners.find((l) => l.config.type === type)?.address;
    if (address === undefined || !('port' in address)) throw new Error(`no ${type} TCP listener`);
    return address.port;
  };
  const universal = port('universal');
  return { host: '127.0.0.1', port: universal, rawsocketPort: port('rawsocket'), wsUrl: `ws://127.0.0.1:${universal}/ws` };
}

function expectInRange(args: unknown, min: number, max: number): void {
  const value = (args as unknown[])[0];
  expect(typeof value).toBe('number');
  expect(value as number).toBeGreaterThanOrEqual(min);
  expect(value as number).toBeLessThanOrEqual(max);
}

/** Retries `attempt` until it resolves (the device registers its procedures once joined). */
async function retry<T>(attempt: () => Promise<T>, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
