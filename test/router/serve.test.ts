import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type MqttListenerFactory, type MqttListenOptions, type RunningRouter } from '../../src/router/serve.js';
import { NOT_BUILT_TEXT } from '../../src/router/static-files.js';
import { MessageType } from '../../src/protocol/message-type.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import { serializerByName } from '../../src/protocol/serializers/index.js';
import { connectRawSocket } from '../../src/transport/rawsocket/client.js';
import type { Transport } from '../../src/transport/transport.js';
import { connectWebSocket } from '../../src/transport/websocket/client.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

/** Collects a transport's inbound messages; `next()` waits for the next one (bounded). */
function inbox(transport: Transport) {
  const queue: WampMessage[] = [];
  const waiters: ((m: WampMessage) => void)[] = [];
  let closed = false;
  transport.attach({
    onMessage: (m) => (waiters.length > 0 ? waiters.shift()!(m) : queue.push(m)),
    onProtocolError: () => {},
    onClose: () => {
      closed = true;
    },
  });
  return {
    get closed() {
      return closed;
    },
    next(timeoutMs = 2000): Promise<WampMessage> {
      if (queue.length > 0) return Promise.resolve(queue.shift()!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs);
        waiters.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
  };
}

describe('startRouter', () => {
  let router: TestRouter | undefined;
  const open: Transport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) t.close();
    await router?.close();
    router = undefined;
  });

  it('routes a call between a RawSocket/CBOR callee and a WebSocket/JSON caller', async () => {
    router = await startTestRouter();
    const callee = await connectRawSocket({ host: '127.0.0.1', port: router.rawsocketPort }, { serializer: serializerByName('cbor')! });
    const caller = await connectWebSocket(router.wsUrl, { serializer: serializerByName('json')!, WebSocket });
    open.push(callee, caller);
    const inCallee = inbox(callee);
    const inCaller = inbox(caller);
    callee.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    caller.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    expect((await inCallee.next())[0]).toBe(MessageType.WELCOME);
    expect((await inCaller.next())[0]).toBe(MessageType.WELCOME);
    callee.send([MessageType.REGISTER, 1, {}, 'com.echo']);
    expect((await inCallee.next())[0]).toBe(MessageType.REGISTERED);
    const big = 2 ** 40 + 7;
    caller.send([MessageType.CALL, 1, {}, 'com.echo', [big, 'x'], { k: true }]);
    const invocation = await inCallee.next();
    expect(invocation[0]).toBe(MessageType.INVOCATION);
    expect(invocation.slice(4)).toEqual([[big, 'x'], { k: true }]);
    callee.send([MessageType.YIELD, invocation[1] as number, {}, invocation[4] as unknown[], invocation[5] as Record<string, unknown>]);
    expect(await inCaller.next()).toEqual([MessageType.RESULT, 1, {}, [big, 'x'], { k: true }]);
  });

  it('serves RawSocket on the universal port', async () => {
    router = await startTestRouter();
    const t = await connectRawSocket({ host: '127.0.0.1', port: router.port }, { serializer: serializerByName('msgpack')! });
    open.push(t);
    const messages = inbox(t);
    t.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    expect((await messages.next())[0]).toBe(MessageType.WELCOME);
  });

  it('ends a session that sends an undecodable message and keeps serving others', async () => {
    router = await startTestRouter();
    const good = await connectRawSocket({ host: '127.0.0.1', port: router.rawsocketPort }, { serializer: serializerByName('json')! });
    const bad = await connectRawSocket({ host: '127.0.0.1', port: router.rawsocketPort }, { serializer: serializerByName('json')! });
    open.push(good, bad);
    const inGood = inbox(good);
    const inBad = inbox(bad);
    good.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    await inGood.next();
    bad.sendEncoded(new TextEncoder().encode('[1, "home", {'));
    const abort = await inBad.next();
    expect(abort[0]).toBe(MessageType.ABORT);
    expect(abort[2]).toBe('wamp.error.protocol_violation');
    good.send([MessageType.CALL, 1, {}, 'wamp.session.count']);
    expect(await inGood.next()).toEqual([MessageType.RESULT, 1, {}, [1]]);
  });
});

