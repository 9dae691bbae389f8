import { describe, expect, test } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import {
  checkCluster, checkFirewallManagers, checkIpForward, checkKernelFeatures, checkNftables, checkRouteOverlap, checkSocket, doctorExitCode, formatDoctorReport, runDoctor,
} from '../../src/doctor/index.js';
import type { CheckResult } from '../../src/doctor/index.js';
import { FakeProbe } from './fake-probe.js';

const byId = (results: readonly CheckResult[]): Record<string, string> => Object.fromEntries(results.map((entry) => [entry.id, entry.status]));

describe('kernel features', () => {
  test('loaded, built in and loadable are ok and say how', () => {
    const results = checkKernelFeatures(FakeProbe.healthy());
    expect(results.every((entry) => entry.status === 'ok')).toBe(true);
    expect(results.find((entry) => entry.id === 'kernel.bridge')?.detail).toMatch(/^bridge: loaded/);
    expect(results.find((entry) => entry.id === 'kernel.dummy')?.detail).toMatch(/^dummy: built in/);
    expect(results.find((entry) => entry.id === 'kernel.8021q')?.detail).toMatch(/^8021q: available as a module/);
  });

  test('a missing required module fails, an optional one warns, each with a fix', () => {
    const probe = FakeProbe.healthy();
    probe.files.set('/proc/modules', 'veth 1 0 - Live 0x0\nnf_tables 1 0 - Live 0x0\n');
    probe.files.set('/lib/modules/6.1.0-test/modules.dep', 'kernel/drivers/net/macvlan.ko:\n');
    probe.stats.set('/sys/module/vxlan', { mode: 0o40755, uid: 0, gid: 0, socket: false });
    const results = checkKernelFeatures(probe);
    expect(byId(results)).toMatchObject({ 'kernel.bridge': 'fail', 'kernel.ipvlan': 'warn', 'kernel.8021q': 'warn', 'kernel.vxlan': 'ok', 'kernel.macvlan': 'ok' });
    expect(results.find((entry) => entry.id === 'kernel.8021q')?.fix).toContain('CONFIG_VLAN_8021Q');
  });
});

describe('firewall', () => {
  test('libnftables, else the nft exec fallback (warn), else fail', async () => {
    const probe = FakeProbe.healthy();
    expect((await checkNftables(probe)).status).toBe('ok');
    probe.files.delete('/usr/lib/x86_64-linux-gnu/libnftables.so.1');
    probe.commands.set('nft --version', { code: 0, stdout: 'nftables v1.0.6 (Lester Gooch #5)' });
    expect(await checkNftables(probe)).toMatchObject({ status: 'warn', detail: expect.stringContaining("exec'ing nft") as unknown });
    probe.commands.delete('nft --version');
    expect((await checkNftables(probe)).status).toBe('fail');
  });

  test('ip_forward off is a warning with the sysctl to set', () => {
    const probe = FakeProbe.healthy();
    expect(checkIpForward(probe).status).toBe('ok');
    probe.files.set('/proc/sys/net/ipv4/ip_forward', '0\n');
    expect(checkIpForward(probe)).toMatchObject({ status: 'warn', fix: expect.stringContaining('net.ipv4.ip_forward=1') as unknown });
  });

  test('firewalld running, ufw enabled and Docker chains each warn', async () => {
    const probe = FakeProbe.healthy();
    expect(byId(await checkFirewallManagers(probe))).toEqual({ 'firewall.firewalld': 'ok', 'firewall.ufw': 'ok', 'firewall.docker': 'ok' });
    probe.processes.push('firewalld');
    probe.files.set('/etc/ufw/ufw.conf', '# ufw\nENABLED=yes\nLOGLEVEL=low\n');
    probe.commands.set('iptables-save ', { code: 0, stdout: '*filter\n:FORWARD DROP [0:0]\n:DOCKER - [0:0]\n:DOCKER-USER - [0:0]\nCOMMIT\n' });
    expect(byId(await checkFirewallManagers(probe))).toEqual({ 'firewall.firewalld': 'warn', 'firewall.ufw': 'warn', 'firewall.docker': 'warn' });
  });
});

describe('routes', () => {
  test('a route inside a default pool warns; berth\'s own routes and the default route do not', async () => {
    const probe = FakeProbe.healthy();
    expect((await checkRouteOverlap(probe)).status).toBe('ok');
    probe.commands.set('ip -j -4 route show', { code: 0, stdout: JSON.stringify([
      { dst: 'default', dev: 'eth0' }, { dst: '172.18.0.0/16', dev: 'br-abc', protocol: 'kernel' }, { dst: '172.17.0.0/16', dev: 'berth0', protocol: 'kernel' },
      { dst: '192.168.1.0/24', dev: 'wlan0', protocol: 'kernel' }, { dst: '172.19.5.0/24', dev: 'eth0', protocol: '98' },
    ]) });
    probe.commands.set('ip -j link show', { code: 0, stdout: JSON.stringify([{ ifname: 'berth0', ifalias: 'berth:0123456789ab' }, { ifname: 'br-abc' }]) });
    const overlap = await checkRouteOverlap(probe);
    expect(overlap.status).toBe('warn');
    expect(overlap.detail).toContain('172.18.0.0/16 dev br-abc overlaps pool 172.18.0.0/16');
    expect(overlap.detail).toContain('192.168.1.0/24 dev wlan0 overlaps pool 192.168.0.0/16');
    expect(overlap.detail).not.toContain('berth0');
    expect(overlap.detail).not.toContain('172.19.5.0');
    expect(overlap.fix).toContain('--default-address-pool');
  });
});

