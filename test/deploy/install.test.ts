import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entry, hasCommand, IS_ROOT, listTree, makeRoot, makeSource, runScript, type Entry } from './staging.js';

/** install.sh / uninstall.sh / pack.sh on a staging root (--root), never on this machine. */
describe('scripts/install.sh and uninstall.sh --root', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const track = (dir: string) => (dirs.push(dir), dir);

  function install(src: string, root: string, ...extra: string[]) {
    return runScript(join(src, 'scripts', 'install.sh'), ['--root', root, '--no-deps', '--node', process.execPath, ...extra]);
  }

  const idOf = (root: string, file: 'passwd' | 'group', name: string) =>
    Number(readFileSync(join(root, 'etc', file), 'utf8').split('\n').find((line) => line.startsWith(`${name}:`))!.split(':')[2]);

  it('installs the same tree twice (owners, modes, no duplicated lines), keeping an existing config', () => {
    const src = track(makeSource());
    const root = track(makeRoot());
    mkdirSync(join(root, 'etc', 'switchyard'), { recursive: true });
    writeFileSync(join(root, 'etc', 'switchyard', 'device.yaml'), 'device: mine\n', { mode: 0o644 });
    writeFileSync(join(root, 'etc', 'switchyard', 'porch.key'), 'not really a key\n', { mode: 0o644 });

    const first = install(src, root);
    expect(first.status, first.stderr).toBe(0);
    const tree = listTree(root);
    const second = install(src, root);
    expect(second.status, second.stderr).toBe(0);
    expect(listTree(root)).toEqual(tree);
    expect(second.stdout).not.toMatch(/^\+ /m);
    expect(second.stdout).toContain('nothing changed');

    const at = (path: string): Entry => {
      const found = entry(tree, path);
      if (found === undefined) throw new Error(`${path} not installed`);
      return found;
    };
    const modes: Record<string, string> = {
      'opt/switchyard': '0755',
      'opt/switchyard/dist/cli/main.js': '0755',
      'opt/switchyard/dist/index.js': '0644',
      'opt/switchyard/package.json': '0644',
      'opt/switchyard/package-lock.json': '0644',
      'opt/switchyard/devices/demo.yaml': '0644',
      'opt/switchyard/scripts/uninstall.sh': '0755',
      'etc/switchyard': '0755',
      'etc/switchyard/device.yaml': '0640',
      'etc/switchyard/router.yaml': '0640',
      'etc/switchyard/porch.key': '0600',
      'etc/systemd/system/switchyard-device.service': '0644',
      'etc/systemd/system/switchyard-router.service': '0644',
      'etc/udev/rules.d/60-switchyard-gpio.rules': '0644',
    };
    expect(Object.fromEntries(Object.keys(modes).map((path) => [path, at(path).mode]))).toEqual(modes);
    expect(readFileSync(join(root, 'etc/switchyard/device.yaml'), 'utf8')).toBe('device: mine\n');
    expect(readFileSync(join(root, 'etc/switchyard/router.yaml'), 'utf8')).toBe(readFileSync(join(src, 'systemd/router.yaml'), 'utf8'));
    expect(at('usr/local/bin/switchyard')).toMatchObject({ type: 'link', content: '/opt/switchyard/dist/cli/main.js' });
    const wants = 'etc/systemd/system/multi-user.target.wants';
    expect(at(`${wants}/switchyard-device.service`)).toMatchObject({ type: 'link', content: '/etc/systemd/system/switchyard-device.service' });
    expect(entry(tree, `${wants}/switchyard-router.service`)).toBeUndefined();
    const unit = readFileSync(join(root, 'etc/systemd/system/switchyard-device.service'), 'utf8');
    expect(unit).toContain(`\nExecStart=${process.execPath} /opt/switchyard/dist/cli/main.js device /etc/switchyard/device.yaml\n`);
    expect(unit.replace(process.execPath, '/usr/bin/node')).toBe(readFileSync(join(src, 'systemd/switchyard-device.service'), 'utf8'));
    if (hasCommand('systemctl')) {
      const enabled = execFileSync('systemctl', [`--root=${root}`, 'is-enabled', 'switchyard-device.service'], { encoding: 'utf8' });
      expect(enabled.trim()).toBe('enabled');
    }

    if (IS_ROOT) {
      // The staging image's own ids, written by useradd/groupadd --root.
      const user = idOf(root, 'passwd', 'switchyard');
      const group = idOf(root, 'group', 'switchyard');
      expect(at('etc/switchyard/device.yaml')).toMatchObject({ uid: 0, gid: group });
      expect(at('etc/switchyard/router.yaml')).toMatchObject({ uid: 0, gid: group });
      expect(at('etc/switchyard/porch.key')).toMatchObject({ uid: user, gid: group });
      const rootOwned = tree.filter((e) => !e.path.startsWith('etc/switchyard/'));
      expect(rootOwned.filter((e) => e.uid !== 0 || e.gid !== 0).map((e) => e.path)).toEqual([]);
      for (const file of ['passwd', 'group', 'shadow', 'gshadow']) {
        const lines = readFileSync(join(root, 'etc', file), 'utf8').split('\n').filter((line) => line !== '');
        const names = lines.map((line) => line.split(':')[0]);
        expect(new Set(names).size, `${file}: ${names.join(' ')}`).toBe(names.length);
      }
      expect(readFileSync(join(root, 'etc/group'), 'utf8')).toMatch(/^gpio:x:\d+:$/m);
      for (const name of ['gpio', 'i2c', 'spi', 'switchyard']) expect(idOf(root, 'group', name)).toBeGreaterThan(0);
      expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^switchyard:x:\d+:\d+:[^:]*:\/var\/lib\/switchyard:\/usr\/sbin\/nologin$/m);
    } else {
      // A normal user cannot chown: everything stays theirs, and the script says so.
      expect(new Set(tree.map((e) => e.uid))).toEqual(new Set([process.getuid!()]));
      expect(first.stdout).toContain("skip: user 'switchyard'");
    }
  });

  it('uninstall removes what install added, keeps config and state; --purge removes those too', () => {
    const src = track(makeSource());
    const root = track(makeRoot());
    const before = listTree(root);
    expect(install(src, root, '--enable', 'both').status).toBe(0);
    mkdirSync(join(root, 'var/lib/switchyard'), { recursive: true });
    writeFileSync(join(root, 'var/lib/switchyard/porch.readings'), 'buffered\n');
    const installed = listTree(root);

    const uninstall = runScript(join(root, 'opt/switchyard/scripts/uninstall.sh'), ['--root', root]);
    expect(uninstall.status, uninstall.stderr).toBe(0);
    const after = listTree(root);
    const kept = (e: Entry) => e.path.startsWith('etc/switchyard') || e.path.startsWith('var/lib/switchyard');
    // Gone: everything install added but the config, the state and the accounts.
    const accounts = (e: Entry) => /^etc\/(passwd|group|shadow|gshadow)-?$|^etc\/\.pwd\.lock$/.test(e.path);
    const added = installed.filter((e) => e.type !== 'dir' && !before.some((b) => b.path === e.path));
    expect(added.filter((e) => !kept(e) && !accounts(e) && entry(after, e.path) !== undefined).map((e) => e.path)).toEqual([]);
    expect(after.filter(kept)).toEqual(installed.filter(kept));
    expect(uninstall.stdout).toContain('kept: /etc/switchyard');
    // Only empty directories are left behind, besides the kept ones.
    for (const dir of after.filter((e) => e.type === 'dir' && !kept(e))) {
      expect(after.some((e) => e.type !== 'dir' && !kept(e) && !accounts(e) && e.path.startsWith(`${dir.path}/`)), dir.path).toBe(false);
    }
    expect(runScript(join(src, 'scripts/uninstall.sh'), ['--root', root]).stdout).toContain('nothing changed');

    const purge = runScript(join(src, 'scripts/uninstall.sh'), ['--root', root, '--purge']);
    expect(purge.status, purge.stderr).toBe(0);
    const purged = listTree(root);
    expect(purged.filter(kept)).toEqual([]);
    if (IS_ROOT) {
      expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).not.toContain('switchyard');
      expect(readFileSync(join(root, 'etc/group'), 'utf8')).not.toMatch(/^switchyard:/m);
    }
  });

  it('--dry-run prints what it would do and changes nothing', () => {
    const src = track(makeSource());
    const root = track(makeRoot());
    const before = listTree(root);
    const dry = install(src, root, '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^\+ install -m 0644 .*\/etc\/systemd\/system\/switchyard-device\.service$/m);
    expect(dry.stdout).toMatch(/^\+ ln -s \/etc\/systemd\/system\/switchyard-device\.service /m);
    expect(listTree(root)).toEqual(before);
    expect(install(src, root).status).toBe(0);
    const installed = listTree(root);
    const dryUninstall = runScript(join(src, 'scripts/uninstall.sh'), ['--root', root, '--purge', '--dry-run']);
    expect(dryUninstall.stdout).toMatch(/^\+ rm -rf .*\/opt\/switchyard$/m);
    expect(listTree(root)).toEqual(installed);
  });

  it('leaves udev alone when the image has a gpiochip rule, and refuses a missing build or an old node', () => {
    const src = track(makeSource());
    const root = track(makeRoot());
    mkdirSync(join(root, 'usr/lib/udev/rules.d'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/udev/rules.d/99-com.rules'), 'SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"\n');
    expect(install(src, root).status).toBe(0);
    expect(entry(listTree(root), 'etc/udev/rules.d/60-switchyard-gpio.rules')).toBeUndefined();

    const old = join(src, 'node18');
    writeFileSync(old, '#!/bin/sh\n[ "$1" = --version ] && echo v18.19.0; exit 1\n', { mode: 0o755 });
    const refused = runScript(join(src, 'scripts/install.sh'), ['--root', root, '--no-deps', '--node', old]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Node.js v18.19.0: switchyard needs 20 or newer');
    rmSync(join(src, 'dist'), { recursive: true });
    const unbuilt = install(src, root);
    expect(unbuilt.status).toBe(1);
    expect(unbuilt.stderr).toContain('npm run build');
  });

  it('pack.sh makes a tarball that installs the same way', () => {
    const src = track(makeSource());
    const out = track(makeRoot(false));
    const pack = runScript(join(src, 'scripts/pack.sh'), ['--no-build', '--out', out]);
    expect(pack.status, pack.stderr).toBe(0);
    const version = (JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')) as { version: string }).version;
    const tarball = join(out, `switchyard-${version}.tar.gz`);
    expect(pack.stdout.trim()).toBe(tarball);
    const names = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const name of ['dist/cli/main.js', 'package-lock.json', 'systemd/switchyard-device.service', 'scripts/install.sh', 'devices/demo.yaml']) {
      expect(names).toContain(`switchyard-${version}/${name}`);
    }
    expect(names.some((name) => name.includes('node_modules'))).toBe(false);
    execFileSync('tar', ['xzf', tarball, '-C', out]);
    const root = track(makeRoot());
    expect(install(join(out, `switchyard-${version}`), root).status).toBe(0);
    expect(entry(listTree(root), 'opt/switchyard/dist/cli/main.js')?.mode).toBe('0755');
  });
});
