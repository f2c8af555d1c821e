// The benchmark scenarios, and their runner: the scenario's server in its own process, its load
// client(s) in others; each run resumes the load, warms up, measures (server CPU and RSS from
// /proc, load CPU over IPC) and pauses it again.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkChild, nextMessage, stopChild } from './children.mjs';
import { cpuBetween, machineCpu, memoryMiB, sampleCpu } from './proc-stats.mjs';
import { startMosquittoProcess, startRelayProcess, startRouterProcess } from './servers.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * id, label, server ('router' | 'relay' | 'relay-frame' | 'mosquitto'), load ('rpc' | 'fanout' |
 * 'mqtt' | 'client'), kind ('rawsocket' | 'websocket' | 'mqtt'), serializer, window ('fanout' =
 * the option), library (client scenarios: 'ours' | 'autobahn' | 'wampy'), info (no target).
 */
export const SCENARIOS = [
  { id: 'relay-frame.rpc.w1', label: 'TCP relay, write per frame (baseline), RPC w1', server: 'relay-frame', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 1 },
  { id: 'relay.rpc.w1', label: 'TCP relay, batched (ceiling, info), RPC w1', server: 'relay', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 1, info: true },
  { id: 'router.rpc.w1.rawsocket-cbor', label: 'router RawSocket/CBOR, RPC w1', server: 'router', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 1 },
  { id: 'router.rpc.w1.websocket-json', label: 'router WebSocket/JSON, RPC w1', server: 'router', load: 'rpc', kind: 'websocket', serializer: 'json', window: 1 },
  { id: 'relay-frame.rpc.w100', label: 'TCP relay, write per frame (baseline), RPC w100', server: 'relay-frame', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 100 },
  { id: 'relay.rpc.w100', label: 'TCP relay, batched (ceiling, info), RPC w100', server: 'relay', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 100, info: true },
  { id: 'router.rpc.w100.rawsocket-cbor', label: 'router RawSocket/CBOR, RPC w100', server: 'router', load: 'rpc', kind: 'rawsocket', serializer: 'cbor', window: 100 },
  { id: 'router.rpc.w100.websocket-json', label: 'router WebSocket/JSON, RPC w100', server: 'router', load: 'rpc', kind: 'websocket', serializer: 'json', window: 100 },
  { id: 'mosquitto.fanout', label: 'Mosquitto MQTT QoS 0 (baseline), fan-out', server: 'mosquitto', load: 'mqtt', kind: 'mqtt', window: 'fanout' },
  { id: 'router.fanout.rawsocket-cbor', label: 'router RawSocket/CBOR, fan-out', server: 'router', load: 'fanout', kind: 'rawsocket', serializer: 'cbor', window: 'fanout' },
  { id: 'router.fanout.websocket-json', label: 'router WebSocket/JSON, fan-out', server: 'router', load: 'fanout', kind: 'websocket', serializer: 'json', window: 'fanout' },
];

/** Our client on WebSocket/JSON against Autobahn|JS and Wampy.js (and on RawSocket/CBOR, for info). */
const CLIENTS = [
  { library: 'ours', name: 'switchyard client' },
  { library: 'autobahn', name: 'Autobahn|JS' },
  { library: 'wampy', name: 'Wampy.js' },
];
for (const window of [1, 100]) {
  for (const { library, name } of CLIENTS) {
    SCENARIOS.push({
      id: `client.${library}.w${window}.websocket-json`,
      label: `${name} WebSocket/JSON, RPC w${window}`,
      server: 'router',
      load: 'client',
      library,
      kind: 'websocket',
      serializer: 'json',
      window,
    });
  }
  SCENARIOS.push({
    id: `client.ours.w${window}.rawsocket-cbor`,
    label: `switchyard client RawSocket/CBOR (info), RPC w${window}`,
    server: 'router',
    load: 'client',
    library: 'ours',
    kind: 'rawsocket',
    serializer: 'cbor',
    window,
    info: true,
  });
}

