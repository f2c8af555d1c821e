// The switchyard router in its own process, for the benchmark. Started with child_process.fork;
// binds a RawSocket and a WebSocket listener on 127.0.0.1 port 0, realm `bench` open to
// anonymous sessions, and reports its ports over IPC: { type: 'ready', ports: { rawsocket, websocket } }.
// Exits on { type: 'stop' }, SIGTERM/SIGINT or when the parent goes away (a clean exit, so that
// `node --cpu-prof` writes its profile).
import { openRealm, DEFAULT_LIMITS } from '../../dist/router/config.js';
import { startRouter } from '../../dist/router/serve.js';
import { REALM } from './constants.mjs';
import { exitOnStop } from './run-main.mjs';

const config = {
  listen: [
    { type: 'rawsocket', host: '127.0.0.1', port: 0 },
    { type: 'websocket', host: '127.0.0.1', port: 0, path: '/ws' },
  ],
  realms: [openRealm(REALM)],
  limits: { ...DEFAULT_LIMITS },
  logLevel: 'warn',
};

let running;
exitOnStop(() => running?.close());

running = await startRouter(config);
const ports = {};
for (const { config: listener, address } of running.listeners) ports[listener.type] = address.port;
process.send({ type: 'ready', ports, pid: process.pid });
