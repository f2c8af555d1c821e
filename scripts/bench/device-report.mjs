// Medians, the results table and the targets of the device benchmark.
import { median } from './report.mjs';

/** Idle RSS of the demo device, on x86-64 Node 20 (the stated target); MB = 10^6 bytes. */
export const RSS_TARGET_MB = 50;
/** Spawn → `device ready` of the demo device. */
export const STARTUP_TARGET_MS = 300;

const MIB = 1024 * 1024;

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return { median: median(v), min: v.length > 0 ? Math.min(...v) : null, max: v.length > 0 ? Math.max(...v) : null, runs: v.length };
}

/** A table row; the cells not given stay empty. */
function row(cells) {
  return { label: '', value: '', spread: '', baseline: '', ratio: null, target: '', ...cells };
}

/**
 * A row of the device's medians against a baseline's (`baselineText` names it), both shown with
 * `digits` decimals and `unit`; `target` is the target cell, if any.
 */
function compareRow(label, device, baselineText, baseline, { digits, unit, target = '' }) {
  return row({
    label,
    value: device.runs > 0 ? `${fixed(device.median, digits)} ${unit}` : '-',
    spread: range(device, digits),
    baseline: `${baselineText} ${fixed(baseline.median, digits)} ${unit}`,
    ratio: ratio(device.median, baseline.median),
    target,
  });
}

/** A CPU-seconds-per-10k row of the device against its baseline. */
function cpuRow(label, device, baselineText, baseline) {
  return compareRow(label, device, baselineText, baseline, { digits: 3, unit: 's' });
}

function ratio(a, b) {
  return a !== null && b !== null && b > 0 ? a / b : null;
}

/** Runs → medians and the table rows. */
export function summarize(runs, { readings, nodeRed }) {
  const per10k = 10_000 / readings;
  const s = {
    startupMs: stats(runs.startup.map((r) => r.wallMs)),
    startupInProcessMs: stats(runs.startup.map((r) => r.inProcessMs)),
    nodeStartupMs: stats(runs.nodeStartup.map((r) => r.wallMs)),
    deviceRssMiB: stats(runs.footprint.map((r) => r.device?.rssMiB)),
    deviceIdleCpuPercent: stats(runs.footprint.map((r) => r.device?.idleCpuPercent)),
    nodeRssMiB: stats(runs.footprint.map((r) => r.node?.rssMiB)),
    nodeRedRssMiB: stats(runs.footprint.map((r) => r.nodeRed?.rssMiB)),
    deviceCpuPer10k: stats(runs.cpu.map((r) => r.cpuS * per10k)),
    deviceCpuSchedPer10k: stats(runs.cpu.map((r) => (r.cpuSchedS === null ? null : r.cpuSchedS * per10k))),
    deviceRouterCpuPer10k: stats(runs.cpu.map((r) => r.routerCpuS * per10k)),
    deviceRssUnderLoadMiB: stats(runs.cpu.map((r) => r.rssMiB)),
    deviceCpuRate: stats(runs.cpu.map((r) => r.rate)),
    publisherCpuPer10k: stats(runs.publisher.map((r) => r.cpuS * per10k)),
    publisherCpuSchedPer10k: stats(runs.publisher.map((r) => (r.cpuSchedS === null ? null : r.cpuSchedS * per10k))),
    publisherRouterCpuPer10k: stats(runs.publisher.map((r) => r.routerCpuS * per10k)),
    publisherRate: stats(runs.publisher.map((r) => r.rate)),
    drainMs: stats(runs.drain.map((r) => r.ms)),
    drainRate: stats(runs.drain.map((r) => r.rate)),
  };
  const k = readings === 10_000 ? '10k' : `${readings}`;
  const rows = [];
  if (s.deviceRssMiB.runs > 0) {
    rows.push(
      compareRow('idle RSS, demo device', s.deviceRssMiB, 'bare node', s.nodeRssMiB, {
        digits: 1,
        unit: 'MiB',
        target: `≤ ${RSS_TARGET_MB} MB ${passText(rssPass(s.deviceRssMiB.median))}`,
      }),
    );
    if (s.nodeRedRssMiB.runs > 0) {
      rows.push(
        row({
          baseline: `Node-RED ${nodeRed?.version ?? ''} ${fixed(s.nodeRedRssMiB.median, 1)} MiB`,
          ratio: ratio(s.deviceRssMiB.median, s.nodeRedRssMiB.median),
        }),
      );
    }
  }
  if (s.startupMs.runs > 0) {
    rows.push(
      compareRow('start → ready (wall)', s.startupMs, 'node start-up', s.nodeStartupMs, {
        digits: 0,
        unit: 'ms',
        target: `≤ ${STARTUP_TARGET_MS} ms ${passText(startupPass(s.startupMs.median))}`,
      }),
    );
    rows.push(row({ label: '  in process (logged)', value: `${fixed(s.startupInProcessMs.median, 0)} ms`, spread: range(s.startupInProcessMs, 0) }));
  }
  if (s.deviceCpuPer10k.runs > 0 || s.publisherCpuPer10k.runs > 0) {
    rows.push(cpuRow('CPU per 10k readings', s.deviceCpuPer10k, 'bare publisher', s.publisherCpuPer10k));
    if (s.deviceCpuSchedPer10k.runs > 0 || s.publisherCpuSchedPer10k.runs > 0) {
      rows.push(cpuRow('  same, ns clock (schedstat)', s.deviceCpuSchedPer10k, 'bare publisher', s.publisherCpuSchedPer10k));
    }
    rows.push(cpuRow('  router CPU per 10k', s.deviceRouterCpuPer10k, 'with it', s.publisherRouterCpuPer10k));
  }
  if (s.deviceRssUnderLoadMiB.runs > 0) {
    rows.push(row({ label: '  device RSS after it', value: `${fixed(s.deviceRssUnderLoadMiB.median, 1)} MiB`, spread: range(s.deviceRssUnderLoadMiB, 1) }));
  }
  if (s.drainRate.runs > 0) {
    rows.push(
      row({
        label: `offline drain of ${k} readings`,
        value: `${fixed(s.drainMs.median / 1000, 2)} s = ${rate(s.drainRate.median)}/s`,
        spread: `${rate(s.drainRate.min)}–${rate(s.drainRate.max)}/s`,
        baseline: `bare publisher ${rate(s.publisherRate.median)}/s`,
        ratio: ratio(s.drainRate.median, s.publisherRate.median),
      }),
    );
  }
  return { ...s, rows };
}

