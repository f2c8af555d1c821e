// The MQTT gateway benchmark, in one run with its own baseline:
//   mosquitto.mqtt-fanout   MQTT publisher (QoS 0) → N MQTT subscribers through Mosquitto
//   router.mqtt-fanout      the same through our router (`node dist/cli/main.js router`, mqtt listener)
//   router.mqtt-to-wamp     MQTT publisher → N WAMP subscribers (RawSocket/CBOR) through our router
// Each server runs in its own process, each load client in another; runs are interleaved round by
// round and medians reported: delivered messages/s, server CPU per delivery (from /proc), and the
// ratios to Mosquitto (targets: ≥ 0.8× its rate at ≤ 1.5× its CPU per delivery). Then a fresh
// router carries 1,000,000 publications (× N deliveries) and its RSS is compared before/after.
//
// `node scripts/bench/mqtt-gateway.mjs [--quick] [--runs=N] [--duration=S] [--messages=N] [--json=PATH]`
// after `npm run build`; or import { runMqttGatewayBench } and call it (resolves to the results).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkChild, installCleanup, nextMessage, spawnChild, stopChild, trackTempDir, untrackTempDir } from './children.mjs';
import { REALM } from './constants.mjs';
import { cpuBetween, memoryMiB, sampleCpu } from './proc-stats.mjs';
import { median } from './report.mjs';
import { MOSQUITTO, mosquittoVersion, startMosquittoProcess } from './servers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const SETPRIV = '/usr/bin/setpriv';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const MQTT_SCENARIOS = [
  { id: 'mosquitto.mqtt-fanout', label: 'Mosquitto: MQTT → MQTT subscribers (baseline)', server: 'mosquitto', load: 'load-mqtt.mjs' },
  { id: 'router.mqtt-fanout', label: 'router: MQTT → MQTT subscribers', server: 'router', load: 'load-mqtt.mjs' },
  { id: 'router.mqtt-to-wamp', label: 'router: MQTT → WAMP subscribers (RawSocket/CBOR)', server: 'router', load: 'mqtt-load-wamp.mjs' },
];

const DEFAULTS = { runs: 5, durationMs: 3000, warmupMs: 1000, rewarmMs: 500, window: 500, subscribers: 10, payload: 64, messages: 1_000_000 };

