import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { check } from '../../src/cli/commands/check.js';
import { fakeIo } from './fake-io.js';

/**
 * `switchyard check` looks at what the router would refuse on this machine without binding a
 * port: TLS files, the Unix socket directory and group, and warns about a realm nobody can join.
 */
const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const REALMS = 'realms: [ { name: home, anonymous: { role: guest } } ]\n';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-check-machine-'));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

async function checkText(text: string, name = 'router.yaml'): Promise<{ code: number; out: string; err: string }> {
  writeFileSync(join(dir, name), text);
  const io = fakeIo({ cwd: dir });
  const code = await check.run([name], io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

const tlsListener = (cert: string, key: string) => `listen:\n  - { type: rawsocket, port: 8443, tls: { cert: ${cert}, key: ${key} } }\n${REALMS}`;

describe('check on this machine', () => {
  it('passes matching TLS files', async () => {
    expect(await checkText(tlsListener(`${TLS}cert.pem`, `${TLS}key.pem`))).toEqual({ code: 0, out: 'router.yaml: ok\n', err: '' });
  });

  it('finds TLS files that are missing, swapped, not PEM, or do not belong together', async () => {
    writeFileSync(join(dir, 'junk.pem'), 'hello\n');
    expect((await checkText(tlsListener('tls/missing.crt', `${TLS}key.pem`))).err).toBe(
      `router.yaml:2: listen[0].tls.cert: cannot read ${dir}/tls/missing.crt: no such file\n`,
    );
    expect((await checkText(tlsListener(`${TLS}key.pem`, `${TLS}cert.pem`))).err).toBe(
      `router.yaml:2: listen[0].tls: cert and key are swapped: ${TLS}key.pem holds a private key and ${TLS}cert.pem a certificate\n`,
    );
    expect((await checkText(tlsListener('junk.pem', 'junk.pem'))).err).toBe(
      `router.yaml:2: listen[0].tls.cert: ${dir}/junk.pem is not a PEM certificate\nrouter.yaml:2: listen[0].tls.key: ${dir}/junk.pem is not a PEM private key\n`,
    );
    const mismatch = await checkText(tlsListener(`${TLS}cert.pem`, `${TLS}other-key.pem`));
    expect(mismatch).toEqual({
      code: 1,
      out: '',
      err: `router.yaml:2: listen[0].tls: the certificate in ${TLS}cert.pem and the key in ${TLS}other-key.pem do not belong together\n`,
    });
  });

  it('refuses a universal listener with tls, which the router cannot serve', async () => {
    const { code, err } = await checkText(`listen:\n  - { type: universal, tls: { cert: ${TLS}cert.pem, key: ${TLS}key.pem } }\n${REALMS}`);
    expect(code).toBe(1);
    expect(err).toBe('router.yaml:2: listen[0].tls: TLS is not available on a universal listener; use type: websocket or rawsocket\n');
  });

  it('warns about a socket directory that does not exist yet, and refuses one that is a file', async () => {
    const missing = await checkText(`listen:\n  - { type: rawsocket, path: run/r.sock }\n${REALMS}`);
    expect(missing.code).toBe(0);
    expect(missing.err).toMatch(new RegExp(`^router.yaml:2: listen\\[0\\].path: warning: directory ${dir}/run does not exist \\(yet\\)`));
    writeFileSync(join(dir, 'plain'), '');
    const file = await checkText(`listen:\n  - { type: rawsocket, path: plain/r.sock }\n${REALMS}`);
    expect(file).toMatchObject({ code: 1, err: `router.yaml:2: listen[0].path: ${dir}/plain is not a directory\n` });
    const taken = await checkText(`listen:\n  - { type: rawsocket, path: plain }\n${REALMS}`);
    expect(taken).toMatchObject({ code: 1, err: `router.yaml:2: listen[0].path: ${dir}/plain exists and is not a socket\n` });
  });

  it.skipIf(process.getuid?.() === 0)('refuses a socket directory this user cannot write', async () => {
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o500);
    const { code, err } = await checkText(`listen:\n  - { type: rawsocket, path: ro/r.sock }\n${REALMS}`);
    expect(code).toBe(1);
    expect(err).toMatch(/listen\[0\]\.path: cannot create the socket: .*\/ro is not writable by this user/);
  });

  it('knows socket groups by name or number, and warns about one this machine does not have (yet)', async () => {
    const unknown = await checkText(`listen:\n  - { type: rawsocket, path: r.sock, mode: "0660", group: no-such-group-xyz }\n${REALMS}`);
    expect(unknown).toMatchObject({
      code: 0,
      err: 'router.yaml:2: listen[0].group: warning: no group named no-such-group-xyz on this machine (yet): the router cannot start until there is\n',
    });
    const own = await checkText(`listen:\n  - { type: rawsocket, path: r.sock, mode: "0660", group: "${process.getgid!()}" }\n${REALMS}`);
    expect(own).toEqual({ code: 0, out: 'router.yaml: ok\n', err: '' });
  });

  it('warns about a realm nobody can join (no anonymous, no users), also in a device local_router', async () => {
    const router = await checkText(`realms:\n  - { name: home, anonymous: { role: guest } }\n  - name: lab\n`);
    expect(router).toEqual({ code: 0, out: 'router.yaml: ok (1 warning)\n', err: "router.yaml:3: realms[1]: warning: nobody can join realm 'lab': it has no anonymous: and no users:\n" });
    const device = await checkText(
      'device: porch\nlocal_router:\n  listen: [ { type: universal, host: 127.0.0.1, port: 8080 } ]\n  realms: [ { name: home } ]\nsensors:\n  - { name: t, driver: simulated, interval: 1s }\n',
      'device.yaml',
    );
    expect(device.err).toBe("device.yaml:4: local_router.realms[0]: warning: nobody can join realm 'home': it has no anonymous: and no users:\n");
    expect(device.out).toBe('device.yaml: ok (1 warning)\n');
  });

  it('checks the TLS files of a device local_router', async () => {
    const { code, err } = await checkText(
      `device: porch\nlocal_router:\n  listen: [ { type: websocket, port: 8443, tls: { cert: nope.crt, key: ${TLS}key.pem } } ]\nsensors:\n  - { name: t, driver: simulated, interval: 1s }\n`,
      'device.yaml',
    );
    expect(code).toBe(1);
    expect(err).toBe(`device.yaml:3: local_router.listen[0].tls.cert: cannot read ${dir}/nope.crt: no such file\n`);
  });
});
