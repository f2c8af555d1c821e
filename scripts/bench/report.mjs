// Medians over runs, the results table, and the targets checked against the baselines of the
// same bench run.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** One scenario's runs → medians (and the spread of the rate). */
export function summarize(scenario, runs) {
  const pick = (f) => runs.map(f);
  const rates = pick((r) => r.rate);
  return {
    id: scenario.id,
    label: scenario.label,
    info: scenario.info === true,
    runs: runs.length,
    unit: runs[0]?.unit ?? '',
    rate: median(rates),
    rateMin: rates.length === 0 ? null : Math.min(...rates),
    rateMax: rates.length === 0 ? null : Math.max(...rates),
    p50Us: median(pick((r) => r.latency.p50Us)),
    p99Us: median(pick((r) => r.latency.p99Us)),
    serverCores: median(pick((r) => r.server.cores)),
    cpuPer100k: median(pick((r) => r.server.cpuPer100k)),
    idleRssMiB: median(pick((r) => r.server.idleRssMiB)),
    rssMiB: median(pick((r) => r.server.rssMiB)),
    peakRssMiB: Math.max(...pick((r) => r.server.peakRssMiB)),
    loadCores: median(pick((r) => r.load.cores)),
    loadMaxCores: median(pick((r) => r.load.maxCores ?? r.load.cores)),
    loadProcesses: (runs[0]?.load.processes ?? []).map((p, i) => ({
      role: p.role,
      cores: median(runs.map((r) => r.load.processes?.[i]?.cores)),
    })),
    driverCores: median(pick((r) => r.load.driverCores ?? r.load.cores)),
    driverCpuUsPerMessage: median(pick((r) => r.load.driverCpuUsPerMessage)),
    library: runs[0]?.library ?? null,
    otherCores: median(pick((r) => r.machine.otherCores)),
    softirqCores: median(pick((r) => r.machine.softirqCores)),
  };
}

const TRANSPORTS = [
  { id: 'rawsocket-cbor', label: 'RawSocket/CBOR' },
  { id: 'websocket-json', label: 'WebSocket/JSON' },
];

const TARGETS = [
  // Targets against the per-frame relay, the baseline they were set on (performance.md: a bare
  // Node relay forwarding each frame with its own write). The relay that batches its writes per
  // event-loop turn, as the router does, is the true ceiling: the table shows the router's share
  // of it without a target (a router also decodes, routes and encodes).
  { what: 'RPC w100 calls/s', scenario: 'router.rpc.w100', baseline: 'relay-frame.rpc.w100', baselineName: 'per-frame relay round trips/s', metric: 'rate', atLeast: 0.7 },
  { what: 'RPC w1 p50 latency', scenario: 'router.rpc.w1', baseline: 'relay-frame.rpc.w1', baselineName: "per-frame relay's p50", metric: 'p50Us', atMost: 1.5 },
  { what: 'RPC w100 calls/s', scenario: 'router.rpc.w100', baseline: 'relay.rpc.w100', baselineName: 'batched relay (the ceiling)', metric: 'rate', info: true },
  { what: 'RPC w1 p50 latency', scenario: 'router.rpc.w1', baseline: 'relay.rpc.w1', baselineName: "batched relay's p50 (the ceiling)", metric: 'p50Us', info: true },
  { what: 'fan-out events/s', scenario: 'router.fanout', baseline: 'mosquitto.fanout', baselineName: "Mosquitto's", metric: 'rate', atLeast: 0.8 },
  { what: 'router CPU s / 100k deliveries', scenario: 'router.fanout', baseline: 'mosquitto.fanout', baselineName: "Mosquitto's", metric: 'cpuPer100k', atMost: 1.5 },
];

/**
 * The client comparison (issue: "our client at least as fast as the faster of Autobahn|JS and
 * Wampy.js"): ours against the best of the others, same router, transport and serializer.
 */
