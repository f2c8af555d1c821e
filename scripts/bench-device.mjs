// The device runtime's benchmark, the second half of `npm run bench` (after scripts/bench.mjs,
// the router's): footprint, start-up, CPU per published reading and the offline-buffer drain of
// `switchyard device`, each against a baseline measured in the same run (bare node, Node-RED, a
// bare publishing client). Every device, router, client and Node-RED runs in its own process;
// runs are interleaved with their baselines (every other round in reverse order) and medians are
// reported. `node scripts/bench-device.mjs --help` lists the options and the scenarios.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanup, trackTempDir } from './bench/children.mjs';
import { ensureNodeRed } from './bench/device-node-red.mjs';
import { parseOptions, USAGE } from './bench/device-options.mjs';
import { formatRows, rate, summarize, targetLines } from './bench/device-report.mjs';
import { machineCpu } from './bench/proc-stats.mjs';
import { gitCommit, readOptions, runMain } from './bench/run-main.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main() {
  const { options, code } = readOptions(parseOptions, USAGE);
  if (options === undefined) return code;
  for (const file of ['dist/cli/main.js', 'dist/index.js', 'dist/transport/rawsocket/server.js']) {
    if (!existsSync(join(root, file))) {
      console.error(`${file} is missing: run \`npm run build\` first (npm run bench does).`);
      return 2;
    }
  }
  installCleanup();
  // Imported only now: it loads dist/.
  const scenarios = await import('./bench/device-scenarios.mjs');
  const tmp = trackTempDir(mkdtempSync(join(os.tmpdir(), 'switchyard-bench-device-')));
  const wants = (id) => options.scenarios.includes(id);

  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    arch: process.arch,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadavg: os.loadavg(),
    commit: gitCommit(root),
  };
  console.log(
    `\nswitchyard device bench — node ${environment.node} (${environment.arch}), ${environment.cpus} × ${environment.cpuModel}, ` +
      `load average ${environment.loadavg.map((l) => l.toFixed(2)).join(' ')}` +
      (environment.commit !== null ? `, commit ${environment.commit}` : ''),
  );
  console.log(
    `${options.runs} run(s) per scenario, interleaved with the baselines; ${options.readings} readings per CPU/drain run; ` +
      `RSS read after ${options.idleMs / 1000} s idle\n`,
  );

  let nodeRed = null;
  const notes = [];
  if (wants('footprint')) {
    if (!options.nodeRed) notes.push('Node-RED baseline left out (--no-node-red)');
    else {
      const found = await ensureNodeRed((line) => console.log(line));
      if (found.skipped !== undefined) notes.push(found.skipped);
      else nodeRed = found;
    }
    for (const note of notes) console.log(`note: ${note}`);
  }

  // Other processes' share of the machine, measured while nothing of the bench runs.
  environment.busyBeforeCores = await busyCores(1000);
  console.log(`machine busy before the runs (other processes): ${environment.busyBeforeCores.toFixed(2)} cores`);

  const runs = { startup: [], nodeStartup: [], footprint: [], cpu: [], publisher: [], drain: [] };
  const failures = [];
  const demoConfig = scenarios.writeDemoConfig(tmp);
  const tag = (run, id) => `run ${run}/${options.runs}  ${id.padEnd(18)}`;
  /** Runs `fn`, records its result under `key`, prints it; a failure is recorded and printed. */
  const attempt = async (run, id, key, fn, describe) => {
    try {
      const result = await fn();
      runs[key].push(result);
      console.log(`${tag(run, id)} ${describe(result)}`);
      return result;
    } catch (error) {
      failures.push({ scenario: id, run, error: error.message });
      console.log(`${tag(run, id)} FAILED: ${error.message}`);
      return null;
    }
  };
  const inOrder = (run, steps) => (run % 2 === 1 ? steps : [...steps].reverse());

  if (wants('startup')) {
    // One unmeasured start of each first: the disk cache, not the device, would be measured.
    await scenarios.runNodeStartup().catch(() => {});
    await scenarios.runDeviceStartup(demoConfig).catch(() => {});
    for (let run = 1; run <= options.runs; run++) {
      for (const step of inOrder(run, ['node', 'device'])) {
        if (step === 'node') {
          await attempt(run, 'startup.node', 'nodeStartup', scenarios.runNodeStartup, (r) => `spawn → first output ${r.wallMs.toFixed(0)} ms`);
        } else {
          await attempt(
            run,
            'startup.device',
            'startup',
            () => scenarios.runDeviceStartup(demoConfig),
            (r) => `spawn → ready ${r.wallMs.toFixed(0)} ms (device says ${r.inProcessMs} ms since its process start)`,
          );
        }
      }
    }
  }

  if (wants('footprint')) {
    for (let run = 1; run <= options.runs; run++) {
      const result = await attempt(
        run,
        'footprint',
        'footprint',
        () => scenarios.runFootprint({ demoConfig, idleMs: options.idleMs, nodeRed, tmp }),
        (r) =>
          `RSS device ${mib(r.device)}, bare node ${mib(r.node)}` +
          (r.nodeRed !== undefined ? `, Node-RED ${mib(r.nodeRed)}` : '') +
          (r.nodeRedError !== undefined ? `, Node-RED did not start: ${r.nodeRedError}` : '') +
          ` (idle CPU device ${r.device.idleCpuPercent.toFixed(2)}%)`,
      );
      if (result?.nodeRedError !== undefined) {
        notes.push(`Node-RED did not start (${result.nodeRedError.split('\n')[0]}): left out of the later runs`);
        nodeRed = null;
      }
    }
  }

  let rig = null;
  if (wants('cpu') || wants('drain')) {
    try {
      rig = await scenarios.PublishRig.open({ tmp, readings: options.readings });
    } catch (error) {
      failures.push({ scenario: 'cpu/drain', run: 'start', error: error.message });
      console.log(`cpu/drain: could not start the router, subscriber and publisher: ${error.message}`);
    }
  }
  if (rig !== null) {
    const steps = ['publisher', ...(wants('cpu') ? ['cpu'] : []), ...(wants('drain') ? ['drain'] : [])];
    for (let run = 1; run <= options.runs; run++) {
      for (const step of inOrder(run, steps)) {
        if (step === 'publisher') {
          await attempt(
            run,
            'publish.bare',
            'publisher',
            () => rig.runPublisher(),
            (r) => `${rate(r.rate)} readings/s delivered, client CPU ${cpuText(r.cpuS, r.cpuSchedS)}, router ${cpuText(r.routerCpuS, r.routerCpuSchedS)}${orderText(r.order)}`,
          );
        } else if (step === 'cpu') {
          await attempt(
            run,
            'publish.device',
            'cpu',
            () => rig.runDeviceCpu(),
            (r) =>
              `${rate(r.rate)} readings/s delivered, device CPU ${cpuText(r.cpuS, r.cpuSchedS)}, router ${cpuText(r.routerCpuS, r.routerCpuSchedS)}, ` +
              `device RSS ${r.rssMiB.toFixed(1)} MiB${orderText(r.order)}`,
          );
        } else {
          await attempt(
            run,
            'drain.device',
            'drain',
            () => rig.runDeviceDrain(),
            (r) =>
              `${options.readings} of ${r.buffered} buffered (filled in ${(r.fillMs / 1000).toFixed(1)} s) drained in ` +
              `${r.ms.toFixed(0)} ms = ${rate(r.rate)} readings/s${orderText(r.order, true)}`,
          );
        }
      }
    }
    await rig.close();
  }

  environment.busyAfterCores = await busyCores(1000);

  const orderViolations = [...runs.cpu, ...runs.publisher, ...runs.drain].filter((r) => !orderOk(r.order, false)).length +
    runs.drain.filter((r) => !orderOk(r.order, true)).length;

  const summary = summarize(runs, { readings: options.readings, nodeRed });
  console.log('');
  for (const line of formatRows(summary.rows)) console.log(line);
  console.log('');
  console.log(`rss: VmRSS (/proc/PID/status) ${options.idleMs / 1000} s after ready; the demo device is devices/demo.yaml with its listeners on port 0.`);
  console.log('start → ready: spawn() to the "device ready" log line; in process: the ms_since_process_start it logs.');
  console.log(
    `CPU: utime+stime (/proc/PID/stat) of the device while ${options.readings} readings of 10 sensors at 1 ms reached a subscriber on the upstream router ` +
      '(no local router), vs the bare publisher client (window 256, same payload); ratio = device / bare. utime+stime count 10 ms ticks: ' +
      'a 0.03 s figure is ± 0.01; the schedstat row is the same CPU time in ns (all threads, /proc/PID/task/*/schedstat).',
  );
  console.log(
    `drain: "online … link=upstream" to ${options.readings} buffered readings at the subscriber, in seq order per sensor; ` +
      'bare: publisher start to all delivered; ratio = device rate / bare rate. All medians of the runs; min–max over runs.',
  );
  console.log('');
  const targets = targetLines(summary, environment);
  for (const line of targets.lines) console.log(line);
  const busy = Math.max(environment.busyBeforeCores, environment.busyAfterCores);
  if (busy >= BUSY_WARNING_CORES) {
    console.log(
      `warning: other processes kept ${environment.busyBeforeCores.toFixed(2)} cores busy before the runs and ` +
        `${environment.busyAfterCores.toFixed(2)} after them (of ${environment.cpus}): absolute numbers are depressed; ` +
        're-run on an idle machine to confirm a MISS.',
    );
  }
  if (orderViolations > 0) console.log(`ORDER: ${orderViolations} run(s) received readings out of seq order (see the run lines)`);
  for (const note of notes) console.log(`note: ${note}`);

  if (options.json !== null) {
    const path = resolve(options.json);
    writeFileSync(path, `${JSON.stringify({ environment, options, summary, targets: targets.results, runs, failures }, null, 2)}\n`);
    console.log(`\nresults written to ${path}`);
  }
  if (failures.length > 0) console.log(`${failures.length} run(s) failed`);
  return failures.length > 0 || orderViolations > 0 ? 1 : 0;
}

const BUSY_WARNING_CORES = 0.25;

/** Busy CPU of the whole machine (/proc/stat) over `ms`, in cores: other processes, while the bench waits. */
async function busyCores(ms) {
  const from = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const to = machineCpu();
  return (to.busy - from.busy) / ((to.at - from.at) / 1000);
}

function mib(m) {
  return `${m.rssMiB.toFixed(1)} MiB`;
}

/** `0.210 s (0.204)`: utime+stime, and in brackets the schedstat figure. */
function cpuText(stat, sched) {
  return `${stat.toFixed(3)} s${sched === null ? '' : ` (${sched.toFixed(3)})`}`;
}

function orderOk(order, fromStart) {
  return order.gaps === 0 && order.backwards === 0 && (!fromStart || order.lateStart === 0);
}

function orderText(order, fromStart = false) {
  if (orderOk(order, fromStart)) return `, order ok (${order.topics} sensors${fromStart ? ', each from seq 1' : ''})`;
  return `, ORDER VIOLATED: ${order.gaps} gaps, ${order.backwards} repeats/out of order${fromStart ? `, ${order.lateStart} sensors not from seq 1` : ''}`;
}

await runMain(main);