/**
 * The load processes of a scenario, started together; the last one drives the traffic and
 * reports the rate and latency. RPC callees run in a process of their own: the callee side of
 * a relay round trip costs as much as the caller side, and in a client scenario the client
 * process must hold nothing but the library under test.
 */
function loadProcesses(scenario, server, options) {
  const window = scenario.window === 'fanout' ? options.fanoutWindow : scenario.window;
  const common = { host: '127.0.0.1', serializer: scenario.serializer, window, payload: options.payload };
  const target = scenario.server === 'router' ? 'router' : 'relay';
  const port = portFor(scenario, server);
  switch (scenario.load) {
    case 'rpc':
      return [
        { role: 'callee', script: 'load-callee.mjs', config: { ...common, kind: scenario.kind, target, port } },
        { role: 'caller', script: 'load-rpc.mjs', config: { ...common, kind: scenario.kind, target, port } },
      ];
    case 'fanout':
      return [{ role: 'load', script: 'load-fanout.mjs', config: { ...common, kind: scenario.kind, port, subscribers: options.subscribers } }];
    case 'mqtt': {
      const publisher = { role: 'load', script: 'load-mqtt.mjs', config: { ...common, port, role: 'publisher', subscribers: options.subscribers } };
      if (options.mqttProcesses === 1) return [publisher];
      // Split (see load-mqtt.mjs): the publisher's process keeps the larger half of the subscribers.
      const others = Math.floor(options.subscribers / 2);
      return [
        { role: 'subscribers', script: 'load-mqtt.mjs', config: { ...common, port, role: 'subscribers', subscribers: others } },
        { ...publisher, role: 'publisher', config: { ...publisher.config, subscribers: options.subscribers - others } },
      ];
    }
    case 'client':
      return [
        {
          role: 'callee',
          script: 'load-callee.mjs',
          config: { ...common, kind: 'rawsocket', target, serializer: 'cbor', port: server.ports.rawsocket },
        },
        { role: 'client', script: 'load-client.mjs', config: { ...common, library: scenario.library, kind: scenario.kind, port } },
      ];
    default:
      throw new Error(`unknown load ${scenario.load}`);
  }
}

