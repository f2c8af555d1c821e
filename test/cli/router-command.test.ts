import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { connect } from '../../src/node.js';
import { fakeIo, type FakeIo } from './fake-io.js';

/** `switchyard router` run through main with a stop signal, as the executable runs it. */
function startCli(argv: string[], cwd = process.cwd()): { io: FakeIo; stop: () => void; exit: Promise<number> } {
  const controller = new AbortController();
  const io = { ...fakeIo({ cwd }), signal: controller.signal };
  return { io, stop: () => controller.abort(), exit: main(['router', ...argv], io) };
}

async function waitForLine(io: FakeIo, pattern: RegExp, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = io.stderrText().split('\n').find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${io.stderrText()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('switchyard router', () => {
  it('--listen HOST:PORT (repeatable) replaces the default listeners; logs "router stopped" on exit', async () => {
    const cli = startCli(['--listen', '127.0.0.1:0', '-l', '127.0.0.1:0']);
    const started = await waitForLine(cli.io, /router started/);
    const ports = [...started.matchAll(/universal 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(2);
    expect(started).not.toContain(':8080');
    const session = await connect({ url: `rs://127.0.0.1:${ports[1]}`, realm: 'home', reconnect: false });
    expect((await session.call('wamp.session.count')).args).toEqual([1]);
    await session.leave();
    cli.stop();
    expect(await cli.exit).toBe(0);
    expect(cli.io.stderrText()).toMatch(/router stopped/);
  });

  it('names a busy --listen port by its flag and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const cli = startCli(['--listen', `127.0.0.1:${port}`]);
      expect(await cli.exit).toBe(1);
      expect(cli.io.stderrText()).toContain(`--listen 127.0.0.1:${port} (port): 127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('rejects a malformed --listen with the message and where the help is', async () => {
    const cli = startCli(['--listen', 'hub:http']);
    expect(await cli.exit).toBe(1);
    expect(cli.io.stderrText()).toBe("switchyard router: --listen: expected HOST:PORT such as 0.0.0.0:8080 (or PORT), got 'hub:http'\nsee 'switchyard router --help'\n");
  });

  it('logs a TLS listener as TLS, and config warnings', async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-router-cli-'));
    writeFileSync(
      join(dir, 'router.yaml'),
      `listen:\n  - { type: rawsocket, host: 127.0.0.1, port: 0, tls: { cert: ${TLS}cert.pem, key: ${TLS}key.pem } }\nrealms:\n  - { name: home, anonymous: { role: guest } }\n  - { name: lab }\n`,
    );
    const cli = startCli(['--config', 'router.yaml'], dir);
    const started = await waitForLine(cli.io, /router started/);
    expect(started).toMatch(/rawsocket\+tls 127\.0\.0\.1:\d+/);
    expect(cli.io.stderrText()).toMatch(/listening .*type=rawsocket\+tls/);
    expect(cli.io.stderrText()).toContain("realms[1]: nobody can join realm 'lab'");
    cli.stop();
    expect(await cli.exit).toBe(0);
  });
});
