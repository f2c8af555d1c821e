import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { MessageType } from '../../../src/protocol/message-type.js';
import type { WampMessage } from '../../../src/protocol/messages.js';
import { ALL_SERIALIZERS, jsonSerializer } from '../../../src/protocol/serializers/index.js';
import type { Transport } from '../../../src/transport/transport.js';
import { browserWebSocketFactory } from '../../../src/transport/websocket/browser-connector.js';
import { listenWebSocket } from '../../../src/transport/websocket/listener.js';
import { Recorder } from '../recorder.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startListener(): Promise<{ url: string; accepted: Transport[] }> {
  const accepted: Transport[] = [];
  const listener = await listenWebSocket({ host: '127.0.0.1', port: 0 }, { onTransport: (t) => accepted.push(t), serializers: ALL_SERIALIZERS });
  cleanups.push(() => listener.close());
  return { url: `ws://127.0.0.1:${(listener.address() as { port: number }).port}/ws`, accepted };
}

describe('browserWebSocketFactory', () => {
  it('opens a WebSocket transport with the global WebSocket, lenient parsing passed on', async () => {
    vi.stubGlobal('WebSocket', WebSocket); // Node 20 has no global WebSocket; `ws` stands in for the browser's
    const { url, accepted } = await startListener();
    const transport = await browserWebSocketFactory({ kind: 'websocket', url }, jsonSerializer, {
      timeoutMs: 2000,
      parse: { lenientIds: true },
    });
    cleanups.push(() => transport.close());
    expect(transport.info).toMatchObject({ kind: 'websocket', serializer: 'json', protocol: 'wamp.2.json' });
    const received = new Recorder(transport);
    await vi.waitFor(() => expect(accepted).toHaveLength(1));
    accepted[0]!.sendEncoded(new TextEncoder().encode('[2, "4711", {}]'));
    expect(await received.message(0)).toEqual([MessageType.WELCOME, 4711, {}] satisfies WampMessage);
  });

  it('refuses a RawSocket URL', async () => {
    vi.stubGlobal('WebSocket', WebSocket);
    await expect(browserWebSocketFactory({ kind: 'rawsocket', url: 'rs://127.0.0.1:8081' }, jsonSerializer)).rejects.toThrow(
      'cannot open rs://127.0.0.1:8081 in a browser: RawSocket needs Node; use a ws:// or wss:// URL',
    );
  });

  it('rejects where there is no global WebSocket', async () => {
    vi.stubGlobal('WebSocket', undefined);
    await expect(browserWebSocketFactory({ kind: 'websocket', url: 'ws://127.0.0.1:9/ws' }, jsonSerializer)).rejects.toThrow(
      /this environment has no global WebSocket/,
    );
  });
});
