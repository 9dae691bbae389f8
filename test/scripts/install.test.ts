import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { execa } from 'execa';

const REPO = new URL('../../', import.meta.url).pathname;
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-root-'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nsystemd-journal:x:999:\n');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function script(name: 'install' | 'uninstall', args: readonly string[]): Promise<{ exitCode: number; stderr: string }> {
  const result = await execa(join(REPO, 'scripts', name), [...args], { reject: false, timeout: 120_000, cwd: tmpdir() });
  return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
}

// Each install copies ~65 MB (the build and the production node_modules): slow on a loaded machine.
describe('scripts/install and scripts/uninstall into a throwaway root', { timeout: 180_000 }, () => {
  test('install puts wrappers, the build, the unit, the config and the group under --root only', async () => {
    const installed = await script('install', ['--root', root, '--prefix', '/opt/berth']);
    expect(installed.exitCode, installed.stderr).toBe(0);
    const wrapper = readFileSync(join(root, 'opt/berth/bin/berthd'), 'utf8');
    expect(wrapper).toMatch(/^#!\/bin\/sh\n/);
    expect(wrapper).toContain('"/opt/berth/lib/berth/dist/src/daemon/main.js" "$@"');
    expect(statSync(join(root, 'opt/berth/bin/berth')).mode & 0o777).toBe(0o755);
    const unit = readFileSync(join(root, 'etc/systemd/system/berthd.service'), 'utf8');
    expect(unit).toContain('ExecStart=/opt/berth/bin/berthd\n');
    expect(unit).toContain('Restart=on-failure\n');
    expect(unit).toMatch(/^After=network-online\.target/m);
    expect(unit).toMatch(/^Wants=network-online\.target$/m);
    expect(unit).not.toContain('@');
    expect(JSON.parse(readFileSync(join(root, 'etc/berth/daemon.json'), 'utf8'))).toMatchObject({ 'log-level': 'info', group: 'berth' });
    // The group goes into the throwaway root's /etc/group, with a free gid.
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toBe('root:x:0:\nsystemd-journal:x:999:\nberth:x:998:\n');
    // The copied tree runs on its own: production dependencies resolve (berthd --help loads every layer).
    const lib = join(root, 'opt/berth/lib/berth');
    expect(existsSync(join(lib, 'node_modules/vitest'))).toBe(false);
    const cli = await execa(process.execPath, [join(lib, 'dist/src/cli/main.js'), '--version']);
    expect(cli.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const daemon = await execa(process.execPath, [join(lib, 'dist/src/daemon/main.js'), '--help']);
    expect(daemon.stdout).toContain('--config-file');
    // The default config is valid for berthd (parsed as it would be at start, without starting).
    const { daemonCommand, resolveDaemonOptions } = await import('../../src/daemon/options.js');
    const command = daemonCommand('0').exitOverride();
    command.parse(['--config-file', join(root, 'etc/berth/daemon.json')], { from: 'user' });
    expect(resolveDaemonOptions(command)).toMatchObject({ logLevel: 'info', firewall: 'nftables', socketGroup: { group: 'berth', explicit: true } });
  });

  test('a second install keeps an edited daemon.json and the group; uninstall removes the rest, --purge the config and group', async () => {
    expect((await script('install', ['--root', root])).exitCode).toBe(0);
    writeFileSync(join(root, 'etc/berth/daemon.json'), '{"log-level": "debug"}\n');
    expect((await script('install', ['--root', root])).exitCode).toBe(0);
    expect(readFileSync(join(root, 'etc/berth/daemon.json'), 'utf8')).toBe('{"log-level": "debug"}\n');
    expect(readFileSync(join(root, 'etc/group'), 'utf8').match(/^berth:/gm)).toHaveLength(1);

    const removed = await script('uninstall', ['--root', root]);
    expect(removed.exitCode, removed.stderr).toBe(0);
    for (const path of ['usr/local/bin/berthd', 'usr/local/bin/berth', 'usr/local/lib/berth', 'etc/systemd/system/berthd.service']) expect(existsSync(join(root, path)), path).toBe(false);
    expect(existsSync(join(root, 'etc/berth/daemon.json'))).toBe(true);

    expect((await script('uninstall', ['--root', root, '--purge'])).exitCode).toBe(0);
    expect(existsSync(join(root, 'etc/berth'))).toBe(false);
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toBe('root:x:0:\nsystemd-journal:x:999:\n');
  });

  test('bad arguments exit 2 with the usage', async () => {
    const result = await script('install', ['--bogus']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Usage: scripts/install');
    expect((await script('install', ['--prefix', 'relative', '--root', root])).exitCode).toBe(2);
  });
});
