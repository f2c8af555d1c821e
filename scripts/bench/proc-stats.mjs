import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux almost everywhere). */
export const CLK_TCK = readClockTicks();

function readClockTicks() {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat
 * (fields 14 and 15, counted after the parenthesised command name, which may hold spaces).
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { user: utime / CLK_TCK, system: stime / CLK_TCK, total: (utime + stime) / CLK_TCK };
}

/** Resident set size now and its peak (VmHWM), in MiB, from /proc/<pid>/status. */
export function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: kbField(status, 'VmRSS') / 1024, peak: kbField(status, 'VmHWM') / 1024 };
}

function kbField(status, name) {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? NaN : Number(match[1]);
}

/** A CPU sample with its wall-clock time, for rates between two samples. */
export function sampleCpu(pid) {
  return { at: performance.now(), ...cpuSeconds(pid) };
}

/** CPU seconds used per wall second between two samples (1.0 = one core busy). */
export function cpuBetween(from, to) {
  const wall = (to.at - from.at) / 1000;
  const cpu = to.total - from.total;
  return { cpuSeconds: cpu, wallSeconds: wall, cores: wall > 0 ? cpu / wall : 0 };
}

/**
 * Whole-machine CPU seconds so far from /proc/stat: `busy` (user, nice, system, irq, softirq)
 * and `softirq` alone (loopback TCP is mostly processed there and billed to no process).
 */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  return {
    at: performance.now(),
    busy: (user + nice + system + irq + softirq) / CLK_TCK,
    softirq: softirq / CLK_TCK,
  };
}