describe('socket', () => {
  test('usable socket with the berth group is ok; missing socket or group warns; unusable fails', () => {
    const probe = FakeProbe.healthy();
    expect(byId(checkSocket(probe, '/run/berth/berth.sock'))).toEqual({ 'socket.group': 'ok', 'socket.api': 'ok' });
    expect(byId(checkSocket(probe, '/run/other.sock'))).toEqual({ 'socket.group': 'ok', 'socket.api': 'warn' });
    probe.user = { uid: 1000, groups: [100] };
    expect(checkSocket(probe, '/run/berth/berth.sock')[1]).toMatchObject({ status: 'fail', fix: expect.stringContaining('usermod -aG berth') as unknown });
    probe.user = { uid: 1000, groups: [997] };
    expect(checkSocket(probe, '/run/berth/berth.sock')[1]?.status).toBe('ok');
    probe.stats.set('/run/berth/berth.sock', { mode: 0o140666, uid: 0, gid: 0, socket: true });
    expect(checkSocket(probe, '/run/berth/berth.sock')[1]).toMatchObject({ status: 'warn', detail: expect.stringContaining('every user') as unknown });
    probe.files.set('/etc/group', 'root:x:0:\n');
    expect(checkSocket(probe, '/run/berth/berth.sock')[0]?.status).toBe('warn');
  });
});

describe('runDoctor and berth doctor', () => {
  test('overall status and exit code follow the worst check; only read-only commands run', async () => {
    const probe = FakeProbe.healthy();
    const report = await runDoctor(probe, { socketPath: '/run/berth/berth.sock' });
    expect(report.status).toBe('ok');
    expect(doctorExitCode(report)).toBe(0);
    expect(report.summary).toEqual({ ok: report.checks.length, warn: 0, fail: 0 });
    expect(probe.ran.every((command) => /^(nft (list ruleset|--version)|iptables-save |ip -j (-4 route|link) show|timedatectl show -p NTPSynchronized --value)$/.test(command))).toBe(true);
    probe.files.set('/proc/sys/net/ipv4/ip_forward', '0');
    expect(doctorExitCode(await runDoctor(probe, { socketPath: '/run/berth/berth.sock' }))).toBe(2);
    probe.files.set('/proc/modules', '');
    const failing = await runDoctor(probe, { socketPath: '/run/berth/berth.sock' });
    expect(doctorExitCode(failing)).toBe(1);
    expect(formatDoctorReport(failing)).toMatch(/^\[fail\] kernel\.bridge .*\n {30}fix: /m);
  });

  async function cli(args: readonly string[], probe: FakeProbe): Promise<{ code: number; stdout: string }> {
    let stdout = '';
    const code = await runCli(args, {
      io: { out: (text) => { stdout += text; }, err: () => undefined, interactive: false, readLine: () => Promise.resolve(''), run: () => Promise.resolve(0) },
      env: { BERTH_HOST: 'unix:///run/berth/berth.sock' }, version: '1.0.0', doctorProbe: probe,
    });
    return { code, stdout };
  }

  test('--format json and the exit status; -H picks the socket to check', async () => {
    const probe = FakeProbe.healthy();
    const ok = await cli(['doctor', '--format', 'json'], probe);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'ok', summary: { fail: 0, warn: 0 } });
    const elsewhere = await cli(['-H', 'unix:///tmp/none.sock', 'doctor'], probe);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stdout).toMatch(/\[warn\] socket\.api +\/tmp\/none\.sock does not exist/);
  });
});

describe('kernel features from the kernel config (kernels without modules)', () => {
  test('CONFIG_X=y is built in, =m loadable, absent missing; nothing to go by warns', () => {
    const probe = new FakeProbe();
    probe.files.set('/proc/config.gz', 'CONFIG_BRIDGE=y\nCONFIG_VETH=y\nCONFIG_NF_TABLES=y\nCONFIG_VXLAN=m\n# CONFIG_IPVLAN is not set\n');
    const results = checkKernelFeatures(probe);
    expect(byId(results)).toMatchObject({ 'kernel.bridge': 'ok', 'kernel.veth': 'ok', 'kernel.vxlan': 'ok', 'kernel.ipvlan': 'warn', 'kernel.nf_tables': 'ok' });
    expect(results.find((entry) => entry.id === 'kernel.veth')?.detail).toMatch(/^veth: built in/);
    expect(checkKernelFeatures(new FakeProbe()).find((entry) => entry.id === 'kernel.bridge')).toMatchObject({ status: 'warn', detail: expect.stringContaining('neither module lists') as unknown });
  });
});

describe('cluster (global scope)', () => {
  test('no cluster-store is ok; etcd endpoints are connected to; the clock must be synchronised', async () => {
    const probe = FakeProbe.healthy();
    expect(byId(await checkCluster(probe, { configFile: '/etc/berth/daemon.json' }))).toEqual({ 'cluster.etcd': 'ok' });
    probe.files.set('/etc/berth/daemon.json', JSON.stringify({ 'cluster-store': 'etcd://10.0.0.5:2379,10.0.0.6:2379' }));
    expect((await checkCluster(probe, { configFile: '/etc/berth/daemon.json' }))[0]).toMatchObject({ status: 'fail', fix: expect.stringContaining('etcd') as unknown });
    probe.listening.add('10.0.0.5:2379');
    expect((await checkCluster(probe, { configFile: '/etc/berth/daemon.json' }))[0]).toMatchObject({ status: 'warn', detail: expect.stringContaining('10.0.0.6:2379') as unknown });
    probe.listening.add('10.0.0.6:2379');
    probe.commands.set('timedatectl show -p NTPSynchronized --value', { code: 0, stdout: 'no\n' });
    expect(byId(await checkCluster(probe, { configFile: '/etc/berth/daemon.json' }))).toEqual({ 'cluster.etcd': 'ok', 'cluster.clock': 'warn' });
  });
});
