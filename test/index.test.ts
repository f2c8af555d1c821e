import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as browser from '../src/browser.js';
import * as index from '../src/index.js';
import * as node from '../src/node.js';
import { browserSafetyProblems, SRC } from './helpers/import-graph.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The browser-safe names both entries share (run-time values; types vanish). */
const SHARED = [
  // client
  'CallResult',
  'InvalidUrlError',
  'ManagedSession',
  'Session',
  'connect',
  'parseUrl',
  'result',
  // errors
  'AbortedError',
  'ApplicationError',
  'AuthenticationError',
  'CanceledError',
  'PayloadSizeExceededError',
  'ProtocolError',
  'SessionClosedError',
  'TimeoutError',
  'WampError',
  'errorFromWire',
  // protocol
  'ALL_SERIALIZERS',
  'CloseUri',
  'ErrorUri',
  'MessageType',
  'cborSerializer',
  'isValidUri',
  'jsonSerializer',
  'messageTypeName',
  'msgpackSerializer',
  'serializerByName',
  'serializerByRawSocketId',
  'serializerBySubprotocol',
  // transports
  'connectWebSocket',
  'linkedPair',
];

const { linkedPair } = index;

/** A TransportFactory that attaches an in-memory pair to `router` (no sockets). */
function embedded(router: index.Router): index.TransportFactory {
  return async (_url, serializer) => {
    const [client, server] = linkedPair(serializer);
    router.attach(server);
    return client;
  };
}
function startRouter(): index.Router {
  const router = index.createRouter(index.defaultRouterConfig());
  cleanups.push(() => router.close());
  return router;
}

describe('index', () => {
  it('exposes the documented client, error, protocol, transport and router names, and nothing else', () => {
    expect(Object.keys(index).sort()).toEqual(
      [
        ...SHARED,
        'nodeTransportFactory',
        'connectRawSocket',
        'readPrivateKeyFile',
        'generateKeyPair',
        'KeyFileError',
        'ConnectError',
        'Router',
        'createRouter',
        'serveRouter',
        'startRouter',
        'defaultRouterConfig',
        'ConfigError',
        'formatProblem',
        'loadRouterConfig',
        'parseRouterConfig',
      ].sort(),
    );
    expect(index.connect).toBe(node.connect);
  });

  it('connects, registers and calls through the barrel against an embedded router', async () => {
    const router = startRouter();
    const managed = await index.connect({
      url: 'rs://embedded.invalid',
      realm: 'home',
      transportFactory: embedded(router),
      reconnect: false,
      liveness: false,
    });
    cleanups.push(() => managed.close());
    await managed.register('com.example.add', ({ args }) => index.result([(args[0] as number) + (args[1] as number)], { op: 'add' }));

    const [client, server] = linkedPair(index.jsonSerializer);
    router.attach(server);
    const session = await index.Session.join(client, { realm: 'home' });
    cleanups.push(() => session.leave());
    const answer = await session.call('com.example.add', [2, 3]);
    expect(answer.args).toEqual([5]);
    expect(answer.kwargs).toEqual({ op: 'add' });
    const missing = session.call('com.example.missing');
    await expect(missing).rejects.toBeInstanceOf(index.ApplicationError);
    await expect(missing).rejects.toMatchObject({ uri: index.ErrorUri.NO_SUCH_PROCEDURE });
  });
});

describe('browser', () => {
  it('exposes the client, errors, protocol and browser-safe transports, without the router or Node transports', () => {
    expect(Object.keys(browser).sort()).toEqual([...SHARED, 'browserTransportFactory'].sort());
    expect(browser.connect).not.toBe(index.connect);
    expect(browser.Session).toBe(index.Session);
    expect(browser.SessionClosedError).toBe(index.SessionClosedError);
  });

  it('loads no Node-only module anywhere in its import graph', () => {
    expect(browserSafetyProblems([join(SRC, 'browser.ts')])).toEqual([]);
  });

  it('connects through an injected transport factory', async () => {
    const router = startRouter();
    const managed = await browser.connect({ url: 'ws://embedded.invalid/ws', realm: 'home', transportFactory: embedded(router), liveness: false });
    cleanups.push(() => managed.close());
    expect(managed.state).toBe('joined');
    await managed.publish('com.example.ping', [], {}, { acknowledge: true });
  });

  it('dials with the native WebSocket by default, so a RawSocket URL is refused', async () => {
    const attempt = browser.connect({ url: 'rs://127.0.0.1:9', realm: 'home', reconnect: false });
    await expect(attempt).rejects.toThrow(/RawSocket needs Node/);
  });
});