const CLIENT_TARGETS = [
  { what: 'client RPC w100 calls/s', window: 100, metric: 'rate', better: 'higher' },
  { what: 'client RPC w1 p50 latency', window: 1, metric: 'p50Us', better: 'lower' },
];
const CLIENT_TRANSPORT = { id: 'websocket-json', label: 'WebSocket/JSON' };
const OTHER_CLIENTS = ['autobahn', 'wampy'];

/** Every target whose scenario and baseline were measured: { ..., ratio, pass, line }. */
export function checkTargets(summaries) {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const results = [];
  for (const target of TARGETS) {
    const baseline = byId.get(target.baseline);
    for (const transport of TRANSPORTS) {
      const scenarioId = `${target.scenario}.${transport.id}`;
      const measured = byId.get(scenarioId);
      if (measured === undefined || baseline === undefined) continue;
      const value = measured[target.metric];
      const base = baseline[target.metric];
      const ratio = value !== null && base !== null && base > 0 ? value / base : null;
      const limit = target.atLeast ?? target.atMost;
      const info = target.info === true;
      const pass = info || (ratio !== null && (target.atLeast !== undefined ? ratio >= target.atLeast : ratio <= target.atMost));
      const sign = target.atLeast !== undefined ? '≥' : '≤';
      const line =
        `${info ? 'INFO' : pass ? 'PASS' : 'MISS'}  ${target.what}, ${transport.label}: ` +
        `${formatMetric(target.metric, value)} vs ${formatMetric(target.metric, base)} = ` +
        `${ratio === null ? '?' : ratio.toFixed(2)}× ${target.baselineName}${info ? '' : ` (target ${sign} ${limit}×)`}`;
      results.push({
        target: target.what,
        transport: transport.label,
        scenario: scenarioId,
        baseline: target.baseline,
        metric: target.metric,
        value,
        baselineValue: base,
        ratio,
        limit: info ? 'info' : `${sign} ${limit}`,
        pass,
        line,
      });
    }
  }
  for (const target of CLIENT_TARGETS) {
    const id = (library) => `client.${library}.w${target.window}.${CLIENT_TRANSPORT.id}`;
    const ours = byId.get(id('ours'));
    const others = OTHER_CLIENTS.map((library) => byId.get(id(library))).filter((s) => s !== undefined && s[target.metric] !== null);
    if (ours === undefined || others.length === 0) continue;
    const higher = target.better === 'higher';
    const best = others.reduce((a, b) => ((higher ? b[target.metric] > a[target.metric] : b[target.metric] < a[target.metric]) ? b : a));
    const value = ours[target.metric];
    const base = best[target.metric];
    const ratio = value !== null && base > 0 ? value / base : null;
    const pass = ratio !== null && (higher ? ratio >= 1 : ratio <= 1);
    const sign = higher ? '≥' : '≤';
    const field = (s) => `${libraryName(s)} ${formatMetric(target.metric, s[target.metric])}`;
    const line =
      `${pass ? 'PASS' : 'MISS'}  ${target.what}, ${CLIENT_TRANSPORT.label}: ours ${formatMetric(target.metric, value)} vs ` +
      `${others.map(field).join(', ')} = ${ratio === null ? '?' : ratio.toFixed(2)}× the ${higher ? 'faster' : 'quicker'} ` +
      `(target ${sign} 1×)`;
    results.push({
      target: target.what,
      transport: CLIENT_TRANSPORT.label,
      scenario: ours.id,
      baseline: best.id,
      metric: target.metric,
      value,
      baselineValue: base,
      ratio,
      limit: `${sign} 1`,
      pass,
      line,
      client: true,
    });
  }
  return results;
}

function libraryName(summary) {
  return summary.library?.split(' ')[0] ?? summary.id;
}

function formatMetric(metric, value) {
  if (value === null || value === undefined) return '?';
  if (metric === 'rate') return `${formatRate(value)}/s`;
  if (metric === 'p50Us') return `${value.toFixed(0)} µs`;
  return `${value.toFixed(3)} s`;
}

function formatRate(value) {
  if (value === null) return '-';
  return value >= 1e4 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
}

