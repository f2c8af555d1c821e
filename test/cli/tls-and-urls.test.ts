import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { formatProblem, parseRouterConfig } from '../../src/router/config.js';
import { startRouter, type RunningRouter } from '../../src/router/serve.js';
import { fakeIo } from './fake-io.js';

/**
 * What a user sees when the URL, the scheme or the certificate is wrong: one readable line
 * naming the problem and what to pass, against a real router with a self-signed certificate.
 */
const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const CA = `${TLS}cert.pem`;

let running: RunningRouter;
const port = { rss: 0, wss: 0, rs: 0, universal: 0 };

beforeAll(async () => {
  const tls = { cert: `${TLS}cert.pem`, key: `${TLS}key.pem` };
  const yaml = stringify({
    listen: [
      { type: 'rawsocket', host: '127.0.0.1', port: 0, tls },
      { type: 'websocket', host: '127.0.0.1', port: 0, tls },
      { type: 'rawsocket', host: '127.0.0.1', port: 0 },
      { type: 'universal', host: '127.0.0.1', port: 0, ui: false },
    ],
    realms: [{ name: 'home', anonymous: { role: 'anonymous' } }],
  });
  const { config, problems } = parseRouterConfig(yaml, 'tls-router.yaml', {});
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  running = await startRouter(config);
  const ports = running.listeners.map((l) => ('port' in l.address ? l.address.port : 0));
  [port.rss, port.wss, port.rs, port.universal] = ports as [number, number, number, number];
});

afterAll(async () => {
  await running?.close();
});

async function callCount(...flags: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  const io = fakeIo();
  const started = Date.now();
  const code = await main(['call', 'wamp.session.count', ...flags], io);
  return { code, out: io.stdoutText(), err: io.stderrText(), ms: Date.now() - started };
}

describe('TLS from the command line', () => {
  it('says a self-signed certificate needs --ca, and joins with it (rss:// and wss://)', async () => {
    const rss = `rss://127.0.0.1:${port.rss}`;
    expect(await callCount('--url', rss)).toMatchObject({
      code: 2,
      err: `switchyard call: cannot connect to ${rss}: certificate is self-signed: pass --ca FILE (the certificate, PEM) to trust it\n`,
    });
    expect(await callCount('--url', rss, '--ca', CA)).toMatchObject({ code: 0, out: '1\n', err: '' });
    expect(await callCount('--url', `wss://127.0.0.1:${port.wss}/ws`, '--ca', CA)).toMatchObject({ code: 0, out: '1\n' });
  });

  it('accepts any certificate with --insecure, with a loud warning', async () => {
    const { code, err } = await callCount('--url', `wss://127.0.0.1:${port.wss}/ws`, '--insecure');
    expect(code).toBe(0);
    expect(err).toMatch(/^switchyard call: WARNING: --insecure: the router's certificate is not checked/);
  });

  it('says when the server does not speak TLS', async () => {
    const { code, err } = await callCount('--url', `rss://127.0.0.1:${port.rs}`, '--ca', CA);
    expect(code).toBe(2);
    expect(err).toBe(`switchyard call: cannot connect to rss://127.0.0.1:${port.rs}: the server at 127.0.0.1:${port.rs} does not speak TLS: use rs:// for it\n`);
  });

  it('fails fast with a hint for rs:// to a TLS port, instead of waiting out the handshake timeout', async () => {
    const { code, err, ms } = await callCount('--url', `rs://127.0.0.1:${port.rss}`);
    expect(code).toBe(2);
    expect(err).toBe(`switchyard call: cannot connect to rs://127.0.0.1:${port.rss}: the server at 127.0.0.1:${port.rss} speaks TLS: use rss://127.0.0.1:${port.rss}\n`);
    expect(ms).toBeLessThan(3000);
  });

  it('reports an unreadable --ca file as a usage-level error (exit 1)', async () => {
    const { code, err } = await callCount('--url', `rss://127.0.0.1:${port.rss}`, '--ca', '/nonexistent/ca.pem');
    expect(code).toBe(1);
    expect(err).toBe('switchyard call: --ca /nonexistent/ca.pem: cannot read: no such file\n');
  });
});

describe('URLs from the command line', () => {
  it('suggests /ws for a WebSocket URL without a path', async () => {
    const url = `ws://127.0.0.1:${port.universal}`;
    const { code, err } = await callCount('--url', url);
    expect(code).toBe(2);
    expect(err).toBe(
      `switchyard call: cannot connect to ${url}: no WAMP endpoint at ws://127.0.0.1:${port.universal}/ (HTTP 404): routers serve WebSocket at a path: try ws://127.0.0.1:${port.universal}/ws\n`,
    );
    expect(await callCount('--url', `${url}/ws`)).toMatchObject({ code: 0, out: '1\n' });
  });

  it('names the real problem of a malformed URL, then where the help is', async () => {
    expect(await callCount('--url', 'rs://127.0.0.1:99999')).toMatchObject({
      code: 1,
      err: "switchyard call: --url rs://127.0.0.1:99999: port 99999 is out of range 1-65535\nsee 'switchyard call --help'\n",
    });
  });
});
