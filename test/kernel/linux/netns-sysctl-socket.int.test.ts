import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, test, vi } from 'vitest';
import { execa } from 'execa';
import { LinuxNetnsOps, LinuxSocketOps, openNetnsKernel } from '../../../src/kernel/linux/index.js';
import { createTestNetns, inNetns, randomSuffix } from '../../lab/test-netns.js';
import type { Cleanup } from '../../lab/test-netns.js';

function netnsOpsInTempDir(context: Cleanup): LinuxNetnsOps {
  const dir = mkdtempSync(join(tmpdir(), 'berth-netns-'));
  const ops = new LinuxNetnsOps({ dir });
  context.onTestFinished(async () => {
    for (const name of await ops.list()) await ops.remove({ path: join(dir, name) });
    rmSync(dir, { recursive: true, force: true });
  });
  return ops;
}

describe('network namespaces made by berth', () => {
  test('create, open, list, use and remove (twice) without spawning a process', async (context) => {
    const ops = netnsOpsInTempDir(context);
    const name = `sb-${randomSuffix()}`;
    const netns = await ops.create(name);
    expect(await ops.list()).toEqual([name]);
    await expect(ops.open(netns.path)).resolves.toEqual(netns);
    const kernel = openNetnsKernel(netns);
    await kernel.links.create({ kind: 'bridge', name: 'inside0' });
    // The link exists in the new namespace and not in ours.
    expect(await inNetns(netns, ['ip', '-o', 'link', 'show', 'inside0'])).toContain('inside0');
    expect((await execa('ip', ['link', 'show', 'inside0'], { reject: false })).exitCode).not.toBe(0);
    kernel.close();
    await ops.remove(netns);
    await ops.remove(netns);
    expect(await ops.list()).toEqual([]);
    expect(await execa('grep', ['-c', netns.path, '/proc/self/mountinfo'], { reject: false })).toMatchObject({ stdout: '0' });
  });

  test('creating an existing name is NETNS_EXISTS; bad names and paths are clear errors', async (context) => {
    const ops = netnsOpsInTempDir(context);
    await ops.create('dup');
    await expect(ops.create('dup')).rejects.toMatchObject({ code: 'NETNS_EXISTS' });
    await expect(ops.create('../escape')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(ops.open('/run/berth-no-such/netns')).rejects.toMatchObject({ code: 'NETNS_NOT_FOUND', object: '/run/berth-no-such/netns' });
  });
});

describe('sysctls per namespace', () => {
  test('ip_forward and per-interface keys change in the lab only', async (context) => {
    const kernel = openNetnsKernel(await createTestNetns(context));
    context.onTestFinished(() => kernel.close());
    const hostForward = (await execa('cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout;
    await kernel.sysctls.set('net.ipv4.ip_forward', '1');
    expect(await kernel.sysctls.get('net.ipv4.ip_forward')).toBe('1');
    expect(await inNetns(kernel.netns, ['sysctl', '-n', 'net.ipv4.ip_forward'])).toBe('1');
    expect((await execa('cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout).toBe(hostForward);

    await kernel.links.create({ kind: 'bridge', name: 'br.7' });
    for (const [key, value] of [
      ['net/ipv6/conf/br.7/accept_dad', '0'],
      ['net/ipv6/conf/br.7/disable_ipv6', '1'],
      ['net/ipv4/conf/br.7/route_localnet', '1'],
      ['net/ipv6/conf/br.7/proxy_ndp', '1'],
    ] as const) {
      await kernel.sysctls.set(key, value);
      expect(await kernel.sysctls.get(key)).toBe(value);
    }
    await expect(kernel.sysctls.get('net.ipv4.conf.nope0.forwarding')).rejects.toMatchObject({ code: 'SYSCTL_NOT_FOUND' });
    await expect(kernel.sysctls.set('kernel.hostname', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(kernel.sysctls.set('net/../../kernel/hostname', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('sockets opened inside a namespace', () => {
  test('UDP and TCP servers on 127.0.0.11 inside the lab answer lab clients', async (context) => {
    const netns = await createTestNetns(context);
    const sockets = new LinuxSocketOps();
    const udp = createSocket('udp4');
    udp.bind({ fd: sockets.udpSocketIn(netns, { ip: '127.0.0.11', port: 53 }) });
    udp.on('message', (message, remote) => udp.send(Buffer.concat([Buffer.from('echo:'), message]), remote.port, remote.address));
    const tcp = createServer((connection) => connection.end('hello from the lab\n'));
    tcp.listen({ fd: sockets.tcpListenerIn(netns, { ip: '127.0.0.11', port: 53 }) });
    await once(tcp, 'listening');
    context.onTestFinished(() => { udp.close(); tcp.close(); });

    const udpReply = await inNetns(netns, ['bash', '-c', 'exec 3<>/dev/udp/127.0.0.11/53; printf ping >&3; timeout 2 head -c 9 <&3']);
    expect(udpReply).toBe('echo:ping');
    const tcpReply = await inNetns(netns, ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.11/53; timeout 2 cat <&3']);
    expect(tcpReply).toBe('hello from the lab');
    // Our own namespace has no 127.0.0.11:53 listener.
    const outside = await execa('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.11/53'], { reject: false });
    expect(outside.exitCode).not.toBe(0);
  });

  test('binding a port twice is a typed error naming address and namespace', async (context) => {
    const netns = await createTestNetns(context);
    const sockets = new LinuxSocketOps();
    const server = createServer();
    server.listen({ fd: sockets.tcpListenerIn(netns, { ip: '127.0.0.1', port: 5353 }) });
    context.onTestFinished(() => { server.close(); });
    expect(() => sockets.tcpListenerIn(netns, { ip: '127.0.0.1', port: 5353 })).toThrow(`bind socket tcp 127.0.0.1:5353 in ${netns.path}: EADDRINUSE`);
  });
});

describe('the kernel handle cache', () => {
  test('keeps at most maxOpenHandles idle handles (fds stay bounded), and a closed handle is re-opened on use', async (context) => {
    const { LinuxKernel } = await import('../../../src/kernel/linux/index.js');
    const { NoFirewall } = await import('../../../src/kernel/index.js');
    const kernel = new LinuxKernel({ netnsDir: '/tmp/berth-unused', firewall: new NoFirewall(), maxOpenHandles: 2 });
    context.onTestFinished(() => kernel.close());
    const spaces = [await createTestNetns(context), await createTestNetns(context), await createTestNetns(context)];
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (const netns of spaces) await kernel.in(netns).links.list();
    // All three were used just now, so none is idle: the cap is soft.
    expect(fds()).toBe(before + 3);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 10_000);
    await kernel.in(kernel.netns.host).links.list();
    expect(fds()).toBeLessThanOrEqual(before + 2);
    expect((await kernel.in(spaces[0] ?? kernel.netns.host).links.list()).map((link) => link.name)).toContain('lo');
    vi.restoreAllMocks();
  });
});
