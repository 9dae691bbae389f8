import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { HELLO, berthOk, fetchEventually, fetchFrom, inspect, makeWebRoot } from './ports-support.js';

let rig: DaemonRig;
let www: ReturnType<typeof makeWebRoot>;
beforeAll(async () => {
  rig = await startDaemon();
  www = makeWebRoot();
  await berthOk(rig, ['network', 'create', '--ipv6', '--subnet', '10.98.0.0/24', '--subnet', 'fd00:98::/64', 'dual']);
  await berthOk(rig, ['network', 'create', '--subnet', '10.97.0.0/24', 'v4only']);
});
afterAll(async () => {
  await rig.close();
  www.remove();
});

function httpd(name: string, ports: readonly string[], network = 'dual'): Promise<string> {
  return berthOk(rig, ['run', '-d', '--name', name, '--network', network, ...ports.flatMap((port) => ['-p', port]), '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www.dir]);
}

async function create(name: string, ports: readonly string[], network = 'dual'): Promise<{ status: number; text: string }> {
  const reply = await rig.api('POST', '/berth/sandboxes', { Name: name, Networks: [{ Network: network }], Ports: ports, Cmd: ['sleep', '600'] });
  return { status: reply.status, text: JSON.stringify(reply.body) };
}

/** A host program listening on one family only (IPV6_V6ONLY for IPv6); resolves once it listens. Kill it to free the port. */
async function holdPort(ip: string, port: number): Promise<ReturnType<DaemonRig['lab']['spawn']>> {
  const family = ip.includes(':') ? 'AF_INET6' : 'AF_INET';
  const v6only = family === 'AF_INET6' ? 's.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)' : 'pass';
  const code = `import socket, time\ns = socket.socket(socket.${family})\n${v6only}\ns.bind(('${ip}', ${port}))\ns.listen()\nprint('listening', flush=True)\ntime.sleep(600)\n`;
  const child = rig.lab.spawn(rig.host.netns, ['python3', '-c', code]);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`port holder exited with ${code}`)));
  });
  return child;
}

const router = (): string => rig.lab.router.netns.path;
const v4 = (port: number): string => `http://${rig.host.ip}:${port}/`;
const v6 = (port: number): string => `http://[${rig.host.ip6}]:${port}/`;

