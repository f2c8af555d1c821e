import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STEP_TIMEOUT_MS, withTimeout } from './timeouts.js';

/** Debian's interpreter: the python3 first on PATH may lack python3-autobahn. */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./py_peer.py', import.meta.url));

/** True when /usr/bin/python3 can import Autobahn|Python and its serializers/crypto. */
export function hasPythonAutobahn(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import autobahn, cbor2, msgpack, nacl'], { stdio: 'ignore', timeout: 15_000 });
  return probe.status === 0;
}

export type SerializerName = 'json' | 'msgpack' | 'cbor';
export type TransportName = 'websocket' | 'rawsocket';

/** Where the router listens; a subset of what startTestRouter() returns. */
export interface RouterAddress {
  host: string;
  port: number;
  rawsocketPort: number;
  wsUrl: string;
}

export type PyAuth =
  | { method: 'ticket'; authid: string; secret: string }
  | { method: 'wampcra'; authid: string; secret: string }
  /** `seed`: 32-byte Ed25519 seed (hex) that signs; `pubkey`: announce this key instead of the seed's. */
  | { method: 'cryptosign'; authid: string; seed: string; pubkey?: string };

export interface PyOpenOptions {
  transport: TransportName;
  serializer: SerializerName;
  realm?: string;
  auth?: PyAuth;
  /** RawSocket only: connect to the universal port instead of the dedicated RawSocket port. */
  universal?: boolean;
}

export interface PyWelcome {
  session: number;
  authid: string;
  authrole: string;
  authmethod: string;
  /** The serializer the transport actually negotiated. */
  serializer: SerializerName;
}

export interface PyCallResult {
  args: unknown[];
  kwargs: Record<string, unknown>;
  progress: { args: unknown[]; kwargs: Record<string, unknown> }[];
}

/** Callee behaviours implemented by py_peer.py. */
export type PyHandler = 'echo' | 'describe' | 'fail' | 'progress' | 'hang';

/** An unsolicited line from the peer: invocation, interrupt, event, leave, ready, timeout. */
export interface PyReport {
  report: string;
  name?: string;
  key?: string;
  tag?: string;
  [field: string]: unknown;
}

/** Matches the `event` reports of subscription `key`; with `marker`, only the one whose args[0] is marker. */
export function pyEvent(key: string, marker?: unknown): (r: PyReport) => boolean {
  return (r) => r.report === 'event' && r.key === key && (marker === undefined || (r.args as unknown[])[0] === marker);
}

/** Matches the callee's report of kind `report` for the invocation whose first argument is `marker`. */
export function pyInvocationReport(report: string, marker: string): (r: PyReport) => boolean {
  return (r) => r.report === report && Array.isArray(r.args) && r.args[0] === marker;
}

/** A command the Python peer answered with an error (WAMP ERROR, ABORT, or a local exception). */
export class PyPeerError extends Error {
  readonly uri: string;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;

  constructor(op: string, error: { uri: string; args?: unknown[]; kwargs?: Record<string, unknown> }) {
    super(`${op} failed: ${error.uri} ${JSON.stringify(error.args ?? [])}`);
    this.name = 'PyPeerError';
    this.uri = error.uri;
    this.args = error.args ?? [];
    this.kwargs = error.kwargs ?? {};
  }
}

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface ReportWaiter {
  match: (report: PyReport) => boolean;
  resolve: (report: PyReport) => void;
}

const live = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', killAllLive);

/**
 * Drives one py_peer.py process holding any number of named Autobahn|Python sessions.
 * Every command is bounded by a timeout; stop() ends the process (SIGKILL if it lingers).
 */