/** Our router from dist/ with an mqtt and a rawsocket listener on free ports, realm `bench` open. */
export async function startRouterCli() {
  const dir = trackTempDir(mkdtempSync(join(tmpdir(), 'switchyard-bench-mqtt-')));
  const config = join(dir, 'router.yaml');
  writeFileSync(
    config,
    [
      'listen:',
      `  - { type: mqtt, host: 127.0.0.1, port: 0, realm: ${REALM} }`,
      '  - { type: rawsocket, host: 127.0.0.1, port: 0 }',
      'realms:',
      `  - { name: ${REALM}, anonymous: { role: anonymous } }`,
      'log_level: info',
      '',
    ].join('\n'),
  );
  const argv = [join(root, 'dist/cli/main.js'), 'router', '--config', config];
  // setpriv --pdeathsig: the router dies with the bench even if the bench is SIGKILLed.
  const child = existsSync(SETPRIV) ? spawnChild(SETPRIV, ['--pdeathsig', 'KILL', '--', process.execPath, ...argv]) : spawnChild(process.execPath, argv);
  const ports = await new Promise((resolve, reject) => {
    const found = {};
    let text = '';
    const timer = setTimeout(() => reject(new Error(`router did not start: ${text.trim()}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`router exited (${code}): ${text.trim()}`)));
    child.stderr.on('data', (chunk) => {
      text += chunk;
      for (const match of text.matchAll(/listening type=(\w+) address=[\d.]+:(\d+)/g)) found[match[1]] = Number(match[2]);
      if (found.mqtt !== undefined && found.rawsocket !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  child.stderr.resume();
  return {
    name: 'router',
    pid: child.pid,
    ports,
    async stop() {
      await stopChild(child);
      untrackTempDir(dir);
    },
  };
}

/** One scenario: its server and its load process, kept up across runs. */
class Runner {
  constructor(scenario, options) {
    this.scenario = scenario;
    this.options = options;
    this.runs = [];
  }

  async open() {
    const { scenario, options } = this;
    this.server = scenario.server === 'mosquitto' ? await startMosquittoProcess() : await startRouterCli();
    const port = this.server.ports.mqtt;
    const common = { host: '127.0.0.1', window: options.window, payload: options.payload, subscribers: options.subscribers };
    const config =
      scenario.load === 'load-mqtt.mjs'
        ? { ...common, role: 'publisher', port }
        : { ...common, mqttPort: port, wampPort: this.server.ports.rawsocket, kind: 'rawsocket', serializer: 'cbor' };
    this.load = forkChild(join(here, scenario.load), [JSON.stringify(config)]);
    this.failed = nextMessage(this.load, 'never', 2 ** 31 - 1, 'the end of the scenario');
    this.failed.catch(() => {});
    await this.#step(nextMessage(this.load, 'ready', 20_000, `${scenario.id} load ready`));
  }

  /** One measured run: resume, warm up, measure, pause. */
  async run() {
    const { options } = this;
    this.load.send({ type: 'go' });
    await this.#step(sleep(this.runs.length === 0 ? options.warmupMs : options.rewarmMs));
    const cpu0 = sampleCpu(this.server.pid);
    this.load.send({ type: 'measure' });
    await this.#step(sleep(options.durationMs));
    const cpu1 = sampleCpu(this.server.pid);
    this.load.send({ type: 'report' });
    const report = await this.#step(nextMessage(this.load, 'report', 10_000, 'report'));
    const cpu = cpuBetween(cpu0, cpu1);
    const rate = report.messages / report.wallSeconds;
    const result = {
      rate,
      serverCores: cpu.cores,
      cpuUsPerDelivery: rate > 0 ? (cpu.cores / rate) * 1e6 : null,
      loadCores: report.cpuCores,
      p50Us: report.latency?.p50Us ?? null,
      rssMiB: memoryMiB(this.server.pid).rss,
    };
    this.runs.push(result);
    return result;
  }

  /** Publications until `target` more have completed (each reached every subscriber). */
  async carry(target) {
    this.load.send({ type: 'measure' });
    let done = 0;
    while (done < target) {
      this.load.send({ type: 'go' });
      await this.#step(sleep(1000));
      this.load.send({ type: 'report' });
      done = (await this.#step(nextMessage(this.load, 'report', 10_000, 'report'))).publications;
    }
    return done;
  }

  async close() {
    if (this.load !== undefined) await stopChild(this.load);
    await this.server?.stop();
  }

  #step(promise) {
    return this.failed === undefined ? promise : Promise.race([promise, this.failed]);
  }
}

/** RSS of a process after it has been idle a moment (MiB). */
async function settledRss(pid) {
  await sleep(1000);
  return memoryMiB(pid).rss;
}

/** Runs the whole MQTT bench; `log` gets progress lines. Resolves to the results (JSON-able). */
export async function runMqttGatewayBench(opts = {}, log = console.log) {
  const options = { ...DEFAULTS, ...opts };
  if (!existsSync(join(root, 'dist/mqtt/listener.js'))) throw new Error('dist/ has no MQTT gateway: run `npm run build` first');
  installCleanup();
  const mosquitto = existsSync(MOSQUITTO) ? mosquittoVersion() : null;
  const scenarios = MQTT_SCENARIOS.filter((s) => s.server !== 'mosquitto' || mosquitto !== null);
  if (mosquitto === null) log(`warning: ${MOSQUITTO} not found: no Mosquitto baseline`);
  log(
    `MQTT gateway bench — ${options.runs} run(s) × ${options.durationMs / 1000} s, ${options.payload}-byte payloads, ` +
      `${options.subscribers} subscribers, ${options.window} publications in flight` + (mosquitto !== null ? `, mosquitto ${mosquitto}` : ''),
  );
  const runners = [];
  try {
    for (const scenario of scenarios) {
      const runner = new Runner(scenario, options);
      runners.push(runner);
      await runner.open();
    }
    for (let run = 1; run <= options.runs; run++) {
      const order = run % 2 === 1 ? runners : [...runners].reverse();
      for (const runner of order) {
        const r = await runner.run();
        log(`run ${run}/${options.runs}  ${runner.scenario.id.padEnd(24)} ${fmt(r.rate)} msg/s  server ${r.serverCores.toFixed(2)} cores  ${r.cpuUsPerDelivery?.toFixed(3)} µs CPU/delivery`);
      }
    }
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  const summary = Object.fromEntries(
    runners.map((r) => [
      r.scenario.id,
      {
        label: r.scenario.label,
        rate: median(r.runs.map((x) => x.rate)),
        cpuUsPerDelivery: median(r.runs.map((x) => x.cpuUsPerDelivery)),
        serverCores: median(r.runs.map((x) => x.serverCores)),
        loadCores: median(r.runs.map((x) => x.loadCores)),
        p50Us: median(r.runs.map((x) => x.p50Us)),
        rssMiB: median(r.runs.map((x) => x.rssMiB)),
      },
    ]),
  );
  const memory = await measureMemory(options, log);
  const base = summary['mosquitto.mqtt-fanout'];
  const ours = summary['router.mqtt-fanout'];
  const ratios =
    base !== undefined && ours !== undefined
      ? { rate: ours.rate / base.rate, cpuPerDelivery: ours.cpuUsPerDelivery / base.cpuUsPerDelivery }
      : null;
  const results = { date: new Date().toISOString(), node: process.version, mosquitto, options, summary, ratios, memory };
  for (const line of formatResults(results)) log(line);
  return results;
}

/** A fresh router: RSS after 100,000 publications and again after `options.messages` more. */
async function measureMemory(options, log) {
  const runner = new Runner(MQTT_SCENARIOS[1], options);
  try {
    await runner.open();
    await runner.carry(100_000);
    const before = await settledRss(runner.server.pid);
    const published = await runner.carry(options.messages);
    const after = await settledRss(runner.server.pid);
    const result = { publications: published, deliveries: published * options.subscribers, rssBeforeMiB: before, rssAfterMiB: after };
    result.bytesPerPublication = ((after - before) * 2 ** 20) / published;
    log(`memory: RSS ${before.toFixed(1)} MiB → ${after.toFixed(1)} MiB over ${fmt(published)} publications (${fmt(result.deliveries)} deliveries)`);
    return result;
  } finally {
    await runner.close();
  }
}

export function formatResults({ summary, ratios, memory }) {
  const lines = ['', 'scenario                  delivered msg/s   server cores   µs CPU/delivery   p50 latency'];
  for (const [id, s] of Object.entries(summary)) {
    lines.push(`${id.padEnd(25)} ${fmt(s.rate).padStart(15)}   ${s.serverCores.toFixed(2).padStart(12)}   ${s.cpuUsPerDelivery.toFixed(3).padStart(15)}   ${s.p50Us === null ? '-' : `${Math.round(s.p50Us)} µs`}`);
  }
  lines.push('');
  if (ratios !== null) {
    const rateOk = ratios.rate >= 0.8;
    const cpuOk = ratios.cpuPerDelivery <= 1.5;
    lines.push(`target ${rateOk ? 'PASS' : 'MISS'}: router delivers ${ratios.rate.toFixed(2)}× Mosquitto's messages/s (≥ 0.80×)`);
    lines.push(`target ${cpuOk ? 'PASS' : 'MISS'}: router CPU per delivery ${ratios.cpuPerDelivery.toFixed(2)}× Mosquitto's (≤ 1.50×)`);
  }
  if (memory !== undefined) {
    const growth = memory.rssAfterMiB - memory.rssBeforeMiB;
    lines.push(
      `memory: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB RSS over ${fmt(memory.publications)} publications ` +
        `(${memory.bytesPerPublication.toFixed(1)} B per publication; fox-wamp: ~55 B per message)`,
    );
  }
  return lines;
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

function parseArgs(argv) {
  const out = {};
  for (const arg of argv) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new Error(`unknown argument ${arg}`);
    const [, name, value] = m;
    if (name === 'quick') Object.assign(out, { runs: 1, durationMs: 1000, warmupMs: 500, rewarmMs: 250, messages: 200_000 });
    else if (name === 'runs') out.runs = Number(value);
    else if (name === 'duration') out.durationMs = Number(value) * 1000;
    else if (name === 'messages') out.messages = Number(value);
    else if (name === 'window') out.window = Number(value);
    else if (name === 'subscribers') out.subscribers = Number(value);
    else if (name === 'payload') out.payload = Number(value);
    else if (name === 'json') out.json = value;
    else throw new Error(`unknown option --${name}`);
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const results = await runMqttGatewayBench(args);
    if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(results, null, 2));
    process.exit(0);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
