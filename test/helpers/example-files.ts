import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../src/key-file.js';

/**
 * The files example configs name under /etc/switchyard and /run/switchyard (keys, tickets, a
 * TLS certificate and key, a CA, the socket directory), made in a temporary directory;
 * `rewrite` points a config's paths there (and its socket group to this process's). For tests that check the examples of README.md,
 * docs/ and devices/ as `switchyard check` would on the machine they are meant for.
 */
export interface ExampleFiles {
  /** Stands for /etc/switchyard. */
  etc: string;
  /** Stands for /run/switchyard. */
  run: string;
  rewrite(text: string): string;
  cleanup(): void;
}

const TLS = new URL('../fixtures/tls/', import.meta.url);

export function exampleFiles(): ExampleFiles {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-examples-'));
  const etc = join(root, 'etc');
  const run = join(root, 'run');
  mkdirSync(etc);
  mkdirSync(run);
  const secret = (name: string, text: string) => writeFileSync(join(etc, name), text, { mode: 0o600 });
  for (const name of ['porch.key', 'hub.key', 'device.key']) secret(name, generateKeyPair().privatePem);
  for (const name of ['porch.ticket', 'alice.ticket', 'bob.secret']) secret(name, 'not-a-real-secret\n');
  copyFileSync(new URL('cert.pem', TLS), join(etc, 'tls.crt'));
  copyFileSync(new URL('key.pem', TLS), join(etc, 'tls.key'));
  for (const name of ['ca.pem', 'hub-ca.pem', 'backup-hub-ca.pem']) copyFileSync(new URL('cert.pem', TLS), join(etc, name));
  return {
    etc,
    run,
    rewrite: (text) =>
      text
        .replaceAll('/etc/switchyard/', `${etc}/`)
        .replaceAll('/run/switchyard/', `${run}/`)
        // The examples' socket group, which this machine need not have: this process's own.
        .replaceAll('group: switchyard', `group: "${process.getgid?.() ?? 0}"`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
