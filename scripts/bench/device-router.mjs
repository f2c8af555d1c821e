// The upstream router of the device benchmark, in its own process (child_process.fork): the
// switchyard router from dist/ with one RawSocket listener on 127.0.0.1 port 0 and realm `home`
// open to anonymous sessions (what `switchyard router` runs, minus the CLI). It reports
// { type: 'ready', port, pid } over IPC.
//
// { type: 'adopt' } with a socket handle: a TCP connection the bench accepted (paused, nothing
// read) on the port a device dials as its upstream; the router serves it as if its own listener
// had accepted it. That is how the offline-drain scenario "starts the upstream router" at a
// chosen moment without waiting for the device's reconnect backoff: the device's connection
// attempt waits in the bench's gate (its RawSocket handshake unanswered) until it is handed over.
// Exits on { type: 'stop' }, SIGTERM/SIGINT or when the parent goes away.
import { DEFAULT_LIMITS, openRealm } from '../../dist/router/config.js';
import { startRouter } from '../../dist/router/serve.js';
import { acceptRawSocket } from '../../dist/transport/rawsocket/server.js';
import { exitOnStop } from './run-main.mjs';

const REALM = process.argv[2] ?? 'home';

let running;
exitOnStop(() => running?.close());
process.on('message', (message, handle) => {
  if (message?.type === 'adopt') {
    if (handle === undefined || running === undefined) {
      process.send({ type: 'error', message: 'adopt without a socket (or before the router started)' });
      return;
    }
    acceptRawSocket(handle, {
      onTransport: (transport) => running.router.attach(transport),
      maxMessageSize: DEFAULT_LIMITS.maxMessageSize,
    });
    process.send({ type: 'adopted', id: message.id });
  }
});

try {
  running = await startRouter({
    listen: [{ type: 'rawsocket', host: '127.0.0.1', port: 0 }],
    realms: [openRealm(REALM)],
    limits: { ...DEFAULT_LIMITS },
    logLevel: 'warn',
  });
  process.send({ type: 'ready', port: running.listeners[0].address.port, pid: process.pid });
} catch (error) {
  process.send({ type: 'error', message: error.message });
  process.exit(1);
}
