import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keygen } from '../../src/cli/commands/keygen.js';
import { readPrivateKeyFile } from '../../src/key-file.js';
import { main } from '../../src/cli/main.js';
import { fakeIo } from './fake-io.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-keygen-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function publicHexOf(pem: string): string {
  return Buffer.from(createPublicKey(createPrivateKey(pem)).export({ format: 'jwk' }).x!, 'base64url').toString('hex');
}

describe('keygen', () => {
  it('writes a 0600 PKCS#8 key file and prints the matching public key', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run(['--out', 'porch.key'], io)).toBe(0);
    const file = join(dir, 'porch.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const pem = readFileSync(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const pubkey = io.stdoutText().trim();
    expect(io.stdoutText()).toMatch(/^[0-9a-f]{64}\n$/);
    expect(publicHexOf(pem)).toBe(pubkey);
    expect(readPrivateKeyFile(file).publicKeyHex).toBe(pubkey);
    expect(io.stderrText()).toContain(`{ authid: porch, method: cryptosign, pubkey: ${pubkey}, role: device }`);
    const body = pem.split('\n')[1]!;
    expect(io.stdoutText() + io.stderrText()).not.toContain(body);
  });

  it('writes ./switchyard.key by default and takes the hint authid and role from flags', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run(['--authid', 'kitchen', '--role', 'user'], io)).toBe(0);
    expect(statSync(join(dir, 'switchyard.key')).mode & 0o777).toBe(0o600);
    expect(io.stderrText()).toContain(`{ authid: kitchen, method: cryptosign, pubkey: ${io.stdoutText().trim()}, role: user }`);
  });

  it('refuses to overwrite an existing file and exits 1', async () => {
    const file = join(dir, 'switchyard.key');
    writeFileSync(file, 'OLD');
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run([], io)).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('OLD');
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).toBe(`switchyard keygen: ${file}: already exists (use --force to overwrite it)\n`);
  });

  it('replaces an existing file with --force, as a new 0600 file', async () => {
    const file = join(dir, 'k.pem');
    writeFileSync(file, 'OLD');
    chmodSync(file, 0o644);
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run(['-o', 'k.pem', '--force'], io)).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(publicHexOf(readFileSync(file, 'utf8'))).toBe(io.stdoutText().trim());
  });

  it('exits 2 with one line when the file cannot be written', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run(['--out', 'no/such/dir.key'], io)).toBe(2);
    expect(io.stderrText()).toBe(`switchyard keygen: ${join(dir, 'no/such/dir.key')}: cannot write: no such file or directory\n`);
  });

  it('prints its usage on --help', async () => {
    const io = fakeIo({ cwd: dir });
    expect(await keygen.run(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toBe(keygen.usage);
    expect(existsSync(join(dir, 'switchyard.key'))).toBe(false);
  });

  it('exits 1 with the message and where the help is for a bad flag or an extra argument', async () => {
    for (const argv of [['--bits', '4096'], ['extra']]) {
      const io = fakeIo({ cwd: dir });
      expect(await main(['keygen', ...argv], io)).toBe(1);
      expect(io.stderrText()).toMatch(/^switchyard keygen: (Unknown option '--bits'|unexpected argument 'extra')\nsee 'switchyard keygen --help'\n$/);
    }
    expect(existsSync(join(dir, 'switchyard.key'))).toBe(false);
  });
});