async function startServer(scenario, profileDir) {
  switch (scenario.server) {
    case 'router':
      return startRouterProcess(profileDir);
    case 'relay':
      return startRelayProcess('batch', profileDir);
    case 'relay-frame':
      return startRelayProcess('frame', profileDir);
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
 * A scenario's server and load processes, kept alive across its runs so that runs of different
 * scenarios can be interleaved cheaply: between runs the load is paused (nothing in flight, no
 * CPU). `profile` = { dir, server, load }: run the server and/or the load processes under
 * `node --cpu-prof`, writing into dir/server and dir/<role> (when each exits).
 */
export class ScenarioRunner {
  #server;
  /** [{ role, child }], the traffic driver last. */
  #loads = [];
  #failed;
  #idle;
  #runs = 0;

  constructor(scenario, options, profile) {
    this.scenario = scenario;
    this.options = options;
    this.profile = profile;
  }

  /** Starts the server (idle RSS is read now), then the load processes, connected and idle. */
  async open() {
    const { scenario, options, profile } = this;
    this.#server = await startServer(scenario, profile?.server ? join(profile.dir, 'server') : undefined);
    this.#idle = memoryMiB(this.#server.pid);
    // All at once: a relay pairs connections, so the callee's handshake waits for the caller's.
    const failures = [];
    const ready = [];
    for (const { role, script, config } of loadProcesses(scenario, this.#server, options)) {
      const execArgv = profile?.load ? ['--cpu-prof', '--cpu-prof-dir', join(profile.dir, role)] : [];
      const child = forkChild(join(here, script), [JSON.stringify(config)], execArgv);
      this.#loads.push({ role, child });
      // Rejects when a load process reports an error or exits: raced against every step.
      failures.push(nextMessage(child, 'never', 2 ** 31 - 1, 'the end of the scenario'));
      ready.push(nextMessage(child, 'ready', 20_000, `${role} ready`));
    }
    this.#failed = Promise.race(failures);
    this.#failed.catch(() => {});
    await this.#step(Promise.all(ready));
  }

  /**
   * One run: resume the load, warm up (the full warm-up the first time, `rewarmMs` later), measure
   * for durationMs, pause. Returns { rate, unit, latency, server, load, machine }.
   */
  async run() {
    const { options } = this;
    const server = this.#server;
    const loads = this.#loads;
    for (const { child } of loads) child.send({ type: 'go' });
    await this.#step(sleep(this.#runs++ === 0 ? options.warmupMs : options.rewarmMs));
    const cpu0 = sampleCpu(server.pid);
    const machine0 = machineCpu();
    for (const { child } of loads) child.send({ type: 'measure' });
    await this.#step(sleep(options.durationMs));
    const cpu1 = sampleCpu(server.pid);
    const machine1 = machineCpu();
    const loaded = memoryMiB(server.pid);
    // The driver (last) first: it pauses the traffic; the others report what they saw meanwhile.
    const reports = [];
    for (const { role, child } of [...loads].reverse()) {
      child.send({ type: 'report' });
      reports.unshift(await this.#step(nextMessage(child, 'report', 10_000, `${role} report`)));
    }
    const report = reports.at(-1);
    const cpu = cpuBetween(cpu0, cpu1);
    // Deliveries counted in several processes (split fan-out subscribers) add up; an RPC callee's
    // invocations (another unit) do not.
    const counted = reports.filter((r) => r.unit === report.unit);
    const rate = counted.reduce((sum, r) => sum + r.messages / r.wallSeconds, 0);
    const messages = counted.reduce((sum, r) => sum + r.messages, 0);
    const machineWall = (machine1.at - machine0.at) / 1000;
    const busyCores = (machine1.busy - machine0.busy) / machineWall;
    const softirqCores = (machine1.softirq - machine0.softirq) / machineWall;
    const processes = reports.map((r, i) => ({ role: loads[i].role, cores: r.cpuCores, rssMiB: r.rssMiB }));
    const loadCores = processes.reduce((sum, p) => sum + p.cores, 0);
    return {
      rate,
      unit: report.unit,
      messages,
      publications: report.publications,
      library: report.library,
      latency: report.latency,
      server: {
        cores: cpu.cores,
        cpuSeconds: cpu.cpuSeconds,
        cpuPer100k: rate > 0 ? (cpu.cores / rate) * 1e5 : null,
        idleRssMiB: this.#idle.rss,
        rssMiB: loaded.rss,
        peakRssMiB: loaded.peak,
      },
      load: {
        // All load processes together; maxCores: the busiest one (≥ 0.9: it may be the bottleneck).
        cores: loadCores,
        maxCores: Math.max(...processes.map((p) => p.cores)),
        // The traffic driver alone (in a client scenario: the client library's process).
        driverCores: report.cpuCores,
        driverCpuUsPerMessage: report.messages > 0 ? (report.cpuSeconds / report.messages) * 1e6 : null,
        processes,
      },
      machine: {
        busyCores,
        // Loopback TCP is largely processed in softirq, billed to no process.
        softirqCores,
        // Busy CPU outside the server, the load processes and softirq: other processes on the
        // machine (the bench's own orchestrator is negligible).
        otherCores: Math.max(0, busyCores - softirqCores - cpu.cores - loadCores),
      },
    };
  }

  /** Stops the load processes, then the server (which writes its profile, if profiled). */
  async close() {
    for (const { child } of [...this.#loads].reverse()) await stopChild(child, 3000);
    if (this.#server !== undefined) await this.#server.stop();
  }

  #step(promise) {
    return this.#failed === undefined ? promise : Promise.race([promise, this.#failed]);
  }
}