describe('IPv6 port publishing (nftables publish6 maps)', () => {
  test('the bridge has its IPv6 gateway, the lab host forwards IPv6, and the sandbox interface skips DAD and RAs', async () => {
    await berthOk(rig, ['run', '-d', '--name', 'probe', '--network', 'dual', '--', 'sleep', '600']);
    const { NetworkSettings } = await inspect(rig, 'probe');
    const sandbox = NetworkSettings.SandboxKey;
    const sysctl = (netns: string, key: string): Promise<string> => rig.lab.run({ path: netns }, ['cat', `/proc/sys/net/ipv6/conf/${key}`]);
    expect(await sysctl(sandbox, 'eth0/accept_dad')).toBe('0');
    expect(await sysctl(sandbox, 'eth0/accept_ra')).toBe('0');
    expect(await sysctl(sandbox, 'eth0/disable_ipv6')).toBe('0');
    expect(await sysctl(rig.host.netns.path, 'all/forwarding')).toBe('1');
    expect(await rig.lab.run(rig.host.netns, ['ip', '-6', 'addr', 'show', 'to', 'fd00:98::1'])).toContain('fd00:98::1/64');
    // Not tentative: usable at once (no DAD), and the default route points at the bridge.
    expect(await rig.lab.run({ path: sandbox }, ['ip', '-6', 'addr', 'show', 'dev', 'eth0', 'tentative'])).toBe('');
    expect(await rig.lab.run({ path: sandbox }, ['ip', '-6', 'route', 'show', 'default'])).toContain('via fd00:98::1');
    expect(NetworkSettings.Networks['dual']?.GlobalIPv6Address).toMatch(/^fd00:98::/);
  });

  test('no host IP publishes both families: from outside over IPv4 and IPv6, from the host, and hairpin over IPv6', async () => {
    await httpd('web', ['8080:80']);
    expect(await fetchEventually(router(), v4(8080))).toBe(HELLO);
    expect(await fetchFrom(router(), v6(8080))).toBe(HELLO);
    expect(await fetchFrom(rig.host.netns.path, v6(8080))).toBe(HELLO);
    await berthOk(rig, ['run', '-d', '--name', 'client', '--network', 'dual', '--', 'sleep', '600']);
    expect(await fetchFrom((await inspect(rig, 'client')).NetworkSettings.SandboxKey, v6(8080))).toBe(HELLO);
    expect((await inspect(rig, 'web')).NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }]);
    expect((await berthOk(rig, ['port', 'web'])).split('\n').filter(Boolean).sort()).toEqual(['80/tcp -> 0.0.0.0:8080', '80/tcp -> [::]:8080']);
    const ip6 = (await inspect(rig, 'web')).NetworkSettings.Networks['dual']?.GlobalIPv6Address ?? '';
    expect(await rig.lab.run(rig.host.netns, ['nft', 'list', 'map', 'inet', 'berth', 'publish6-any'])).toContain(`tcp . 8080 : ${ip6} . 80`);
  });

  test('[::] publishes IPv6 only; a specific IPv6 host address works; ::1 is refused with the reason', async () => {
    await httpd('web6', ['[::]:8081:80', `[${rig.host.ip6}]:8082:80`]);
    expect(await fetchEventually(router(), v6(8081))).toBe(HELLO);
    expect(await fetchFrom(router(), v4(8081))).toBeUndefined();
    expect(await fetchFrom(router(), v6(8082))).toBe(HELLO);
    expect(await fetchFrom(router(), v4(8082))).toBeUndefined();
    const loopback = await create('loop6', ['[::1]:8083:80']);
    expect(loopback.status).toBe(400);
    expect(loopback.text).toContain('cannot publish on [::1]');
    expect(loopback.text).toContain('cannot DNAT IPv6 loopback');
    // A network without IPv6 has nothing to publish [::] to; 0.0.0.0 there is IPv4 only.
    const noV6 = await create('nov6', ['[::]:8084:80'], 'v4only');
    expect(noV6.status).toBe(400);
    expect(noV6.text).toContain('no IPv6 address');
    await httpd('web4', ['8085:80'], 'v4only');
    expect((await inspect(rig, 'web4')).NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '8085' }]);
    expect(await fetchEventually(router(), v4(8085))).toBe(HELLO);
  });

  test('conflicts in either family are 409 naming the port, and leave nothing reserved', async () => {
    const both = await create('dup1', ['8080:80']);
    expect(both.status).toBe(409);
    expect(both.text).toContain('0.0.0.0:8080/tcp is already in use');
    const six = await create('dup2', ['8081:80']);
    expect(six.status).toBe(409);
    expect(six.text).toContain('[::]:8081/tcp is already in use');
    // A host program on the IPv6 port only: refused, and the IPv4 half taken meanwhile is released.
    const holder = await holdPort('::', 6001);
    const held = await create('dup3', ['6001:80']);
    expect(held.status).toBe(409);
    expect(held.text).toContain('[::]:6001/tcp is already in use');
    expect((await create('ok4', ['0.0.0.0:6001:80'], 'v4only')).status).toBe(201);
    holder.kill('SIGKILL');
    // An IPv4-only holder does not block an IPv6-only publication (reservations are IPV6_V6ONLY).
    const holder4 = await holdPort('0.0.0.0', 6002);
    expect((await create('ok6', ['[::]:6002:80'])).status).toBe(201);
    holder4.kill('SIGKILL');
    expect((await rig.api('GET', '/containers/dup3/json')).status).toBe(404);
  });

  test('an ephemeral port is the same in both families; mappings survive a daemon crash and go with rm', async () => {
    await httpd('ephemeral', ['80']);
    const bindings = (await inspect(rig, 'ephemeral')).NetworkSettings.Ports['80/tcp'] ?? [];
    expect(bindings.map((binding) => binding.HostIp)).toEqual(['0.0.0.0', '::']);
    expect(bindings[0]?.HostPort).toBe(bindings[1]?.HostPort);
    const port = Number(bindings[0]?.HostPort);
    expect(await fetchEventually(router(), v6(port))).toBe(HELLO);

    await rig.kill();
    await rig.start();
    expect(await fetchFrom(router(), v6(8080))).toBe(HELLO);
    expect((await create('dup4', ['[::]:8080:80'])).status).toBe(409);
    await berthOk(rig, ['rm', '-f', 'web']);
    expect(await fetchFrom(router(), v6(8080))).toBeUndefined();
    expect(await rig.lab.run(rig.host.netns, ['nft', 'list', 'map', 'inet', 'berth', 'publish6-any'])).not.toContain('8080');
    expect((await create('again', ['8080:80'])).status).toBe(201);
  });
});
