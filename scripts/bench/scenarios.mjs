// The benchmark scenarios, and their runner: the scenario's server in its own process, its load
// client in another; each run resumes the load, warms up, measures (server CPU and RSS from
// /proc, load CPU over IPC) and pauses it again.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkChild, nextMessage, stopChild } from './children.mjs';
import { cpuBetween, machineCpu, memoryMiB, sampleCpu } from './proc-stats.mjs';
import { startMosquittoProcess, startRelayProcess, startRouterProcess } from './servers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * id, label, server ('router' | 'relay' | 'relay-cork' | 'mosquitto'), load ('rpc' | 'fanout' |
 * 'mqtt'), kind ('rawsocket' | 'websocket' | 'mqtt'), serializer, window ('fanout' = the option).
 */
export const SCENARIOS = [
  { id: 'relay.rpc.w1', label: 'TCP relay (baseline), RPC w1', server: 'relay', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 1 },
  { id: 'router.rpc.w1.rawsocket-cbor', label: 'router RawSocket/CBOR, RPC w1', server: 'router', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 1 },
  { id: 'router.rpc.w1.websocket-json', label: 'router WebSocket/JSON, RPC w1', server: 'router', load: 'rpc', kind: 'websocket', serializer: 'json', window: 1 },
  { id: 'relay.rpc.w100', label: 'TCP relay (baseline), RPC w100', server: 'relay', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 100 },
  { id: 'relay-cork.rpc.w100', label: 'TCP relay, corked (info), RPC w100', server: 'relay-cork', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 100, info: true },
  { id: 'router.rpc.w100.rawsocket-cbor', label: 'router RawSocket/CBOR, RPC w100', server: 'router', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 100 },
  { id: 'router.rpc.w100.websocket-json', label: 'router WebSocket/JSON, RPC w100', server: 'router', load: 'rpc', kind: 'websocket', serializer: 'json', window: 100 },
  { id: 'mosquitto.fanout', label: 'Mosquitto MQTT QoS 0 (baseline), fan-out', server: 'mosquitto', load: 'mqtt', kind: 'mqtt', window: 'fanout' },
  { id: 'router.fanout.rawsocket-cbor', label: 'router RawSocket/CBOR, fan-out', server: 'router', load: 'fanout', kind: 'rawsocket', serializer: 'cbor', window: 'fanout' },
  { id: 'router.fanout.websocket-json', label: 'router WebSocket/JSON, fan-out', server: 'router', load: 'fanout', kind: 'websocket', serializer: 'json', window: 'fanout' },
];

const LOAD_SCRIPTS = { rpc: 'load-rpc.mjs', fanout: 'load-fanout.mjs', mqtt: 'load-mqtt.mjs' };

async function startServer(scenario, profileDir) {
  switch (scenario.server) {
    case 'router':
      return startRouterProcess(profileDir);
    case 'relay':
      return startRelayProcess('frame');
    case 'relay-cork':
      return startRelayProcess('cork');
    case 'mosquitto':
      return startMosquittoProcess();
    default:
      throw new Error(`unknown server ${scenario.server}`);
  }
}

function portFor(scenario, server) {
  if (scenario.server === 'mosquitto') return server.ports.mqtt;
  if (scenario.server !== 'router') return server.ports.rawsocket;
  return server.ports[scenario.kind];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A scenario's server and load client, kept alive across its runs so that runs of different
 * scenarios can be interleaved cheaply: between runs the load client is paused (nothing in flight,
 * no CPU). `profileDir` runs the router under `node --cpu-prof` (written when it exits).
 */
export class ScenarioRunner {
  #server;
  #load;
  #failed;
  #idle;
  #runs = 0;

  constructor(scenario, options, profileDir) {
    this.scenario = scenario;
    this.options = options;
    this.profileDir = profileDir;
  }

  /** Starts the server (idle RSS is read now), then the load client, connected and idle. */
  async open() {
    const { scenario, options } = this;
    this.#server = await startServer(scenario, this.profileDir);
    this.#idle = memoryMiB(this.#server.pid);
    const window = scenario.window === 'fanout' ? options.fanoutWindow : scenario.window;
    const config = {
      kind: scenario.kind,
      target: scenario.server === 'router' ? 'router' : 'relay',
      host: '127.0.0.1',
      port: portFor(scenario, this.#server),
      serializer: scenario.serializer,
      window,
      payload: options.payload,
      subscribers: options.subscribers,
    };
    this.#load = forkChild(join(here, LOAD_SCRIPTS[scenario.load]), [JSON.stringify(config)]);
    // Rejects when the load client reports an error or exits: raced against every step.
    this.#failed = nextMessage(this.#load, 'never', 2 ** 31 - 1, 'the end of the scenario');
    this.#failed.catch(() => {});
    await this.#step(nextMessage(this.#load, 'ready', 20_000, 'load ready'));
  }

  /**
   * One run: resume the load, warm up (the full warm-up the first time, `rewarmMs` later), measure
   * for durationMs, pause. Returns { rate, unit, latency, server, load, machine }.
   */
  async run() {
    const { options } = this;
    const server = this.#server;
    const load = this.#load;
    load.send({ type: 'go' });
    await this.#step(sleep(this.#runs++ === 0 ? options.warmupMs : options.rewarmMs));
    const cpu0 = sampleCpu(server.pid);
    const machine0 = machineCpu();
    load.send({ type: 'measure' });
    await this.#step(sleep(options.durationMs));
    const cpu1 = sampleCpu(server.pid);
    const machine1 = machineCpu();
    const loaded = memoryMiB(server.pid);
    load.send({ type: 'report' });
    const report = await this.#step(nextMessage(load, 'report', 10_000, 'load report'));
    const cpu = cpuBetween(cpu0, cpu1);
    const rate = report.messages / report.wallSeconds;
    const machineWall = (machine1.at - machine0.at) / 1000;
    const busyCores = (machine1.busy - machine0.busy) / machineWall;
    const softirqCores = (machine1.softirq - machine0.softirq) / machineWall;
    return {
      rate,
      unit: report.unit,
      messages: report.messages,
      publications: report.publications,
      latency: report.latency,
      server: {
        cores: cpu.cores,
        cpuSeconds: cpu.cpuSeconds,
        cpuPer100k: rate > 0 ? (cpu.cores / rate) * 1e5 : null,
        idleRssMiB: this.#idle.rss,
        rssMiB: loaded.rss,
        peakRssMiB: loaded.peak,
      },
      load: { cores: report.cpuCores, rssMiB: report.rssMiB },
      machine: {
        busyCores,
        // Loopback TCP is largely processed in softirq, billed to no process.
        softirqCores,
        // Busy CPU outside the server, the load client and softirq: other processes on the
        // machine (the bench's own orchestrator is negligible).
        otherCores: Math.max(0, busyCores - softirqCores - cpu.cores - report.cpuCores),
      },
    };
  }

  /** Stops the load client, then the server (which writes its profile, if profiled). */
  async close() {
    if (this.#load !== undefined) await stopChild(this.#load, 1000);
    if (this.#server !== undefined) await this.#server.stop();
  }

  #step(promise) {
    return Promise.race([promise, this.#failed]);
  }
}
