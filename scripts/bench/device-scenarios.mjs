// The scenarios of the device benchmark (scripts/bench-device.mjs). Each run function starts
// what it measures, measures it and stops it again; a run returns plain numbers, and the caller
// interleaves them with their baselines and takes medians. Start-up and footprint are in
// device-startup.mjs; here the CPU per reading and the offline drain (PublishRig).
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { connect } from '../../dist/index.js';
import { forkChild, nextMessage, stopChild } from './children.mjs';
import { rawsocketPort, sleep } from './device-process.mjs';
import { cpuSince, sampleCpu } from './device-cpu.mjs';
import { memoryMiB } from './proc-stats.mjs';
import { READY, startDevice } from './device-startup.mjs';

export { runDeviceStartup, runFootprint, runNodeStartup, writeDemoConfig } from './device-startup.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The device's log line that says its upstream link is up. */
const ONLINE_UPSTREAM = /\bonline\b.*\blink=upstream\b/;

/** Sensors of the CPU and drain devices, and of the bare publisher (devices.pub.s0…s9). */
const SENSORS = 10;
const DEVICE = 'bench';
const DEVICE_PREFIX = `devices.${DEVICE}.`;
const PUBLISHER_PREFIX = 'devices.pub.';
/** Publications in flight of the bare publisher: the device's UpstreamDelivery window. */
const WINDOW = 256;
/** How long a CPU-run device publishes before its window opens (JIT, first GCs). */
const CPU_WARMUP_MS = 300;
/** buffer.max of the devices: 20,000 (twice the readings of a run when --readings is larger). */
const DRAIN_BUFFER_MAX = 20_000;
/** Unmeasured bare-publisher runs before the first measured one. */
const RIG_WARMUP_RUNS = 3;

let ids = 0;

// ---- configs --------------------------------------------------------------------------------

