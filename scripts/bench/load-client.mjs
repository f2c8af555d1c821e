// Load client for the client comparison: a real WAMP client library (client-libraries.mjs) in this
// process keeps `window` calls of the echo procedure in flight through its public call() API; the
// callee is load-callee.mjs, in its own process, so this process's CPU is the library's (plus
// the few lines below, the same for every library). Latency is call() → its promise settling.
// Config (argv[2]): { library: 'ours'|'autobahn'|'wampy', kind, host, port, serializer, window, payload }.
import { PROCEDURE, REALM, payloadString } from './constants.mjs';
import { CLIENT_LIBRARIES } from './client-libraries.mjs';
import { Histogram } from './histogram.mjs';
import { runLoad } from './load-driver.mjs';

async function createClientWorkload(config, fail) {
  const open = CLIENT_LIBRARIES[config.library];
  if (open === undefined) throw new Error(`unknown client library ${config.library}`);
  const client = await open({ ...config, realm: REALM, procedure: PROCEDURE });
  const args = [payloadString(config.payload)];
  const expected = args[0];
  const { window } = config;
  const latency = new Histogram();
  let running = false;
  let inFlight = 0;
  let completed = 0;
  let issued = 0;

  function onError(error) {
    fail(error instanceof Error ? error : new Error(`call failed: ${JSON.stringify(error)}`));
  }

  function issue() {
    const t0 = performance.now();
    inFlight++;
    issued++;
    client.call(args).then((value) => {
      latency.recordMs(performance.now() - t0);
      if (value !== expected) return fail(new Error(`wrong echo ${JSON.stringify(value)}`));
      completed++;
      inFlight--;
      if (running) issue();
    }, onError);
  }

  // A lost call would stall the window: fail loudly instead.
  let lastCompleted = -1;
  let lastIssued = -1;
  setInterval(() => {
    if (running && inFlight > 0 && completed === lastCompleted && issued === lastIssued) {
      fail(new Error(`calls stalled with ${inFlight} in flight`));
    }
    lastCompleted = completed;
    lastIssued = issued;
  }, 2000).unref();

  return {
    start() {
      running = true;
      while (inFlight < window) issue();
    },
    reset() {
      completed = 0;
      latency.reset();
    },
    snapshot() {
      return { messages: completed, unit: 'calls', latency: latency.summary(), library: `${client.name} ${client.version}` };
    },
    pause() {
      running = false;
    },
  };
}

await runLoad(createClientWorkload);