const COLUMNS = [
  { title: 'scenario', get: (r) => r.label, left: true },
  { title: 'switchyard device', get: (r) => r.value },
  { title: 'min–max', get: (r) => r.spread },
  { title: 'baseline (same run)', get: (r) => r.baseline, left: true },
  { title: 'ratio', get: (r) => (r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`) },
  { title: 'target', get: (r) => r.target, left: true },
];

export function formatRows(rows) {
  const cells = rows.map((r) => COLUMNS.map((c) => c.get(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) => (COLUMNS[i].left ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
}

/** PASS/MISS of the two absolute targets (stated for x86-64 Node 20). */
export function targetLines(summary, environment) {
  const lines = [];
  const results = [];
  const reference = environment.arch === 'x64' && environment.node.startsWith('v20.');
  const where = reference ? '' : ` — measured on ${environment.arch}, node ${environment.node}: indicative only`;
  if (summary.deviceRssMiB.median !== null) {
    const mb = (summary.deviceRssMiB.median * MIB) / 1e6;
    const pass = rssPass(summary.deviceRssMiB.median);
    lines.push(
      `${pass ? 'PASS' : 'MISS'}  idle RSS of the demo device: ${summary.deviceRssMiB.median.toFixed(1)} MiB = ${mb.toFixed(1)} MB ` +
        `(target ≤ ${RSS_TARGET_MB} MB on x86-64 Node 20${where})`,
    );
    results.push({ target: 'idle RSS', valueMB: mb, limitMB: RSS_TARGET_MB, pass });
  }
  if (summary.startupMs.median !== null) {
    const pass = startupPass(summary.startupMs.median);
    lines.push(
      `${pass ? 'PASS' : 'MISS'}  start → ready of the demo device: ${summary.startupMs.median.toFixed(0)} ms from spawn ` +
        `(${summary.startupInProcessMs.median?.toFixed(0) ?? '?'} ms in process; node alone ${summary.nodeStartupMs.median?.toFixed(0) ?? '?'} ms) ` +
        `(target ≤ ${STARTUP_TARGET_MS} ms${where})`,
    );
    results.push({ target: 'start → ready', valueMs: summary.startupMs.median, limitMs: STARTUP_TARGET_MS, pass });
  }
  return { lines, results };
}

/** Whether a median idle RSS (MiB) meets RSS_TARGET_MB (10^6 bytes). */
function rssPass(medianMiB) {
  return (medianMiB * MIB) / 1e6 <= RSS_TARGET_MB;
}

function startupPass(medianMs) {
  return medianMs <= STARTUP_TARGET_MS;
}

function passText(pass) {
  return pass ? 'PASS' : 'MISS';
}

function fixed(value, digits) {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function range(s, digits) {
  return s.runs === 0 ? '' : `${fixed(s.min, digits)}–${fixed(s.max, digits)}`;
}

/** A rate as `12.3k` (from 10,000 up) or `987`; `-` for none. */
export function rate(value) {
  if (value === null || value === undefined) return '-';
  return value >= 1e4 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
}
