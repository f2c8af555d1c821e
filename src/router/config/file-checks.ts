import { createPrivateKey, X509Certificate } from 'node:crypto';
import { accessSync, constants, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import type { PathIssue } from '../../common/yaml-schema.js';
import { groupIdOf } from '../../transport/unix-socket-access.js';
import { readConfigFile } from '../../common/config-problem.js';
import type { ConfigContext } from './context.js';
import { isUnixListener, type ListenerConfig, type RouterConfig, type TlsConfig } from './types.js';

/**
 * What can be checked of a config's listeners on this machine without binding a port, so that
 * `switchyard check` does not say ok to a config the router then refuses: TLS files readable,
 * a certificate and a private key that belong together (and not swapped), a Unix socket whose
 * directory this user can write, a socket group that exists (what an installer creates, the
 * socket directory and group, is only warned about when missing). Runs on the built config (paths
 * resolved); issue paths start at `listen`. Messages name files, never their content.
 */
export interface FileCheckResult {
  problems: PathIssue[];
  warnings: PathIssue[];
}

export function checkListenerFiles(config: RouterConfig, ctx: ConfigContext): FileCheckResult {
  const result: FileCheckResult = { problems: [], warnings: [] };
  config.listen.forEach((listener, index) => {
    const at = ['listen', index];
    if (listener.tls !== undefined) checkTls(listener.tls, [...at, 'tls'], ctx, result);
    if (isUnixListener(listener)) checkUnixSocket(listener, at, ctx, result);
  });
  return result;
}

function checkTls(tls: TlsConfig, at: PropertyKey[], ctx: ConfigContext, result: FileCheckResult): void {
  const read = (key: 'cert' | 'key' | 'ca', file: string): string | undefined => {
    const { text, problem } = readConfigFile(file, ctx.readFile);
    if (problem !== undefined) result.problems.push({ path: [...at, key], message: problem });
    return text;
  };
  const cert = read('cert', tls.cert);
  const key = read('key', tls.key);
  const ca = tls.ca === undefined ? undefined : read('ca', tls.ca);
  if (ca !== undefined && !ca.includes('BEGIN CERTIFICATE')) result.problems.push({ path: [...at, 'ca'], message: `${tls.ca} is not a PEM certificate` });
  if (cert === undefined || key === undefined) return;
  if (!cert.includes('BEGIN CERTIFICATE') && cert.includes('PRIVATE KEY') && key.includes('BEGIN CERTIFICATE')) {
    result.problems.push({ path: at, message: `cert and key are swapped: ${tls.cert} holds a private key and ${tls.key} a certificate` });
    return;
  }
  let x509: X509Certificate | undefined;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    result.problems.push({ path: [...at, 'cert'], message: `${tls.cert} is not a PEM certificate` });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    const encrypted = key.includes('ENCRYPTED') || (error as { code?: unknown }).code === 'ERR_MISSING_PASSPHRASE';
    result.problems.push({ path: [...at, 'key'], message: `${tls.key} is not ${encrypted ? 'an unencrypted' : 'a PEM'} private key` });
  }
  if (x509 === undefined || privateKey === undefined) return;
  if (!x509.checkPrivateKey(privateKey)) {
    result.problems.push({ path: at, message: `the certificate in ${tls.cert} and the key in ${tls.key} do not belong together` });
  }
  const expires = new Date(x509.validTo);
  if (expires.getTime() < Date.now()) {
    result.warnings.push({ path: [...at, 'cert'], message: `the certificate expired on ${expires.toISOString().slice(0, 10)}: clients will refuse it` });
  }
}

function checkUnixSocket(listener: ListenerConfig & { path: string; group?: string }, at: PropertyKey[], ctx: ConfigContext, result: FileCheckResult): void {
  const path = listener.path;
  const dir = dirname(path);
  const stat = statOf(dir);
  if (stat === 'missing') {
    result.warnings.push({
      path: [...at, 'path'],
      message: `directory ${dir} does not exist (yet): the router cannot create the socket unless something creates it first (systemd: RuntimeDirectory=)`,
    });
  } else if (stat !== 'dir') {
    result.problems.push({ path: [...at, 'path'], message: `${dir} is not a directory` });
  } else if (!writable(dir)) {
    result.problems.push({ path: [...at, 'path'], message: `cannot create the socket: ${dir} is not writable by this user (${userName()})` });
  }
  const existing = statOf(path);
  if (existing !== 'missing' && existing !== 'socket') result.problems.push({ path: [...at, 'path'], message: `${path} exists and is not a socket` });
  if (listener.group === undefined) return;
  const gid = groupIdOf(listener.group, () => ctx.readFile('/etc/group'));
  if (gid === undefined) {
    // A warning, like a missing socket directory: the installer may create it (scripts/install.sh: switchyard).
    result.warnings.push({ path: [...at, 'group'], message: `no group named ${listener.group} on this machine (yet): the router cannot start until there is` });
  } else if (process.getuid?.() !== 0 && process.getgroups?.().includes(gid) === false) {
    result.warnings.push({ path: [...at, 'group'], message: `this user (${userName()}) is not in group ${listener.group}: the router must run as a member to give it the socket` });
  }
}

function statOf(path: string): 'missing' | 'dir' | 'socket' | 'other' {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() ? 'dir' : stat.isSocket() ? 'socket' : 'other';
  } catch {
    return 'missing';
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
