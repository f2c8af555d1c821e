// The IPC side of every load-client process (forked by the orchestrator with its JSON config as
// argv[2]). Protocol, parent → child: 'go' (start or resume traffic), 'measure' (zero the
// counters: the warm-up is over), 'report' (send the counters since 'measure', pause traffic; what
// is in flight drains), 'exit' or 'stop'. Child → parent: { type: 'ready' } once connected,
// { type: 'report', ... }, { type: 'error', message } (then it exits).

/**
 * `createWorkload(config, fail)` resolves to { start(), reset(), snapshot(), pause() }: start
 * (re)starts the traffic, reset zeroes the counters, snapshot returns plain counters (JSON-able),
 * pause stops issuing new requests.
 */
export async function runLoad(createWorkload) {
  const config = JSON.parse(process.argv[2] ?? '{}');
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (error) => fail(error));
  process.on('unhandledRejection', (error) => fail(error));
  let workload;
  try {
    workload = await createWorkload(config, fail);
  } catch (error) {
    fail(error);
    return;
  }
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  process.on('message', (message) => {
    switch (message?.type) {
      case 'go':
        workload.start();
        return;
      case 'measure':
        workload.reset();
        cpu0 = process.cpuUsage();
        t0 = performance.now();
        return;
      case 'report': {
        const wallSeconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const counters = workload.snapshot();
        workload.pause();
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        process.send({
          type: 'report',
          wallSeconds,
          cpuSeconds,
          cpuCores: cpuSeconds / wallSeconds,
          rssMiB: process.memoryUsage().rss / 2 ** 20,
          ...counters,
        });
        return;
      }
      case 'exit':
      case 'stop':
        process.exit(0);
    }
  });
  process.send({ type: 'ready' });
}

function fail(error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    process.send?.({ type: 'error', message }, () => process.exit(1));
  } catch {
    process.exit(1);
  }
  setTimeout(() => process.exit(1), 500).unref();
}
