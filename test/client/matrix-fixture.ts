import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Session } from '../../src/client/session.js';
import type { WampApi } from '../../src/client/types.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { serializerByName, type SerializerName } from '../../src/protocol/serializers/index.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import type { Router } from '../../src/router/router.js';
import { startRouter } from '../../src/router/serve.js';
import { linkedPair } from '../../src/transport/local.js';
import { SERIALIZER_NAMES } from '../helpers/raw-peer.js';
import { startTestRouter } from '../helpers/start-router.js';

/**
 * Our client (Session over linkedPair, connect() over every URL scheme) against our router, for
 * `describe.each(CLIENT_MATRIX)` in matrix-*.test.ts. `rawsocket` dials the RawSocket-only port,
 * `universal` dials RawSocket on the universal port, `websocket` its /ws, `unix` a Unix socket
 * listener of a router of its own.
 */
export type ClientTransport = 'local' | 'rawsocket' | 'universal' | 'websocket' | 'unix';
export const CLIENT_TRANSPORTS: readonly ClientTransport[] = ['local', 'rawsocket', 'universal', 'websocket', 'unix'];
export const CLIENT_MATRIX: readonly { transport: ClientTransport; serializer: SerializerName }[] = CLIENT_TRANSPORTS.flatMap(
  (transport) => SERIALIZER_NAMES.map((serializer) => ({ transport, serializer })),
);

/** TransportInfo.kind as the router reports it in wamp.session.get → transport.type. */
export const ROUTER_SIDE_KIND: Record<ClientTransport, string> = {
  local: 'local',
  rawsocket: 'rawsocket',
  universal: 'rawsocket',
  websocket: 'websocket',
  unix: 'rawsocket',
};

/** A router reachable over one transport: its Router (for `local`) or the URL to dial. */
export interface MatrixRouter {
  router: Router;
  /** undefined for `local`. */
  url: string | undefined;
  close(): Promise<void>;
}

const OPEN_REALM = [{ name: 'home', anonymous: { role: 'anonymous' } }];

export async function startMatrixRouter(transport: ClientTransport): Promise<MatrixRouter> {
  if (transport === 'unix') return startUnixRouter();
  const test = await startTestRouter();
  const urls: Record<Exclude<ClientTransport, 'unix'>, string | undefined> = {
    local: undefined,
    rawsocket: `rs://127.0.0.1:${test.rawsocketPort}`,
    universal: `rs://127.0.0.1:${test.port}`,
    websocket: test.wsUrl,
  };
  return { router: test.running.router, url: urls[transport], close: () => test.close() };
}

/** A router whose only listener is RawSocket on a Unix socket in a fresh temp directory. */
async function startUnixRouter(): Promise<MatrixRouter> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-matrix-'));
  const path = join(dir, 'router.sock');
  const yaml = stringify({ listen: [{ type: 'rawsocket', path }], realms: OPEN_REALM });
  const { config, problems } = parseRouterConfig(yaml, join(dir, 'router.yaml'), {});
  if (config === undefined || problems.length > 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`bad unix router config:\n${problems.map(formatProblem).join('\n')}`);
  }
  const running = await startRouter(config);
  return {
    router: running.router,
    url: `unix://${path}`,
    async close() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One of our clients: a plain Session (local) or the ManagedSession of connect(). */
export interface MatrixClient {
  readonly api: WampApi;
  /** The WAMP session id the router assigned. */
  readonly id: number;
  /** Resolves when the client's session has ended. */
  readonly closed: Promise<unknown>;
}

/** Opens clients of one transport × serializer and closes all of them in `closeAll()`. */
export class ClientPool {
  readonly #target: MatrixRouter;
  readonly #serializer: SerializerName;
  readonly #clients: MatrixClient[] = [];

  constructor(target: MatrixRouter, serializer: SerializerName) {
    this.#target = target;
    this.#serializer = serializer;
  }

  async client(): Promise<MatrixClient> {
    const { url, router } = this.#target;
    const client = url === undefined ? await joinLocal(router, this.#serializer) : await joinUrl(url, this.#serializer);
    this.#clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((c) => c.api.leave()));
  }
}

async function joinLocal(router: Router, serializerName: SerializerName): Promise<MatrixClient> {
  const serializer = serializerByName(serializerName);
  if (serializer === undefined) throw new Error(`no serializer ${serializerName}`);
  const [client, server] = linkedPair(serializer);
  router.attach(server);
  const session = await Session.join(client, { realm: 'home', joinTimeout: 2_000 });
  return { api: session, id: session.id, closed: session.closed };
}

async function joinUrl(url: string, serializer: SerializerName): Promise<MatrixClient> {
  const managed: ManagedSession = await connect({ url, realm: 'home', serializer, reconnect: false, connectTimeoutMs: 2_000 });
  const id = managed.session?.id;
  if (id === undefined) throw new Error('connect() resolved without a session');
  return { api: managed, id, closed: managed.closed };
}
