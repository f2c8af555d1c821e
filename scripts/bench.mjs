// `npm run bench`: the router benchmark with same-run baselines (see scripts/bench/*.mjs).
// Every server (router, TCP relay, Mosquitto) and every load client runs in its own process;
// all scenarios start up front and their runs are interleaved round by round, so that machine
// noise hits baselines and router alike; medians are reported with ratios against the baselines
// of this very run. `node scripts/bench.mjs --help` lists the options.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanup } from './bench/children.mjs';
import { analyzeProfile, formatProfile } from './bench/cpuprofile.mjs';
import { parseOptions, USAGE } from './bench/options.mjs';
import { checkTargets, formatTable, noiseWarning, summarize, TABLE_NOTES } from './bench/report.mjs';
import { ScenarioRunner, SCENARIOS } from './bench/scenarios.mjs';
import { MOSQUITTO, mosquittoVersion } from './bench/servers.mjs';
import { gitCommit, readOptions, runMain } from './bench/run-main.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAX_WINDOW = 60_000;

async function main() {
  const { options, code } = readOptions(parseOptions, USAGE);
  if (options === undefined) return code;
  if (options.fanoutWindow > MAX_WINDOW) {
    console.error(`--fanout-window is at most ${MAX_WINDOW}`);
    return 2;
  }
  if (!existsSync(join(root, 'dist/router/serve.js'))) {
    console.error('dist/ is missing: run `npm run build` first (npm run bench does).');
    return 2;
  }
  installCleanup();

  let scenarios = SCENARIOS.filter(
    (s) =>
      (options.only.length === 0 || options.only.some((o) => s.id.includes(o))) &&
      !options.skip.some((o) => s.id.includes(o)),
  );
  const mosquitto = existsSync(MOSQUITTO) ? mosquittoVersion() : null;
  if (mosquitto === null && scenarios.some((s) => s.server === 'mosquitto')) {
    console.warn(`warning: ${MOSQUITTO} not found (set BENCH_MOSQUITTO): skipping the Mosquitto baseline`);
    scenarios = scenarios.filter((s) => s.server !== 'mosquitto');
  }
  if (scenarios.length === 0) {
    console.error(`no scenario matches --only=${options.only.join(',')}`);
    return 2;
  }

  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadavg: os.loadavg(),
    mosquitto,
    commit: gitCommit(root),
  };
  console.log(
    `switchyard router bench — node ${environment.node}, ${environment.cpus} × ${environment.cpuModel}, ` +
      `load average ${environment.loadavg.map((l) => l.toFixed(2)).join(' ')}` +
      (mosquitto !== null ? `, mosquitto ${mosquitto}` : ''),
  );
  console.log(
    `${options.runs} run(s) × ${options.durationMs / 1000} s measured per scenario ` +
      `(warm-up ${options.warmupMs / 1000} s, then ${options.rewarmMs / 1000} s before each run), ` +
      `${options.payload}-byte payloads, fan-out to ${options.subscribers} subscribers with ${options.fanoutWindow} publications in flight\n`,
  );

  const runs = new Map(scenarios.map((s) => [s.id, []]));
  const failures = [];
  let runners = [];
  for (const scenario of scenarios) {
    const runner = new ScenarioRunner(scenario, options);
    try {
      await runner.open();
      runners.push(runner);
    } catch (error) {
      failures.push({ scenario: scenario.id, run: 'start', error: error.message });
      console.log(`${scenario.id}: could not start: ${error.message}`);
      await runner.close();
    }
  }
  for (let run = 1; run <= options.runs; run++) {
    // Every other round in reverse order: slow drifts in machine load even out.
    const order = run % 2 === 1 ? [...runners] : [...runners].reverse();
    for (const runner of order) {
      const id = runner.scenario.id;
      const tag = `run ${run}/${options.runs}  ${id.padEnd(31)}`;
      try {
        const result = await runner.run();
        runs.get(id).push(result);
        console.log(`${tag} ${describeRun(result)}`);
      } catch (error) {
        failures.push({ scenario: id, run, error: error.message });
        console.log(`${tag} FAILED: ${error.message}`);
        runners = runners.filter((r) => r !== runner);
        await runner.close();
      }
    }
  }
  await Promise.all(runners.map((runner) => runner.close()));

  const summaries = scenarios.filter((s) => runs.get(s.id).length > 0).map((s) => summarize(s, runs.get(s.id)));
  console.log('');
  for (const line of formatTable(summaries)) console.log(line);
  console.log('');
  for (const line of TABLE_NOTES) console.log(line);
  console.log('');
  const targets = checkTargets(summaries);
  for (const target of targets) console.log(target.line);
  const noise = noiseWarning(summaries);
  if (noise !== null) console.log(noise);
  for (const s of summaries) {
    // A client scenario's client process is what is measured: being busy is its job.
    if (s.id.startsWith('client.')) continue;
    if (s.loadMaxCores === null || s.loadMaxCores < 0.9) continue;
    const used = `a load process used ${s.loadMaxCores.toFixed(2)} cores in ${s.id}`;
    if (s.serverCores !== null && s.serverCores >= 0.95) {
      console.log(
        `note: ${used}, the server ${s.serverCores.toFixed(2)}: the server is saturated (one core), ` +
          'but on this machine the two compete for the cores; a freer load might let it do a little more',
      );
    } else {
      console.log(`note: ${used}: that result may be load-bound`);
    }
  }

  const profiles = [];
  if (options.profile !== 'none') {
    const wanted =
      options.profile === 'all'
        ? scenarios.filter((s) => s.server !== 'mosquitto' || options.profileLoad).map((s) => s.id)
        : [...new Set(targets.filter((t) => !t.pass).map((t) => t.scenario))].filter((id) =>
            scenarios.some((s) => s.id === id),
          );
    if (wanted.length === 0) console.log('\n--profile: every target passed, nothing to profile (use --profile=all)');
    for (const id of wanted) {
      const scenario = scenarios.find((s) => s.id === id);
      try {
        profiles.push(await profileScenario(scenario, options));
      } catch (error) {
        failures.push({ scenario: id, run: 'profile', error: error.message });
        console.log(`\nprofile of ${id} FAILED: ${error.message}`);
      }
    }
  }

  const jsonPath = resolve(options.json);
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ environment, options, summaries, targets, runs: Object.fromEntries(runs), profiles, failures }, null, 2)}\n`,
  );
  console.log(`\nresults written to ${jsonPath}`);
  if (failures.length > 0) {
    console.log(`${failures.length} run(s) failed`);
    return 1;
  }
  return 0;
}

function describeRun(r) {
  const rate = r.rate >= 1e4 ? `${(r.rate / 1000).toFixed(1)}k` : r.rate.toFixed(0);
  return (
    `${rate.padStart(6)} ${r.unit}/s  p50 ${fmt(r.latency.p50Us, 0)} µs  p99 ${fmt(r.latency.p99Us, 0)} µs  ` +
    `server ${fmt(r.server.cores, 2)} cores (${fmt(r.server.cpuPer100k, 3)} s/100k, ${fmt(r.server.rssMiB, 1)} MiB)  ` +
    `load ${r.load.processes.map((p) => `${p.role} ${fmt(p.cores, 2)}`).join(', ')} cores  others ${fmt(r.machine.otherCores, 2)}` +
    (r.library ? `  [${r.library}]` : '')
  );
}

function fmt(value, digits) {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

/**
 * One more run under `node --cpu-prof`: the router, and the load processes too in a client
 * scenario (the client library is what is measured there) or with --profile-load. Prints and
 * returns each process's top frames.
 */
async function profileScenario(scenario, options) {
  const dir = mkdtempSync(join(os.tmpdir(), 'switchyard-bench-profile-'));
  const profile = { dir, server: scenario.server !== 'mosquitto', load: options.profileLoad || scenario.load === 'client' };
  const what = [profile.server ? `the ${scenario.server}` : null, profile.load ? 'the load processes' : null].filter(Boolean).join(' and ');
  console.log(`\nprofiling ${what} in ${scenario.id} (one ${options.durationMs / 1000} s run, node --cpu-prof) …`);
  const runner = new ScenarioRunner(scenario, options, profile);
  let result;
  try {
    await runner.open();
    result = await runner.run();
  } finally {
    // Each process writes its profile as it exits.
    await runner.close();
  }
  console.log(`  ${describeRun(result)} (under the profiler)`);
  const processes = [];
  for (const role of readdirSync(dir).sort((a, b) => (a === 'server' ? -1 : b === 'server' ? 1 : a.localeCompare(b)))) {
    const file = readdirSync(join(dir, role)).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`no .cpuprofile written in ${join(dir, role)}`);
    const path = join(dir, role, file);
    const analysis = analyzeProfile(path);
    console.log(`  ${role === 'server' ? scenario.server : role} profile: ${path}`);
    for (const line of formatProfile(analysis, 15)) console.log(line);
    processes.push({
      role,
      path,
      totalMs: analysis.totalMs,
      top: analysis.functions.slice(0, 25),
      files: analysis.files.slice(0, 15),
    });
  }
  return { scenario: scenario.id, processes };
}

await runMain(main);
