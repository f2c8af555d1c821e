// The start-up and footprint scenarios of the device benchmark (scripts/bench-device.mjs, through
// device-scenarios.mjs): the demo device, bare node and Node-RED started one at a time, each
// measured and stopped again; a run returns plain numbers.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { startNodeRed } from './device-node-red.mjs';
import { freePort, LineProcess, sleep } from './device-process.mjs';
import { cpuSeconds, memoryMiB } from './proc-stats.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(root, 'dist', 'cli', 'main.js');
const NODE = process.execPath;

/** The device's log line the bench waits for. */
export const READY = /\bdevice ready\b.*\bms(?:_since_process_start)?=(\d+)/;

/** devices/demo.yaml with its listeners on 127.0.0.1 port 0 and no upstream, written to `dir`. */
export function writeDemoConfig(dir) {
  const demo = parse(readFileSync(join(root, 'devices', 'demo.yaml'), 'utf8'));
  demo.upstream = [];
  for (const listener of demo.local_router?.listen ?? []) {
    listener.host = '127.0.0.1';
    listener.port = 0;
  }
  const file = join(dir, 'demo.yaml');
  writeFileSync(file, stringify(demo));
  return file;
}

/** `switchyard device <config>` from dist/. */
export function startDevice(config, name = 'device') {
  return new LineProcess(name, NODE, [CLI, 'device', config], { cwd: root });
}

/** Spawn → `device ready`: wall ms, and the ms the device itself logs (since its process start). */
export async function runDeviceStartup(demoConfig) {
  const device = startDevice(demoConfig);
  try {
    const { match, at } = await device.waitFor(READY, 15_000, '`device ready`');
    return { wallMs: at - device.spawnedAt, inProcessMs: Number(match[1]) };
  } finally {
    await device.kill();
  }
}

/** Spawn → first output of node -e "console.error('x')": node's own start-up. */
export async function runNodeStartup() {
  const node = new LineProcess('node -e', NODE, ['-e', "console.error('x')"]);
  try {
    const at = await node.firstOutput(15_000);
    return { wallMs: at - node.spawnedAt };
  } finally {
    await node.kill();
  }
}

/**
 * One footprint round: the demo device, bare node and (when `nodeRed`) Node-RED, started one
 * after the other; each one's RSS is read `idleMs` after it was ready (bare node: after spawn),
 * with its CPU over that idle time.
 */
export async function runFootprint({ demoConfig, idleMs, nodeRed, tmp }) {
  const started = [];
  const readings = [];
  // Idle CPU: over the idle time but its first second (bare node's is counted from its spawn).
  const cpuFrom = Math.min(1000, idleMs / 2);
  const measureLater = (key, process_, readyAt) => {
    const alive = () => {
      if (process_.exit !== null) throw new Error(`${process_.name} exited during the idle time (${JSON.stringify(process_.exit)})`);
    };
    const reading = (async () => {
      await sleep(Math.max(0, readyAt + cpuFrom - performance.now()));
      alive();
      const cpu0 = cpuSeconds(process_.pid).total;
      const from = performance.now();
      await sleep(Math.max(0, readyAt + idleMs - performance.now()));
      alive();
      const memory = memoryMiB(process_.pid);
      const cpu = cpuSeconds(process_.pid).total - cpu0;
      const seconds = (performance.now() - from) / 1000;
      return [key, { rssMiB: memory.rss, peakMiB: memory.peak, idleCpuPercent: (cpu / seconds) * 100 }];
    })();
    // Handled by Promise.all below; not an unhandled rejection while Node-RED is starting.
    reading.catch(() => {});
    readings.push(reading);
  };
  try {
    const device = startDevice(demoConfig);
    started.push(device);
    const ready = await device.waitFor(READY, 15_000, '`device ready`');
    measureLater('device', device, ready.at);

    const bare = new LineProcess('node -e setInterval', NODE, ['-e', 'setInterval(() => {}, 1000)']);
    started.push(bare);
    measureLater('node', bare, bare.spawnedAt);

    let nodeRedError;
    if (nodeRed !== null) {
      try {
        const userDir = mkdtempSync(join(tmp, 'node-red-'));
        const red = await startNodeRed(nodeRed.red, await freePort(), userDir);
        started.push(red);
        measureLater('nodeRed', red, performance.now());
      } catch (error) {
        // A baseline that does not start costs its row, not the device's.
        nodeRedError = error.message;
      }
    }
    const result = Object.fromEntries(await Promise.all(readings));
    return nodeRedError === undefined ? result : { ...result, nodeRedError };
  } finally {
    await Promise.all(readings.map((r) => r.catch(() => {})));
    await Promise.all(started.map((p) => p.kill()));
  }
}
