import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/common/config-problem.js';
import { formatProblem, loadRouterConfig, parseRouterConfig, type RouterConfig } from '../../src/router/config.js';
import { startRouter } from '../../src/router/serve.js';

/**
 * A listener that cannot start stops the router with one line naming its config key, as
 * `switchyard check` names problems: `router.yaml:3: listen[0].tls.cert: cannot read …`.
 */
const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The config as the router gets it when the files were fine at check time (no file checks). */
function configOf(yaml: string): RouterConfig {
  const { config, problems } = parseRouterConfig(yaml, 'router.yaml', {});
  if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
  return config;
}

async function startError(config: RouterConfig): Promise<Error> {
  const error = await startRouter(config).then(
    async (running) => {
      await running.close();
      return undefined;
    },
    (caught: unknown) => caught as Error,
  );
  if (error === undefined) throw new Error('the router started');
  return error;
}

const REALMS = 'realms: [ { name: home, anonymous: { role: guest } } ]\n';

describe('router start-up errors name the config key', () => {
  it('a TLS file that is missing', async () => {
    const error = await startError(
      configOf(`listen:\n  - { type: universal, host: 127.0.0.1, port: 0 }\n  - { type: rawsocket, host: 127.0.0.1, port: 0, tls: { cert: ${dir}/missing.pem, key: ${TLS}key.pem } }\n${REALMS}`),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`router.yaml:3: listen[1].tls.cert: cannot read ${dir}/missing.pem: no such file`);
  });

  it('a certificate and a key that do not belong together', async () => {
    const error = await startError(
      configOf(`listen:\n  - { type: rawsocket, host: 127.0.0.1, port: 0, tls: { cert: ${TLS}cert.pem, key: ${TLS}other-key.pem } }\n${REALMS}`),
    );
    expect(error.message).toBe('router.yaml:2: listen[0].tls: the certificate and the key do not belong together');
  });

  it('a port in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const error = await startError(configOf(`listen:\n  - { type: rawsocket, host: 127.0.0.1,\n      port: ${port} }\n${REALMS}`));
      expect(error.message).toBe(`router.yaml:3: listen[0].port: 127.0.0.1:${port} is already in use (another router or program listens there)`);
    } finally {
      blocker.close();
    }
  });

  it('a Unix socket in a directory that does not exist, and an unknown socket group', async () => {
    const missing = await startError(configOf(`listen:\n  - { type: rawsocket, path: ${dir}/nowhere/r.sock }\n${REALMS}`));
    expect(missing.message).toBe(`router.yaml:2: listen[0].path: cannot create ${dir}/nowhere/r.sock: directory ${dir}/nowhere does not exist`);
    const group = await startError(configOf(`listen:\n  - { type: rawsocket, path: ${dir}/r.sock, group: no-such-group-xyz }\n${REALMS}`));
    expect(group.message).toBe('router.yaml:2: listen[0].group: no group named no-such-group-xyz on this machine');
  });

  it('loadRouterConfig checks the files before anything is bound', () => {
    const file = join(dir, 'router.yaml');
    writeFileSync(file, `listen:\n  - { type: rawsocket, port: 0, tls: { cert: ${TLS}key.pem, key: ${TLS}cert.pem } }\n${REALMS}`);
    expect(() => loadRouterConfig(file, {})).toThrow(
      `${file}:2: listen[0].tls: cert and key are swapped: ${TLS}key.pem holds a private key and ${TLS}cert.pem a certificate`,
    );
  });
});

describe('Unix socket listener mode and group', () => {
  it('sets the socket file mode and gives it the group, so a non-root client can connect', async () => {
    const path = join(dir, 'router.sock');
    const gid = process.getgid!();
    const running = await startRouter(configOf(`listen:\n  - { type: rawsocket, path: ${path}, mode: "0660", group: "${gid}" }\n${REALMS}`));
    try {
      const stat = statSync(path);
      expect(stat.isSocket()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o660);
      expect(stat.gid).toBe(gid);
    } finally {
      await running.close();
    }
  });

  it('looks a group name up in /etc/group', async () => {
    const gid = process.getgid!();
    const name = readFileSync('/etc/group', 'utf8').split('\n').map((line) => line.split(':')).find((f) => f[2] === String(gid))?.[0];
    if (name === undefined) return; // no named group for this gid (containers)
    const path = join(dir, 'named.sock');
    const running = await startRouter(configOf(`listen:\n  - { type: rawsocket, path: ${path}, mode: "0600", group: ${name} }\n${REALMS}`));
    try {
      expect(statSync(path).gid).toBe(gid);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      await running.close();
    }
  });

  it('takes mode and group only on a Unix socket listener, mode as quoted octal', () => {
    const { problems } = parseRouterConfig(
      `listen:\n  - { type: rawsocket, port: 8081, mode: "0660" }\n  - { type: rawsocket, path: /tmp/x.sock, mode: 0660 }\n  - { type: rawsocket, path: /tmp/y.sock, mode: "0960" }\n${REALMS}`,
      'r.yaml',
      {},
    );
    expect(problems.map(formatProblem)).toEqual([
      'r.yaml:2: listen[0].mode: only for a Unix socket listener (type: rawsocket with path)',
      'r.yaml:3: listen[1].mode: expected a string, got a number (quote it)',
      'r.yaml:4: listen[2].mode: expected octal permissions in quotes, such as "0660"',
    ]);
  });
});
