// Command-line flags and environment of `npm run bench` (node scripts/bench.mjs).

export const USAGE = `usage: npm run bench -- [options]   (or: node scripts/bench.mjs [options] after npm run build)

  --quick               smoke run, ~35 s: 1 run of 1 s per scenario, 0.5 s warm-up
  --runs=N              measured runs per scenario, median reported   (env BENCH_RUNS, default 5)
  --duration=S          seconds measured per run                      (env BENCH_DURATION, default 3)
  --warmup=S            seconds of load before a scenario's first run  (env BENCH_WARMUP, default 1)
  --rewarm=S            seconds of load before each later run          (env BENCH_REWARM, default 0.5)
  --fanout-window=N     publications in flight in fan-out (env BENCH_FANOUT_WINDOW, default 500)
  --subscribers=N       fan-out subscribers                            (default 10)
  --mqtt-processes=N    1 (default) or 2: split Mosquitto's subscribers over two load processes
                        (worth it with more than 2 cores; on 2 they only compete with Mosquitto)
  --payload=N           payload bytes                                  (default 64)
  --only=A,B            only scenarios whose id contains A or B (e.g. --only=rpc.w100,relay;
                        --only=client: the client comparison)
  --skip=A,B            leave out scenarios whose id contains A or B (e.g. --skip=client)
  --profile             after the runs, profile the router (node --cpu-prof) in every scenario
                        that missed a target and print its top self-time frames
  --profile=all         profile the server (router, relay) of every scenario but Mosquitto's
                        (every scenario with --profile-load)
  --profile-load        with --profile: also profile the load processes (in a client scenario
                        they always are: the client library's process is the one measured)
  --json=PATH           results file (default bench-results.json in the current directory)
  --help

Each scenario's server and load client start once and stay up; runs are interleaved round by
round (every other round in reverse order) so that noise on a shared machine hits baselines and
router alike. Load clients are lean (templates, in-place frame reading, one write per turn) and
an RPC callee runs in its own process, so that the server, not the load, is the bottleneck.
Client scenarios (client.*) instead run a real client library (ours, Autobahn|JS 22, Wampy.js 8)
as the load, calling a lean callee in a process of its own, against our router.
Env BENCH_MOSQUITTO overrides /usr/sbin/mosquitto; BENCH_ROUTER_SCRIPT replaces
scripts/bench/router-server.mjs (to benchmark an experimental router build).
`;

export function parseOptions(argv, env = process.env) {
  const flags = new Map();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new Error(`unknown argument ${arg}\n\n${USAGE}`);
    flags.set(match[1], match[2] ?? true);
  }
  const known = ['quick', 'runs', 'duration', 'warmup', 'rewarm', 'fanout-window', 'subscribers', 'payload', 'only', 'skip', 'profile', 'profile-load', 'mqtt-processes', 'json', 'help'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option --${name}\n\n${USAGE}`);
  const quick = flags.get('quick') === true;
  const number = (flag, envName, fallback, quickValue) => {
    const raw = flags.get(flag) ?? env[envName];
    if (raw === undefined || raw === true) return quick && quickValue !== undefined ? quickValue : fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} needs a positive number, got ${raw}`);
    return value;
  };
  const profile = flags.get('profile');
  if (profile !== undefined && profile !== true && profile !== 'all' && profile !== 'missed') {
    throw new Error(`--profile takes no value or =all, got ${profile}`);
  }
  const only = flags.get('only');
  const skip = flags.get('skip');
  return {
    help: flags.get('help') === true,
    quick,
    runs: Math.round(number('runs', 'BENCH_RUNS', 5, 1)),
    durationMs: number('duration', 'BENCH_DURATION', 3, 1) * 1000,
    warmupMs: number('warmup', 'BENCH_WARMUP', 1, 0.5) * 1000,
    rewarmMs: number('rewarm', 'BENCH_REWARM', 0.5, 0.25) * 1000,
    fanoutWindow: Math.round(number('fanout-window', 'BENCH_FANOUT_WINDOW', 500)),
    subscribers: Math.round(number('subscribers', 'BENCH_SUBSCRIBERS', 10)),
    payload: Math.round(number('payload', 'BENCH_PAYLOAD', 64)),
    mqttProcesses: Math.min(2, Math.round(number('mqtt-processes', 'BENCH_MQTT_PROCESSES', 1))),
    only: typeof only === 'string' ? only.split(',').filter((s) => s !== '') : [],
    skip: typeof skip === 'string' ? skip.split(',').filter((s) => s !== '') : [],
    profile: profile === undefined ? 'none' : profile === 'all' ? 'all' : 'missed',
    profileLoad: flags.get('profile-load') === true,
    json: typeof flags.get('json') === 'string' ? flags.get('json') : 'bench-results.json',
  };
}
