import { until } from '../helpers/until.js';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { stringify } from 'yaml';
import type { ManagedSession } from '../../src/client/connection.js';
import type { Event } from '../../src/client/types.js';
import type { Logger } from '../../src/common/logger.js';
import { listenMqtt } from '../../src/mqtt/index.js';
import { connect } from '../../src/node.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';
import { withTimeout } from '../interop/peers/timeouts.js';

export { withTimeout };

/** Debian's mosquitto-clients. */
export const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';

export function hasMosquittoClients(): boolean {
  return existsSync(MOSQUITTO_PUB) && existsSync(MOSQUITTO_SUB);
}

/** Users and roles most suites share: ticket users, a restricted role, anonymous allowed or not. */
export const SECURE_REALM = {
  name: 'home',
  users: [
    { authid: 'sensor', method: 'ticket', ticket: 's3cret', role: 'device' },
    { authid: 'ui', method: 'ticket', ticket: 'ui-pass', role: 'user' },
  ],
  roles: {
    device: [
      { uri: 'devices.porch.', match: 'prefix', allow: ['publish', 'subscribe'] },
      { uri: 'devices.porch', match: 'exact', allow: ['publish', 'subscribe'] },
      { uri: 'devices.status', match: 'exact', allow: ['publish'] },
    ],
    user: [{ uri: '', match: 'prefix', allow: ['publish', 'subscribe', 'call'] }],
  },
};

export interface MqttRouterOptions {
  realms?: unknown[];
  /** Extra keys of the mqtt listener (payload, max_packet_size, …). */
  mqtt?: Record<string, unknown>;
  limits?: Record<string, number>;
  logger?: Logger;
}

export interface MqttRouter {
  running: RunningRouter;
  mqttPort: number;
  universalPort: number;
  rawsocketPort: number;
  /** rs:// URL of the RawSocket listener. */
  url: string;
  close(): Promise<void>;
}

/** A router with an mqtt, a universal and a rawsocket listener on 127.0.0.1, from YAML as a user writes it. */
export async function startMqttRouter(options: MqttRouterOptions = {}): Promise<MqttRouter> {
  const yaml = stringify({
    listen: [
      { type: 'mqtt', host: '127.0.0.1', port: 0, ...options.mqtt },
      { type: 'universal', host: '127.0.0.1', port: 0, ui: false },
      { type: 'rawsocket', host: '127.0.0.1', port: 0 },
    ],
    realms: options.realms ?? [{ name: 'home', anonymous: { role: 'anonymous' } }],
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  const { config, problems } = parseRouterConfig(yaml, 'mqtt-test.yaml', {});
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  const running = await startRouter(config, { mqtt: listenMqtt, ...(options.logger !== undefined ? { logger: options.logger } : {}) });
  const portOf = (i: number) => {
    const address = running.listeners[i]!.address;
    return 'port' in address ? address.port : 0;
  };
  return {
    running,
    mqttPort: portOf(0),
    universalPort: portOf(1),
    rawsocketPort: portOf(2),
    url: `rs://127.0.0.1:${portOf(2)}`,
    close: () => running.close(),
  };
}

/** A WAMP session on the router's RawSocket port (our client), closed by `closeAll`. */
export async function wampSession(router: MqttRouter, auth?: { authid: string; ticket: string }): Promise<ManagedSession> {
  const session = await connect({
    url: router.url,
    realm: 'home',
    reconnect: false,
    ...(auth !== undefined ? { auth: { method: 'ticket', ...auth } } : {}),
  });
  cleanups.push(() => session.leave());
  return session;
}

/** Events of one subscription, with a bounded wait. */
export async function collect(session: ManagedSession, topic: string, options: { match?: 'prefix' | 'wildcard'; getRetained?: boolean } = {}) {
  const events: Event[] = [];
  await session.subscribe(topic, (event) => void events.push(event), options);
  return {
    events,
    async next(count = 1, ms = 5000): Promise<Event[]> {
      await until(() => events.length >= count, ms, `${count} event(s) on ${topic}`);
      return events;
    },
  };
}

export { until };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- a raw MQTT client (mqtt-packet over a socket), for what real clients would not send ----

export type Version = 4 | 5;

/** A PUBLISH the server sent, as mqtt-packet parses it. */
export type PublishPacket = { cmd: 'publish'; topic: string; payload: Buffer; qos: number; retain: boolean; dup: boolean; messageId?: number };

/** An MQTT connection at the packet level: send anything, read each packet the server sends. */
export class RawMqtt {
  readonly socket: net.Socket;
  readonly version: Version;
  readonly packets: Packet[] = [];
  readonly closed: Promise<void>;
  #parser;
  readonly #taken = new Set<number>();
  #isClosed = false;

  private constructor(socket: net.Socket, version: Version) {
    this.socket = socket;
    this.version = version;
    this.#parser = mqttPacket.parser({ protocolVersion: version });
    this.#parser.on('packet', (packet: Packet) => this.packets.push(packet));
    this.#parser.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.#parser.parse(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#isClosed = true;
        resolve();
      }),
    );
    cleanups.push(async () => socket.destroy());
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** A TCP connection, nothing sent yet. */
  static open(port: number, version: Version = 4): Promise<RawMqtt> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawMqtt(socket, version)));
      socket.once('error', reject);
    });
  }

  /** Opens, sends CONNECT (clean, keepalive 0 unless given) and waits for CONNACK. */
  static async connect(port: number, version: Version = 4, connect: Record<string, unknown> = {}): Promise<{ client: RawMqtt; connack: Packet }> {
    const client = await RawMqtt.open(port, version);
    client.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clean: true, clientId: '', keepalive: 0, ...connect } as Packet);
    const connack = await client.next('connack');
    return { client, connack };
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet, { protocolVersion: this.version }));
  }

  sendBytes(bytes: Buffer | number[]): void {
    this.socket.write(Buffer.from(bytes));
  }

  /** The first packet not taken yet (of type `cmd` when given; others stay for later), within `ms`. */
  async next(cmd?: Packet['cmd'], ms = 3000): Promise<Packet> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (let i = 0; i < this.packets.length; i++) {
        const packet = this.packets[i]!;
        if (this.#taken.has(i) || (cmd !== undefined && packet.cmd !== cmd)) continue;
        this.#taken.add(i);
        return packet;
      }
      if (Date.now() > deadline) throw new Error(`no ${cmd ?? 'packet'} within ${ms} ms (closed: ${this.#isClosed})`);
      await sleep(5);
    }
  }

  /** Publishes (QoS 0 unless given). */
  publish(topic: string, payload: string | Buffer, options: { qos?: 0 | 1 | 2; retain?: boolean; messageId?: number } = {}): void {
    const qos = options.qos ?? 0;
    this.send({ cmd: 'publish', topic, payload, qos, retain: options.retain ?? false, dup: false, ...(qos > 0 ? { messageId: options.messageId ?? 1 } : {}) });
  }

  async subscribe(filters: Array<{ topic: string; qos: 0 | 1 | 2; nl?: boolean; rh?: number }>, messageId = 1): Promise<number[]> {
    this.send({ cmd: 'subscribe', messageId, subscriptions: filters });
    const suback = await this.next('suback');
    return (suback as { granted: number[] }).granted;
  }

  /** Resolves once the server has closed the connection (within `ms`). */
  async waitClosed(ms = 3000): Promise<void> {
    await withTimeout(this.closed, 'the server closing the connection', ms);
  }
}

