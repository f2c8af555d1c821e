// CPU time of a process for the device benchmark, two ways over the same window:
//  - `stat`: utime + stime from /proc/PID/stat (proc-stats.mjs), what the table reports; counted
//    in clock ticks (10 ms with USER_HZ 100), so a window of 0.07 s is 7 ± 1 ticks;
//  - `sched`: the on-CPU time of every thread, in ns, from /proc/PID/task/*/schedstat (null when
//    the kernel has no schedstat): the same quantity without the tick granularity, shown beside
//    it so that a ratio of two short windows can be trusted (or not).
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds } from './proc-stats.mjs';

function schedSeconds(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  for (const tid of tasks) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile, or no schedstat
      if (tid === String(pid)) return null;
    }
  }
  return ns / 1e9;
}

/** A CPU sample of `pid`: { stat, sched } in seconds. */
export function sampleCpu(pid) {
  return { stat: cpuSeconds(pid).total, sched: schedSeconds(pid) };
}

/** CPU seconds between two samples: { stat, sched }. */
export function cpuSince(from, pid) {
  const to = sampleCpu(pid);
  return { stat: to.stat - from.stat, sched: from.sched === null || to.sched === null ? null : to.sched - from.sched };
}
