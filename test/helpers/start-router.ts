import { stringify } from 'yaml';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';

export interface TestRouterOptions {
  /** The `realms:` section of a router config (PRODUCT.md format, snake_case keys). */
  realms?: unknown[];
  /** The `limits:` section. */
  limits?: Record<string, number>;
  /** Also listen for RawSocket on this Unix socket. */
  rawsocketPath?: string;
}

export interface TestRouter {
  host: '127.0.0.1';
  /** Universal listener: HTTP + WebSocket at /ws + RawSocket. */
  port: number;
  /** A RawSocket-only listener. */
  rawsocketPort: number;
  wsUrl: string;
  running: RunningRouter;
  close(): Promise<void>;
}

const OPEN_REALM = [{ name: 'home', anonymous: { role: 'anonymous' } }];

/**
 * A real router on 127.0.0.1 with OS-assigned ports, configured through the same YAML path a
 * user's config takes (so tests exercise the config loader too).
 */
export async function startTestRouter(options: TestRouterOptions = {}): Promise<TestRouter> {
  const yaml = stringify({
    listen: [
      { type: 'universal', host: '127.0.0.1', port: 0 },
      { type: 'rawsocket', host: '127.0.0.1', port: 0 },
      ...(options.rawsocketPath !== undefined ? [{ type: 'rawsocket', path: options.rawsocketPath }] : []),
    ],
    realms: options.realms ?? OPEN_REALM,
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
  });
  const { config, problems } = parseRouterConfig(yaml, 'test-router.yaml', process.env);
  if (config === undefined || problems.length > 0) {
    throw new Error(`bad test router config:\n${problems.map(formatProblem).join('\n')}`);
  }
  const running = await startRouter(config);
  const portOf = (type: string) => {
    const bound = running.listeners.find((l) => l.config.type === type && !('path' in l.address));
    if (bound === undefined || 'path' in bound.address) throw new Error(`no ${type} listener`);
    return bound.address.port;
  };
  const port = portOf('universal');
  return {
    host: '127.0.0.1',
    port,
    rawsocketPort: portOf('rawsocket'),
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    running,
    close: () => running.close(),
  };
}
