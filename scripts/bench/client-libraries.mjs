// The WAMP client libraries the client comparison drives, each behind the same small interface:
// `await open(config)` → { call(args) → promise of the first positional result, close() }.
// Every library uses its defaults apart from what a benchmark needs (no reconnect, quiet logs).
// config: { kind: 'websocket'|'rawsocket', host, port, serializer, realm, procedure }.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);

/** switchyard's client (dist/node.js): connect() → ManagedSession.call(). */
async function openOurs(config) {
  const { connect } = await import('../../dist/node.js');
  const url =
    config.kind === 'websocket' ? `ws://${config.host}:${config.port}/ws` : `rs://${config.host}:${config.port}`;
  const session = await connect({ url, realm: config.realm, serializer: config.serializer, reconnect: false });
  const { procedure } = config;
  return {
    name: 'switchyard',
    version: readVersion('package.json'),
    call: (args) => session.call(procedure, args).then(firstArg),
    close: () => session.close(),
  };
}

function firstArg(result) {
  return result.args[0];
}

/** Autobahn|JS 22.11.1 (npm autobahn; its own ws 7 in Node). */
async function openAutobahn(config) {
  const autobahn = require('autobahn');
  autobahn.log.warn = () => {};
  const classes = { json: 'JSONSerializer', msgpack: 'MsgpackSerializer', cbor: 'CBORSerializer' };
  const url = `ws://${config.host}:${config.port}/ws`;
  const transport =
    config.kind === 'rawsocket'
      ? { type: 'rawsocket', host: config.host, port: config.port }
      : { type: 'websocket', url, serializers: [new autobahn.serializer[classes[config.serializer]]()] };
  const connection = new autobahn.Connection({
    url,
    realm: config.realm,
    transports: [transport],
    max_retries: 0,
    retry_if_unreachable: false,
  });
  const session = await new Promise((resolve, reject) => {
    connection.onopen = (s) => resolve(s);
    connection.onclose = (reason, details) => {
      reject(new Error(`Autobahn|JS closed: ${reason} ${details?.reason ?? ''}`));
      return true;
    };
    connection.open();
  });
  const { procedure } = config;
  return {
    name: 'Autobahn|JS',
    version: readVersion('node_modules/autobahn/package.json'),
    // A single positional result comes back as the value itself.
    call: (args) => session.call(procedure, args),
    close: () => connection.close(),
  };
}

/** Wampy.js 8 (npm wampy) over `ws`. */
async function openWampy(config) {
  if (config.kind !== 'websocket') throw new Error('Wampy.js speaks WebSocket only');
  const { Wampy } = await import('wampy');
  const { default: WebSocket } = await import('ws');
  const modules = {
    json: ['wampy/JsonSerializer.js', 'JsonSerializer'],
    msgpack: ['wampy/MsgpackSerializer.js', 'MsgpackSerializer'],
    cbor: ['wampy/CborSerializer.js', 'CborSerializer'],
  };
  const [path, exportName] = modules[config.serializer];
  const Serializer = (await import(path))[exportName];
  const wampy = new Wampy(`ws://${config.host}:${config.port}/ws`, {
    ws: WebSocket,
    realm: config.realm,
    serializer: new Serializer(),
    autoReconnect: false,
  });
  await wampy.connect();
  if (wampy.getOptions().serializer.protocol !== config.serializer) {
    throw new Error(`Wampy.js negotiated ${wampy.getOptions().serializer.protocol}, not ${config.serializer}`);
  }
  const { procedure } = config;
  return {
    name: 'Wampy.js',
    version: readVersion('node_modules/wampy/package.json'),
    call: (args) => wampy.call(procedure, args).then(wampyFirstArg),
    close: () => wampy.disconnect(),
  };
}

function wampyFirstArg(result) {
  return result.argsList[0];
}

/** The version in a package.json under the repository root. */
function readVersion(path) {
  try {
    return JSON.parse(readFileSync(new URL(path, root), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export const CLIENT_LIBRARIES = { ours: openOurs, autobahn: openAutobahn, wampy: openWampy };
