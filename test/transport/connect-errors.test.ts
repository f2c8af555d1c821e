import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cborSerializer } from '../../src/protocol/serializers/index.js';
import { ConnectError, explainConnectError } from '../../src/transport/connect-errors.js';
import type { Listener } from '../../src/transport/listener.js';
import { nodeConnector, type NodeConnectTarget } from '../../src/transport/node-connector.js';
import { listenRawSocket } from '../../src/transport/rawsocket/listener.js';
import { listenWebSocket } from '../../src/transport/websocket/listener.js';

/** The Node transport factory explains TLS and URL mismatches in one line (ConnectError). */
const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const cert = { cert: readFileSync(`${TLS}cert.pem`), key: readFileSync(`${TLS}key.pem`) };
const listeners: Listener[] = [];
const port = { rss: 0, rs: 0, wss: 0, ws: 0 };

beforeAll(async () => {
  const onTransport = () => {};
  const rss = await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport, tls: cert });
  const rs = await listenRawSocket({ host: '127.0.0.1', port: 0 }, { onTransport });
  const wss = await listenWebSocket({ host: '127.0.0.1', port: 0 }, { onTransport, tls: cert });
  const ws = await listenWebSocket({ host: '127.0.0.1', port: 0 }, { onTransport });
  listeners.push(rss, rs, wss, ws);
  [port.rss, port.rs, port.wss, port.ws] = listeners.map((l) => ('port' in l.address() ? (l.address() as { port: number }).port : 0)) as [number, number, number, number];
});
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});

function rawsocket(p: number, tls: boolean): NodeConnectTarget {
  return { kind: 'rawsocket', tls, host: '127.0.0.1', port: p, url: `${tls ? 'rss' : 'rs'}://127.0.0.1:${p}` };
}
function websocket(p: number, tls: boolean, path: string): NodeConnectTarget {
  return { kind: 'websocket', tls, host: '127.0.0.1', port: p, path, url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${p}${path}` };
}

async function failure(target: NodeConnectTarget, timeoutMs = 5000): Promise<ConnectError> {
  const error = await nodeConnector(target, cborSerializer, { timeoutMs }).then(
    (transport) => {
      transport.close('test');
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe('ConnectError from the Node transport factory', () => {
  it('self-signed certificates, over RawSocket and WebSocket', async () => {
    for (const target of [rawsocket(port.rss, true), websocket(port.wss, true, '/ws')]) {
      const error = await failure(target);
      expect(error.code).toBe('CERT_SELF_SIGNED');
      expect(error.message).toBe('certificate is self-signed: trust it with the tls.ca option (the CA or the certificate itself, PEM)');
    }
  });

  it('TLS to a plain port', async () => {
    expect((await failure(rawsocket(port.rs, true))).message).toBe(`the server at 127.0.0.1:${port.rs} does not speak TLS: use rs:// for it`);
    expect((await failure(websocket(port.ws, true, '/ws'))).code).toBe('NOT_TLS');
  });

  it('plain RawSocket to a TLS port: found by a probe well before the timeout', async () => {
    const started = Date.now();
    const error = await failure(rawsocket(port.rss, false), 10_000);
    expect(error.code).toBe('SPEAKS_TLS');
    expect(error.message).toBe(`the server at 127.0.0.1:${port.rss} speaks TLS: use rss://127.0.0.1:${port.rss}`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a WebSocket URL without a path', async () => {
    const error = await failure(websocket(port.ws, false, '/'));
    expect(error.code).toBe('NO_WAMP_PATH');
    expect(error.hint).toBe(`routers serve WebSocket at a path: try ws://127.0.0.1:${port.ws}/ws`);
  });

  it('explains expired certificates and host name mismatches; leaves other errors alone', () => {
    const target = { kind: 'rawsocket' as const, tls: true, host: 'hub.lan', port: 8443 };
    const expired = explainConnectError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), target) as ConnectError;
    expect(expired.message).toBe('certificate has expired (check the clocks of both machines)');
    const altname = Object.assign(new Error('Hostname/IP does not match'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: "Host: hub.lan. is not in the cert's altnames: DNS:localhost" });
    expect((explainConnectError(altname, target) as ConnectError).problem).toBe("certificate is not for hub.lan (Host: hub.lan. is not in the cert's altnames: DNS:localhost)");
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(explainConnectError(refused, { ...target, tls: false })).toBe(refused);
  });
});
