// Command-line flags of the device benchmark (node scripts/bench-device.mjs).

export const SCENARIO_IDS = ['startup', 'footprint', 'cpu', 'drain'];

export const USAGE = `usage: node scripts/bench-device.mjs [options]   (after npm run build; npm run bench runs it
       after the router bench)

  --quick           smoke run, ~15 s: one run per scenario
  --runs N          runs per scenario, medians reported      (env BENCH_DEVICE_RUNS, default 5;
                    --runs=N works too)
  --readings N      readings per CPU and drain measurement   (default 10000)
  --idle S          seconds idle before the footprint is read (default 15: V8 shrinks its heap after ~10 s idle)
  --only A,B        only these scenarios: startup, footprint, cpu, drain
  --no-node-red     leave out the Node-RED footprint baseline (env BENCH_NODE_RED=0)
  --json PATH       also write the results (every run) as JSON
  --help

Scenarios, each against a baseline measured in the same bench run, runs interleaved (every
other round in reverse order), medians of the runs:
  startup    spawn → the device's "device ready" log line (demo config) vs node's own start-up
             (spawn → first output of node -e "console.error('x')"); target ≤ 300 ms
  footprint  RSS after S s idle: the demo device (devices/demo.yaml, listeners on port 0) vs
             bare node -e "setInterval(() => {}, 1000)" and an idle Node-RED 4 (installed once
             with npm into $TMPDIR/switchyard-bench-node-red, env BENCH_NODE_RED_DIR);
             target ≤ 50 MB
  cpu        device CPU (utime+stime, /proc/PID/stat) per 10,000 readings of 10 simulated
             sensors at 1 ms arriving at a subscriber on an upstream router, vs a bare client
             publishing 10,000 acknowledged events of the same shape (window 256)
  drain      a device whose upstream is away buffers ≥ 10,000 readings; then the router takes
             its connection: time from its "online … link=upstream" line to the subscriber
             holding the first 10,000 buffered readings (each sensor's seq checked in order)
             vs the bare publisher's delivery rate
Every process (device, router, subscriber, publisher, Node-RED) runs on its own; all are killed
and the temp dirs removed on exit or Ctrl-C.
`;

export function parseOptions(argv, env = process.env) {
  const flags = new Map();
  const valued = new Set(['runs', 'readings', 'idle', 'only', 'json']);
  const known = new Set([...valued, 'quick', 'no-node-red', 'help']);
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (match === null) throw new Error(`unknown argument ${argv[i]}\n\n${USAGE}`);
    const [, name, inline] = match;
    if (!known.has(name)) throw new Error(`unknown option --${name}\n\n${USAGE}`);
    if (valued.has(name) && inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`--${name} needs a value`);
      flags.set(name, next);
      i++;
    } else {
      if (!valued.has(name) && inline !== undefined) throw new Error(`--${name} takes no value`);
      flags.set(name, inline ?? true);
    }
  }
  const quick = flags.get('quick') === true;
  const number = (flag, raw, fallback) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} needs a positive number, got ${raw}`);
    return value;
  };
  const only = typeof flags.get('only') === 'string' ? flags.get('only').split(',').filter((s) => s !== '') : [];
  for (const id of only) {
    if (!SCENARIO_IDS.includes(id)) throw new Error(`--only: unknown scenario ${id} (expected ${SCENARIO_IDS.join(', ')})`);
  }
  return {
    help: flags.get('help') === true,
    quick,
    runs: Math.round(number('runs', flags.get('runs') ?? env.BENCH_DEVICE_RUNS, quick ? 1 : 5)),
    readings: Math.round(number('readings', flags.get('readings'), 10_000)),
    idleMs: number('idle', flags.get('idle'), 15) * 1000,
    scenarios: only.length === 0 ? [...SCENARIO_IDS] : SCENARIO_IDS.filter((id) => only.includes(id)),
    nodeRed: flags.get('no-node-red') !== true && env.BENCH_NODE_RED !== '0',
    json: typeof flags.get('json') === 'string' ? flags.get('json') : null,
  };
}