describe('startRouter: the web UI', () => {
  let running: RunningRouter | undefined;
  let base: string | undefined;
  const open: Transport[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) t.close();
    await running?.close();
    running = undefined;
    if (base !== undefined) await rm(base, { recursive: true, force: true });
    base = undefined;
  });

  /** A router from `listen` (YAML flow entries) with its config file in a temp dir holding web/index.html. */
  async function start(listen: string[]): Promise<{ ports: number[]; log: string[] }> {
    base = await mkdtemp(join(tmpdir(), 'switchyard-ui-'));
    await mkdir(join(base, 'web'));
    await writeFile(join(base, 'web', 'index.html'), '<!doctype html><title>ui</title>\n');
    const yaml = `listen:\n${listen.map((entry) => `  - ${entry}\n`).join('')}realms: [ { name: home, anonymous: { role: anonymous } } ]\n`;
    const { config, problems } = parseRouterConfig(yaml, join(base, 'router.yaml'), {});
    expect(problems.map(formatProblem)).toEqual([]);
    const log: string[] = [];
    running = await startRouter(config!, { logger: createLogger({ write: (line) => log.push(line) }) });
    const ports = running.listeners.map(({ address }) => ('port' in address ? address.port : 0));
    return { ports, log };
  }

  async function welcomed(url: string): Promise<boolean> {
    const t = await connectWebSocket(url, { serializer: serializerByName('json')!, WebSocket });
    open.push(t);
    const messages = inbox(t);
    t.send([MessageType.HELLO, 'home', { roles: ROLES }]);
    return (await messages.next())[0] === MessageType.WELCOME;
  }

  it('serves web_root (relative to the config file) at / on universal and websocket listeners, one log line per root', async () => {
    const { ports, log } = await start([
      '{ type: universal, host: 127.0.0.1, port: 0, web_root: web }',
      '{ type: websocket, host: 127.0.0.1, port: 0, web_root: ./web/ }',
    ]);
    for (const port of ports) {
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<title>ui</title>');
      expect(await welcomed(`ws://127.0.0.1:${port}/ws`)).toBe(true);
    }
    expect(log.filter((line) => line.includes('web UI'))).toEqual([`info serving the web UI root=${join(base!, 'web')}`]);
  });

  it('answers 404 at / with ui: false while /ws still works', async () => {
    const { ports } = await start([
      '{ type: universal, host: 127.0.0.1, port: 0, ui: false, web_root: web }',
      '{ type: websocket, host: 127.0.0.1, port: 0, ui: false }',
    ]);
    for (const port of ports) {
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect(await welcomed(`ws://127.0.0.1:${port}/ws`)).toBe(true);
    }
  });

  it('serves the placeholder page when the web root does not exist', async () => {
    const { ports, log } = await start(['{ type: universal, host: 127.0.0.1, port: 0, web_root: not-built }']);
    const page = await fetch(`http://127.0.0.1:${ports[0]}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain(NOT_BUILT_TEXT);
    expect(log.some((line) => line.startsWith('warn the web UI is not built'))).toBe(true);
  });
});

describe('startRouter: mqtt listeners', () => {
  let running: RunningRouter | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  function configOf(listen: string[], limits = '') {
    const yaml = `listen:\n${listen.map((entry) => `  - ${entry}\n`).join('')}realms: [ { name: home, anonymous: { role: anonymous } }, { name: lab } ]\n${limits}`;
    const { config, problems } = parseRouterConfig(yaml, 'router.yaml', {});
    expect(problems.map(formatProblem)).toEqual([]);
    return config!;
  }

  /** A stand-in for src/mqtt's listenMqtt (the router never imports it): records what it is given. */
  function fakeFactory() {
    const calls: { target: { host: string; port: number }; options: MqttListenOptions }[] = [];
    const accepted: Buffer[] = [];
    const factory: MqttListenerFactory = async (target, options) => {
      calls.push({ target, options });
      return {
        address: () => ({ host: target.host, port: 1883 + calls.length }),
        close: async () => undefined,
        accept(socket, head) {
          accepted.push(Buffer.from(head));
          socket.end(Buffer.from([0x20, 0x02, 0x00, 0x00]));
        },
      };
    };
    return { factory, calls, accepted };
  }

  it('skips mqtt listeners with a warning when no MQTT factory is given', async () => {
    const log: string[] = [];
    running = await startRouter(configOf(['{ type: mqtt, host: 127.0.0.1, port: 0 }', '{ type: rawsocket, host: 127.0.0.1, port: 0 }']), {
      logger: createLogger({ write: (line) => log.push(line) }),
    });
    expect(running.listeners.map((l) => l.config.type)).toEqual(['rawsocket']);
    expect(log.some((line) => line.startsWith('warn MQTT listeners are not implemented yet; skipping'))).toBe(true);
  });

  it('binds mqtt listeners with the injected factory, defaults from the router limits', async () => {
    const { factory, calls } = fakeFactory();
    const config = configOf(
      [
        '{ type: mqtt, host: 127.0.0.1, port: 0 }',
        '{ type: mqtt, host: 127.0.0.1, port: 0, realm: lab, payload: raw, max_packet_size: 4096, inflight_window: 5, max_queued_messages: 50 }',
      ],
      'limits: { max_message_size: 65536, max_sessions: 7 }\n',
    );
    running = await startRouter(config, { mqtt: factory });
    expect(running.listeners.map((l) => l.config.type)).toEqual(['mqtt', 'mqtt']);
    expect(calls.map((c) => c.target)).toEqual([
      { host: '127.0.0.1', port: 0 },
      { host: '127.0.0.1', port: 0 },
    ]);
    const [plain, lab] = calls.map((c) => c.options);
    expect(plain).toMatchObject({ realm: 'home', payload: 'json', maxPacketSize: 65536, maxConnections: 7 });
    expect(plain).not.toHaveProperty('inflightWindow');
    expect(plain!.router).toBe(running.router);
    expect(lab).toMatchObject({ realm: 'lab', payload: 'raw', maxPacketSize: 4096, inflightWindow: 5, maxQueuedMessages: 50 });
  });

  it('hands MQTT connections of a universal port to the first mqtt listener, and only with one configured', async () => {
    const { factory, accepted } = fakeFactory();
    running = await startRouter(configOf(['{ type: universal, host: 127.0.0.1, port: 0, ui: false }', '{ type: mqtt, host: 127.0.0.1, port: 0 }']), {
      mqtt: factory,
    });
    const port = (running.listeners[0]!.address as { port: number }).port;
    const connect = Buffer.from('101000044d5154540402003c000461626364', 'hex');
    expect((await exchange(port, connect)).toString('hex')).toBe('20020000');
    expect(accepted).toEqual([connect]);
    await running.close();

    running = await startRouter(configOf(['{ type: universal, host: 127.0.0.1, port: 0, ui: false }']), { mqtt: factory });
    const other = (running.listeners[0]!.address as { port: number }).port;
    expect((await exchange(other, connect)).toString()).toMatch(/^HTTP\/1\.1 400/);
  });
});

/** Writes `bytes` and collects what comes back until the server closes (bounded). */
async function exchange(port: number, bytes: Buffer): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not close')), 3000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.write(bytes);
    });
  } finally {
    socket.destroy();
  }
  return Buffer.concat(chunks);
}