const fixed = (digits) => (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

const COLUMNS = [
  { title: 'scenario', get: (s) => s.label, left: true },
  { title: 'rate', get: (s) => `${formatRate(s.rate)} ${s.unit}/s` },
  { title: 'min–max', get: (s) => `${formatRate(s.rateMin)}–${formatRate(s.rateMax)}` },
  { title: 'p50 µs', get: (s) => fixed(0)(s.p50Us) },
  { title: 'p99 µs', get: (s) => fixed(0)(s.p99Us) },
  { title: 'srv CPU', get: (s) => fixed(2)(s.serverCores) },
  { title: 'CPU s/100k', get: (s) => fixed(3)(s.cpuPer100k) },
  { title: 'RSS idle/load MiB', get: (s) => `${fixed(1)(s.idleRssMiB)} / ${fixed(1)(s.rssMiB)}` },
  { title: 'load CPU', get: formatLoad },
  { title: 'others CPU', get: (s) => fixed(2)(s.otherCores) },
];

/** Load CPU in cores: one process, or each process of the load ("client+callee"). */
function formatLoad(s) {
  if (s.loadProcesses.length <= 1) return fixed(2)(s.loadCores);
  return s.loadProcesses.map((p) => fixed(2)(p.cores)).join('+');
}

const CLIENT_COLUMNS = [
  { title: 'client (load process), against our router', get: (s) => `${s.label}${s.library ? ` [${s.library}]` : ''}`, left: true },
  { title: 'rate', get: (s) => `${formatRate(s.rate)} ${s.unit}/s` },
  { title: 'min–max', get: (s) => `${formatRate(s.rateMin)}–${formatRate(s.rateMax)}` },
  { title: 'p50 µs', get: (s) => fixed(0)(s.p50Us) },
  { title: 'p99 µs', get: (s) => fixed(0)(s.p99Us) },
  { title: 'client CPU', get: (s) => fixed(2)(s.driverCores) },
  { title: 'client µs/call', get: (s) => fixed(1)(s.driverCpuUsPerMessage) },
  { title: 'callee CPU', get: (s) => fixed(2)(s.loadProcesses.find((p) => p.role === 'callee')?.cores) },
  { title: 'srv CPU', get: (s) => fixed(2)(s.serverCores) },
  { title: 'others CPU', get: (s) => fixed(2)(s.otherCores) },
];

/** The results tables as lines of text: servers, then (when measured) the client comparison. */
export function formatTable(summaries) {
  const servers = summaries.filter((s) => !s.id.startsWith('client.'));
  const clients = summaries.filter((s) => s.id.startsWith('client.'));
  const lines = servers.length > 0 ? table(COLUMNS, servers) : [];
  if (clients.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(...table(CLIENT_COLUMNS, clients));
  }
  return lines;
}

function table(columns, summaries) {
  const rows = summaries.map((s) => columns.map((c) => c.get(s)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((cell, i) => (columns[i].left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export const TABLE_NOTES = [
  'rate: calls/s (RPC round trips) or events/s (deliveries to subscribers), median of runs; min–max over runs.',
  'p50/p99: per call (send → RESULT) or per delivery (PUBLISH sent → EVENT received), medians of runs.',
  'srv CPU: server process CPU (user+sys, all threads, /proc/<pid>/stat) in cores; CPU s/100k: per 100k calls (RPC) or 100k deliveries (fan-out).',
  'load CPU: the load-client process in cores (≥ 0.9 means the result may be load-bound); a+b: one figure per load process.',
  'others CPU: busy machine CPU (/proc/stat) outside server, load processes and softirq — other processes competing for the cores.',
  'client table: a client library as the load (one process, calling through its public API with `window` calls in flight),',
  '  a lean RawSocket/CBOR callee in another process; client CPU and µs/call: the library process alone.',
];

/** A warning when other processes took a noticeable share of the machine during the runs. */
export function noiseWarning(summaries) {
  const others = median(summaries.map((s) => s.otherCores));
  if (others === null || others < 0.25) return null;
  return (
    `warning: other processes used a median ${others.toFixed(2)} cores during the runs: ` +
    'absolute numbers are depressed and ratios noisy; re-run on an idle machine to confirm.'
  );
}