export class PyPeer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #router: RouterAddress;
  readonly #pending = new Map<number, Pending>();
  readonly #reports: PyReport[] = [];
  readonly #waiters = new Set<ReportWaiter>();
  readonly #stderr: string[] = [];
  readonly #exited: Promise<void>;
  #nextId = 1;

  private constructor(router: RouterAddress, maxSeconds: number) {
    this.#router = router;
    this.#child = spawn(PYTHON, [SCRIPT, '--max-seconds', String(maxSeconds)], { stdio: 'pipe' });
    live.add(this.#child);
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => resolve(this.#onExit(`code ${code}, signal ${signal}`)));
      // Spawn failure (e.g. no interpreter): 'error' without 'exit'.
      this.#child.once('error', (error) => resolve(this.#onExit(error.message)));
    });
    this.#child.stdin.on('error', (error) => this.#stderr.push(`stdin error: ${error.message}`));
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#onLine(line));
    createInterface({ input: this.#child.stderr }).on('line', (line) => {
      this.#stderr.push(line);
      if (this.#stderr.length > 40) this.#stderr.shift();
    });
  }

  /** Spawns the peer and waits until it is ready for commands. */
  static async start(router: RouterAddress, options: { maxSeconds?: number } = {}): Promise<PyPeer> {
    const peer = new PyPeer(router, options.maxSeconds ?? 120);
    const died = peer.#exited.then(() => {
      throw new Error(`py_peer.py exited before it was ready${peer.#stderrTail()}`);
    });
    died.catch(() => undefined);
    try {
      await Promise.race([peer.waitFor((r) => r.report === 'ready', 'py_peer.py start', 15_000), died]);
    } catch (error) {
      await peer.stop();
      throw error;
    }
    return peer;
  }

  /** Opens session `name`; rejects with PyPeerError(uri = ABORT reason) when the router refuses it. */
  open(name: string, options: PyOpenOptions): Promise<PyWelcome> {
    const r = this.#router;
    const port = options.transport === 'websocket' || options.universal ? r.port : r.rawsocketPort;
    return this.#command<PyWelcome>({ op: 'open', name, host: r.host, port, url: r.wsUrl, ...options, realm: options.realm ?? 'home' });
  }

  close(name: string): Promise<void> {
    return this.#command<void>({ op: 'close', name });
  }

  register(name: string, procedure: string, handler: PyHandler, extra: { options?: Record<string, unknown>; tag?: string; error?: { uri: string; args?: unknown[]; kwargs?: Record<string, unknown> } } = {}): Promise<{ registration: number }> {
    return this.#command({ op: 'register', name, procedure, handler, ...extra });
  }

  /**
   * Events on this subscription arrive as reports `{report: 'event', name, key, args, kwargs, topic, publisher, retained}`;
   * `options` are Autobahn's SubscribeOptions (`match`, `get_retained`).
   */
  subscribe(name: string, topic: string, key: string, options: Record<string, unknown> = {}): Promise<{ subscription: number }> {
    return this.#command({ op: 'subscribe', name, topic, key, options });
  }

  /** An acknowledged publish. */
  publish(name: string, topic: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<{ publication: number }> {
    return this.#command({ op: 'publish', name, topic, args, kwargs, options });
  }

  /** `options.receive_progress` collects progressive results into `progress`; `timeout` is sent as-is (ms). */
  call(name: string, procedure: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: Record<string, unknown> = {}, timeoutMs = STEP_TIMEOUT_MS): Promise<PyCallResult> {
    return this.#command({ op: 'call', name, procedure, args, kwargs, options }, timeoutMs);
  }

  /** Resolves with the first report (past or future) that matches. */
  waitFor(match: (report: PyReport) => boolean, what: string, ms = STEP_TIMEOUT_MS): Promise<PyReport> {
    const seen = this.#reports.find(match);
    if (seen) return Promise.resolve(seen);
    let waiter: ReportWaiter | undefined;
    const arrived = new Promise<PyReport>((resolve) => {
      waiter = { match, resolve };
      this.#waiters.add(waiter);
    });
    return withTimeout(arrived, `${what}${this.#stderrTail()}`, ms).finally(() => this.#waiters.delete(waiter!));
  }

  /** Reports received so far that match. */
  reports(match: (report: PyReport) => boolean): PyReport[] {
    return this.#reports.filter(match);
  }

  /** Asks the peer to exit, then kills it if it has not within two seconds. */
  async stop(): Promise<void> {
    if (!live.has(this.#child)) return;
    this.#child.stdin.end(JSON.stringify({ op: 'exit' }) + '\n');
    const ended = await withTimeout(this.#exited, 'py_peer.py exit', 2_000).then(() => true, () => false);
    if (!ended) {
      this.#child.kill('SIGKILL');
      await withTimeout(this.#exited, 'py_peer.py kill', 2_000).catch(() => undefined);
    }
  }

  #command<T>(cmd: Record<string, unknown>, ms = STEP_TIMEOUT_MS): Promise<T> {
    const id = this.#nextId++;
    const op = `${String(cmd.op)} ${String(cmd.name ?? '')}`.trim();
    if (!live.has(this.#child)) return Promise.reject(new Error(`py_peer ${op}: the peer process has exited${this.#stderrTail()}`));
    const answered = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { op, resolve, reject });
    });
    this.#child.stdin.write(JSON.stringify({ ...cmd, id }) + '\n');
    return withTimeout(answered, `py_peer ${op}`, ms).finally(() => this.#pending.delete(id)) as Promise<T>;
  }

  #onLine(line: string): void {
    let msg: { id?: number; ok?: boolean; result?: unknown; error?: { uri: string }; report?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      this.#stderr.push(`stdout: ${line}`);
      return;
    }
    if (typeof msg.report === 'string') {
      const report = msg as PyReport;
      this.#reports.push(report);
      for (const waiter of this.#waiters) if (waiter.match(report)) waiter.resolve(report);
      return;
    }
    const pending = msg.id === undefined ? undefined : this.#pending.get(msg.id);
    if (!pending) return;
    if (msg.ok) pending.resolve(msg.result);
    else pending.reject(new PyPeerError(pending.op, msg.error ?? { uri: 'peer.no_error' }));
  }

  #onExit(how: string): void {
    live.delete(this.#child);
    const error = new Error(`py_peer.py exited (${how})${this.#stderrTail()}`);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #stderrTail(): string {
    return this.#stderr.length === 0 ? '' : `\n--- py_peer.py stderr ---\n${this.#stderr.slice(-15).join('\n')}`;
  }
}

function killAllLive(): void {
  for (const child of live) child.kill('SIGKILL');
}