/** A device of SENSORS simulated sensors at 1 ms (no deadband: every sample is a reading). */
function fastSensorDevice(dir, name, extra) {
  const config = {
    device: DEVICE,
    realm: 'home',
    prefix: 'devices',
    sensors: Array.from({ length: SENSORS }, (_, i) => ({
      name: `s${i}`,
      driver: 'simulated',
      min: 18,
      max: 24,
      seed: i + 1,
      unit: '°C',
      interval: '1ms',
    })),
    log_level: 'info',
    ...extra,
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

// ---- CPU per reading and offline drain: router, subscriber, publisher, gate ----------------

/**
 * What the CPU and drain scenarios share, started once: the upstream router, the subscriber,
 * the bare publisher (each its own process), the gate (a paused listener in this process that
 * holds the offline device's connection attempt until it is handed to the router) and the
 * two device configs.
 */
export class PublishRig {
  static async open({ tmp, readings }) {
    const rig = new PublishRig();
    rig.readings = readings;
    try {
      rig.router = forkChild(join(here, 'device-router.mjs'), ['home']);
      const routerReady = await nextMessage(rig.router, 'ready', 15_000, 'router ready');
      rig.routerPort = routerReady.port;
      rig.subscriber = forkChild(join(here, 'device-subscriber.mjs'), [String(rig.routerPort)]);
      rig.publisher = forkChild(join(here, 'device-publisher.mjs'), [String(rig.routerPort)]);
      await Promise.all([
        nextMessage(rig.subscriber, 'ready', 15_000, 'subscriber ready'),
        nextMessage(rig.publisher, 'ready', 30_000, 'publisher ready'),
      ]);
      rig.gate = await Gate.open();
      rig.cpuConfig = fastSensorDevice(tmp, 'cpu-device', {
        upstream: [{ url: `rs://127.0.0.1:${rig.routerPort}` }],
        buffer: { max: Math.max(DRAIN_BUFFER_MAX, 2 * readings) },
      });
      rig.drainConfig = fastSensorDevice(tmp, 'drain-device', {
        upstream: [{ url: `rs://127.0.0.1:${rig.gate.port}` }],
        local_router: { listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }] },
        buffer: { max: Math.max(DRAIN_BUFFER_MAX, 2 * readings) },
      });
      // The router and the subscriber stay up for every run: warm their JIT first, or the first
      // runs measure V8 tiering up (they came out at a third of the later rates).
      for (let i = 0; i < RIG_WARMUP_RUNS; i++) await rig.runPublisher();
      return rig;
    } catch (error) {
      await rig.close();
      throw error;
    }
  }

  /** Arms the subscriber for `count` readings under `prefix`; once armed, resolves { reached: promise }. */
  async #arm(prefix, fromSeq) {
    const id = ++ids;
    const reached = nextMessage(this.subscriber, 'reached', 120_000, `${this.readings} readings at the subscriber`).then((message) => ({
      at: performance.now(),
      order: message.order,
    }));
    reached.catch(() => {});
    const armed = nextMessage(this.subscriber, 'armed', 5000);
    this.subscriber.send({ type: 'arm', id, prefix, count: this.readings, ...(fromSeq !== undefined ? { fromSeq } : {}) });
    await armed;
    // Wrapped: an async function returning a promise would wait for it.
    return { reached };
  }

  #disarm() {
    if (this.subscriber?.connected) this.subscriber.send({ type: 'disarm' });
  }

  /**
   * The baseline: the bare publisher sends `readings` acknowledged events (window 256).
   * Its CPU over go → all acknowledged; its rate: go → the subscriber had them all.
   */
  async runPublisher() {
    try {
      const { reached } = await this.#arm(PUBLISHER_PREFIX);
      const id = ++ids;
      const done = nextMessage(this.publisher, 'done', 60_000, 'publisher done');
      const cpu0 = sampleCpu(this.publisher.pid);
      const router0 = sampleCpu(this.router.pid);
      const t0 = performance.now();
      this.publisher.send({ type: 'go', id, count: this.readings, window: WINDOW, prefix: PUBLISHER_PREFIX });
      await done;
      const cpu = cpuSince(cpu0, this.publisher.pid);
      const end = await reached;
      const router = cpuSince(router0, this.router.pid);
      const ms = end.at - t0;
      return { cpuS: cpu.stat, cpuSchedS: cpu.sched, routerCpuS: router.stat, routerCpuSchedS: router.sched, ms, rate: (this.readings / ms) * 1000, order: end.order };
    } finally {
      this.#disarm();
    }
  }

  /** The device's CPU while `readings` of its readings arrive at the subscriber. */
  async runDeviceCpu() {
    const device = startDevice(this.cpuConfig);
    try {
      await device.waitFor(ONLINE_UPSTREAM, 15_000, '`online … link=upstream`');
      await sleep(CPU_WARMUP_MS);
      const cpu0 = sampleCpu(device.pid);
      const router0 = sampleCpu(this.router.pid);
      const t0 = performance.now();
      const { reached } = await this.#arm(DEVICE_PREFIX);
      const end = await Promise.race([reached, device.exited.then((exit) => Promise.reject(new Error(`device exited (${JSON.stringify(exit)})`)))]);
      const cpu = cpuSince(cpu0, device.pid);
      const router = cpuSince(router0, this.router.pid);
      const ms = end.at - t0;
      const memory = memoryMiB(device.pid);
      return {
        cpuS: cpu.stat,
        cpuSchedS: cpu.sched,
        routerCpuS: router.stat,
        routerCpuSchedS: router.sched,
        ms,
        rate: (this.readings / ms) * 1000,
        rssMiB: memory.rss,
        order: end.order,
      };
    } finally {
      this.#disarm();
      await device.kill();
    }
  }

  /**
   * The offline drain: the device starts with its upstream connection held in the gate,
   * buffers until describe shows ≥ `readings`, then the router takes the connection; from the
   * device's `online … link=upstream` line to the subscriber holding `readings` readings,
   * which must be every sensor's seq 1, 2, 3 … in order.
   */
  async runDeviceDrain() {
    this.gate.reset();
    const device = startDevice(this.drainConfig);
    let local;
    try {
      const localPort = await rawsocketPort(device);
      await device.waitFor(READY, 15_000, '`device ready`');
      const fillStart = performance.now();
      local = await connect({ url: `rs://127.0.0.1:${localPort}`, realm: 'home', serializer: 'cbor', reconnect: false });
      let buffered = 0;
      for (;;) {
        const result = await local.call(`devices.${DEVICE}.describe`);
        const description = result.kwargs?.buffer !== undefined ? result.kwargs : result.args?.[0];
        buffered = description?.buffer?.size ?? 0;
        if (buffered >= this.readings) break;
        if (performance.now() - fillStart > 60_000) throw new Error(`only ${buffered} readings buffered after 60 s`);
        await sleep(25);
      }
      const fillMs = performance.now() - fillStart;
      await local.close().catch(() => {});
      local = undefined;
      if (device.lines.some((line) => ONLINE_UPSTREAM.test(line.text))) throw new Error('the device was online upstream before the hand-over');
      const { reached } = await this.#arm(DEVICE_PREFIX, 1);
      const socket = await this.gate.take(30_000);
      const adopted = nextMessage(this.router, 'adopted', 5000, 'router adopted');
      this.router.send({ type: 'adopt', id: ++ids }, socket);
      await adopted;
      const online = await device.waitFor(ONLINE_UPSTREAM, 15_000, '`online … link=upstream`');
      const end = await Promise.race([reached, device.exited.then((exit) => Promise.reject(new Error(`device exited (${JSON.stringify(exit)})`)))]);
      const ms = end.at - online.at;
      return { ms, rate: (this.readings / ms) * 1000, buffered, fillMs, order: end.order };
    } finally {
      this.#disarm();
      await local?.close().catch(() => {});
      await device.kill();
    }
  }

  async close() {
    this.gate?.close();
    await Promise.all([this.publisher, this.subscriber, this.router].filter(Boolean).map((child) => stopChild(child)));
  }
}

/**
 * A listener on 127.0.0.1 that accepts connections paused (nothing read: the RawSocket
 * handshake stays in the kernel for whoever gets the socket) and keeps the latest one.
 */
class Gate {
  static open() {
    return new Promise((resolve, reject) => {
      const gate = new Gate();
      gate.server = net.createServer({ pauseOnConnect: true }, (socket) => gate.#accepted(socket));
      gate.server.once('error', reject);
      gate.server.listen(0, '127.0.0.1', () => {
        gate.port = gate.server.address().port;
        resolve(gate);
      });
    });
  }

  #held;
  #waiting;

  #accepted(socket) {
    socket.on('error', () => {});
    if (this.#waiting !== undefined) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting(socket);
      return;
    }
    // Keep the first attempt: a second connection while it waits is the client's TLS probe (it
    // checks whether a silent RawSocket port speaks TLS), and must not replace it.
    if (this.#held !== undefined && !this.#held.destroyed) {
      socket.destroy();
      return;
    }
    this.#held = socket;
  }

  /** The held connection, or the next one. */
  take(ms) {
    if (this.#held !== undefined) {
      const socket = this.#held;
      this.#held = undefined;
      return Promise.resolve(socket);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        reject(new Error(`the device did not dial its upstream within ${ms} ms`));
      }, ms);
      this.#waiting = (socket) => {
        clearTimeout(timer);
        resolve(socket);
      };
    });
  }

  /** Drops a held connection (from an earlier device). */
  reset() {
    this.#held?.destroy();
    this.#held = undefined;
  }

  close() {
    this.reset();
    this.server.close();
  }
}
