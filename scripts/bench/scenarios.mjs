// The benchmark scenarios and how one run of one scenario goes: start its server in its own
// process, fork its load client, warm up, measure (server CPU from /proc, load CPU over IPC),
// stop both.
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
 * One run: { rate, unit, latency, server: {...}, load: {...}, machine: {...} }. `profileDir`
 * runs the router under `node --cpu-prof` (the profile is written when it exits).
 */
export async function runScenario(scenario, options, profileDir) {
  const server = await startServer(scenario, profileDir);
  let load;
  try {
    const idle = memoryMiB(server.pid);
    const window = scenario.window === 'fanout' ? options.fanoutWindow : scenario.window;
    const config = {
      kind: scenario.kind,
      target: scenario.server === 'router' ? 'router' : 'relay',
      host: '127.0.0.1',
      port: portFor(scenario, server),
      serializer: scenario.serializer,
      window,
      payload: options.payload,
      subscribers: options.subscribers,
    };
    load = forkChild(join(here, LOAD_SCRIPTS[scenario.load]), [JSON.stringify(config)]);
    const failed = nextMessage(load, 'never', 2 ** 31 - 1, 'run');
    failed.catch(() => {});
    await Promise.race([nextMessage(load, 'ready', 20_000, 'load ready'), failed]);
    load.send({ type: 'go' });
    await Promise.race([sleep(options.warmupMs), failed]);
    const cpu0 = sampleCpu(server.pid);
    const machine0 = machineCpu();
    load.send({ type: 'measure' });
    await Promise.race([sleep(options.durationMs), failed]);
    const cpu1 = sampleCpu(server.pid);
    const machine1 = machineCpu();
    const loaded = memoryMiB(server.pid);
    load.send({ type: 'report' });
    const report = await Promise.race([nextMessage(load, 'report', 10_000, 'load report'), failed]);
    const cpu = cpuBetween(cpu0, cpu1);
    const rate = report.messages / report.wallSeconds;
    const machineWall = (machine1.at - machine0.at) / 1000;
    const busyCores = (machine1.busy - machine0.busy) / machineWall;
    return {
      rate,
      unit: report.unit,
      messages: report.messages,
      publications: report.publications,
      latency: report.latency,
      server: {
        pid: server.pid,
        cores: cpu.cores,
        cpuSeconds: cpu.cpuSeconds,
        cpuPer100k: rate > 0 ? (cpu.cores / rate) * 1e5 : null,
        idleRssMiB: idle.rss,
        rssMiB: loaded.rss,
        peakRssMiB: loaded.peak,
      },
      load: { cores: report.cpuCores, rssMiB: report.rssMiB },
      machine: {
        busyCores,
        softirqCores: (machine1.softirq - machine0.softirq) / machineWall,
        // Busy CPU not billed to the server or the load client: softirq, the bench itself, other tenants.
        otherCores: Math.max(0, busyCores - cpu.cores - report.cpuCores),
      },
    };
  } finally {
    if (load !== undefined) await stopChild(load, 1000);
    await server.stop();
  }
}