// ---- mosquitto-clients ----

const children = new Set<ChildProcessWithoutNullStreams>();

export interface MosquittoRun {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: string[];
  /** Resolves with the exit code (null when killed). */
  exited: Promise<number | null>;
  /** Resolves once `count` lines were printed. */
  waitLines(count: number, ms?: number): Promise<string[]>;
}

/** Starts mosquitto_sub or mosquitto_pub with `args` against 127.0.0.1:`port`; killed by `closeAll`. */
export function mosquitto(program: 'pub' | 'sub', port: number, args: string[]): MosquittoRun {
  const child = spawn(program === 'pub' ? MOSQUITTO_PUB : MOSQUITTO_SUB, ['-h', '127.0.0.1', '-p', String(port), ...args], { stdio: 'pipe' });
  children.add(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const parts = out.split('\n');
    out = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    async waitLines(count, ms = 5000) {
      await until(() => lines.length >= count, ms, `${count} line(s) from mosquitto_${program} ${args.join(' ')} (stderr: ${stderr.join('')})`);
      return lines;
    },
  };
}

/** Runs mosquitto_pub to completion (bounded); resolves with its exit code and stderr. */
export async function mosquittoPub(port: number, args: string[], ms = 5000): Promise<{ code: number | null; stderr: string }> {
  const run = mosquitto('pub', port, args);
  const code = await withTimeout(run.exited, `mosquitto_pub ${args.join(' ')}`, ms);
  return { code, stderr: run.stderr.join('') };
}

/**
 * Waits until `count` subscribers would receive an event on `topic` (a WAMP URI), as the router's
 * meta API reports it: mosquitto_sub prints nothing once it has subscribed. `auth`: for a realm
 * whose anonymous sessions may not call the meta API.
 */
export async function subscribed(router: MqttRouter, topic: string, count = 1, auth?: { authid: string; ticket: string }, ms = 5000): Promise<void> {
  const meta = await wampSession(router, auth);
  const deadline = Date.now() + ms;
  for (;;) {
    const ids = ((await meta.call('wamp.subscription.match', [topic])).args[0] as number[] | null) ?? [];
    let subscribers = 0;
    for (const id of ids) subscribers += ((await meta.call('wamp.subscription.count_subscribers', [id])).args[0] as number | null) ?? 0;
    if (subscribers >= count) break;
    if (Date.now() > deadline) throw new Error(`${count} subscriber(s) to ${topic} not there within ${ms} ms (${subscribers})`);
    await sleep(20);
  }
  await meta.leave();
}

// ---- cleanup ----

const cleanups: Array<() => Promise<unknown> | unknown> = [];

/** Kills every child, closes every client opened through these helpers. */
export async function closeAll(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
}

export function onCleanup(cleanup: () => Promise<unknown> | unknown): void {
  cleanups.push(cleanup);
}
