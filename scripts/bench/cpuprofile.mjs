// A tiny .cpuprofile analyzer (the format `node --cpu-prof` writes): self time per function and
// per file, from the samples and their time deltas. Also runnable on its own:
//   node scripts/bench/cpuprofile.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads a profile; returns { totalMs, busyMs, functions: [{ name, where, selfMs, share }], files }.
 * `(idle)` (waiting in epoll) is left out: shares are of the busy time.
 */
export function analyzeProfile(path) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map();
  for (const node of profile.nodes) byId.set(node.id, node);
  const selfMs = new Map();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let totalMs = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the following interval to it.
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    totalMs += ms;
    selfMs.set(samples[i], (selfMs.get(samples[i]) ?? 0) + ms);
  }
  const functions = new Map();
  const files = new Map();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const name = frame.functionName || '(anonymous)';
    const file = shortUrl(frame.url);
    const where = file === '' ? '' : `${file}:${frame.lineNumber + 1}`;
    const key = `${name}\u0000${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += ms;
    functions.set(key, entry);
    const fileKey = file === '' ? `(${name})` : file;
    files.set(fileKey, (files.get(fileKey) ?? 0) + ms);
  }
  const idleMs = functions.get('(idle)\u0000')?.selfMs ?? 0;
  functions.delete('(idle)\u0000');
  files.delete('((idle))');
  const busyMs = totalMs - idleMs;
  const share = (ms) => (busyMs > 0 ? ms / busyMs : 0);
  return {
    totalMs,
    busyMs,
    functions: [...functions.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .map((f) => ({ ...f, share: share(f.selfMs) })),
    files: [...files.entries()]
      .map(([file, ms]) => ({ file, selfMs: ms, share: share(ms) }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** `dist/router/broker.js`, `node:net`, `ws/lib/sender.js` rather than full file URLs. */
function shortUrl(url) {
  if (url === '' || url === undefined) return '';
  let path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const dist = path.lastIndexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  const scripts = path.lastIndexOf('/scripts/');
  if (scripts >= 0) return path.slice(scripts + 1);
  return path.startsWith('node:') ? path : basename(path);
}

/** Lines of text: the top `top` functions by self time and the top files. Native frames
 * (writeBuffer, writev: socket writes; (garbage collector); (program): V8/C++ outside JS) have no file. */
export function formatProfile(analysis, top = 15) {
  const lines = [];
  lines.push(
    `  sampled ${(analysis.totalMs / 1000).toFixed(2)} s, busy (not idle) ${(analysis.busyMs / 1000).toFixed(2)} s; ` +
      `top ${top} frames by self time (% of busy time):`,
  );
  lines.push(`    ${'self %'.padStart(6)}  ${'self ms'.padStart(8)}  function  (file:line)`);
  for (const f of analysis.functions.slice(0, top)) {
    lines.push(
      `    ${(f.share * 100).toFixed(1).padStart(6)}  ${f.selfMs.toFixed(0).padStart(8)}  ${f.name}${f.where === '' ? '' : `  (${f.where})`}`,
    );
  }
  lines.push('  self time by file:');
  for (const f of analysis.files.slice(0, 10)) {
    lines.push(`    ${(f.share * 100).toFixed(1).padStart(6)}  ${f.selfMs.toFixed(0).padStart(8)}  ${f.file}`);
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    console.error('usage: node scripts/bench/cpuprofile.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatProfile(analyzeProfile(file), Number(top ?? 15)).join('\n'));
}
