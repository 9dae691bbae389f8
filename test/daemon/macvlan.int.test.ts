import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { hasCode } from '../../src/errors/index.js';
import { HELLO, berthOk, fetchEventually, makeWebRoot } from './ports-support.js';
import { addUplink, addressOn, berthLinks, createNetwork, pings, reaches, sandboxKey } from './macvlan-support.js';

// macvlan on this VM's kernel (no 8021q, dummy or ipvlan here: test/full-kernel covers those).
// The lab host's eth0 is a veth to the lab switch; berth's macvlan sandboxes on it are hosts of
// the lab LAN 198.18.0.0/24 (router 198.18.0.1, the berth host 198.18.0.2, a LAN host .3).

const LAN = { Subnet: '198.18.0.0/24', IPRange: '198.18.0.128/25', Gateway: '198.18.0.1' };
const LAN_HOST_IP = '198.18.0.3';

let rig: DaemonRig;
let www: ReturnType<typeof makeWebRoot>;
let lanHost: string;
let lanId: string;

const berth = (args: readonly string[]): Promise<string> => berthOk(rig, args);

beforeAll(async () => {
  www = makeWebRoot();
  rig = await startDaemon({ prefix: 'berth-mv' });
  // Another host of the lab LAN: a namespace with a port on the lab switch.
  lanHost = `${rig.lab.id}-lan`;
  await execa('ip', ['netns', 'add', lanHost]);
  await rig.lab.router.kernel.links.create({ kind: 'veth', name: 'to-lan', peer: { name: 'eth0', netnsPath: `/run/netns/${lanHost}` }, master: 'switch', up: true });
  await execa('ip', ['-n', lanHost, 'link', 'set', 'eth0', 'up']);
  await execa('ip', ['-n', lanHost, 'addr', 'add', `${LAN_HOST_IP}/24`, 'dev', 'eth0']);
  // Second and third uplinks of the berth host, for networks that need a parent of their own.
  await addUplink(rig.lab, { host: rig.host, name: 'eth1' });
  await addUplink(rig.lab, { host: rig.host, name: 'eth2' });
  lanId = (await berth(['network', 'create', '-d', 'macvlan', '--subnet', LAN.Subnet, '--ip-range', LAN.IPRange, '--gateway', LAN.Gateway, '-o', 'parent=eth0', 'lan'])).trim();
  await berth(['run', '-d', '--name', 'web', '--network', 'lan', '--', 'busybox', 'httpd', '-f', '-p', '8080', '-h', www.dir]);
  await berth(['run', '-d', '--name', 'peer', '--network', 'lan', '--', 'sleep', '600']);
}, 90_000);

afterAll(async () => {
  await execa('ip', ['netns', 'delete', lanHost], { reject: false });
  await rig.close();
  www.remove();
});

describe('macvlan: sandboxes are hosts of the parent LAN', () => {
  test('eth0 is a macvlan link on the parent with an owner alias, an address in the ip-range and a default route to the LAN router', async () => {
    const key = await sandboxKey(rig, 'web');
    const link = await execa('nsenter', [`--net=${key}`, 'ip', '-d', 'link', 'show', 'eth0']);
    expect(link.stdout).toMatch(/macvlan mode bridge/);
    expect(link.stdout).toMatch(new RegExp(`alias berth:${lanId}:[0-9a-f]{64}`));
    const address = await addressOn(rig, { sandbox: 'web', network: 'lan' });
    expect(address).toMatch(/^198\.18\.0\.(12[89]|1[3-9]\d|2\d\d)$/);
    const routes = await execa('nsenter', [`--net=${key}`, 'ip', 'route', 'show', 'default']);
    expect(routes.stdout).toMatch(/^default via 198\.18\.0\.1 dev eth0/);
    // Nothing of the endpoint is left on the host: the link lives only in the sandbox.
    expect(await berthLinks(rig.host)).toEqual([]);
  });

  test('the LAN router and another LAN host reach the sandbox (ping and TCP); the sandbox reaches them and its neighbour', async () => {
    const a = await addressOn(rig, { sandbox: 'web', network: 'lan' });
    expect(await reaches(rig.lab.router.netns.path, a)).toBe(true);
    expect(await reaches(`/run/netns/${lanHost}`, a)).toBe(true);
    expect(await fetchEventually(`/run/netns/${lanHost}`, `http://${a}:8080/`)).toBe(HELLO);
    expect(await fetchEventually(rig.lab.router.netns.path, `http://${a}:8080/`)).toBe(HELLO);
    const keyB = await sandboxKey(rig, 'peer');
    expect(await reaches(keyB, LAN_HOST_IP)).toBe(true);
    expect(await reaches(keyB, LAN.Gateway)).toBe(true);
    // macvlan_mode=bridge: sandboxes on one parent talk directly.
    expect(await reaches(keyB, a)).toBe(true);
    expect(await fetchEventually(keyB, `http://${a}:8080/`)).toBe(HELLO);
  });

  test('the host itself cannot reach its macvlan sandboxes without berth.host_access (the kernel design)', async () => {
    const a = await addressOn(rig, { sandbox: 'web', network: 'lan' });
    expect(await pings(rig.host.netns.path, a)).toBe(false);
  });

  test('names resolve through the embedded DNS inside a macvlan sandbox', async () => {
    const peer = await addressOn(rig, { sandbox: 'peer', network: 'lan' });
    const key = await sandboxKey(rig, 'web');
    const dig = await execa('nsenter', [`--net=${key}`, 'dig', '@127.0.0.11', '+short', '+tries=1', '+time=3', 'peer'], { timeout: 15_000 });
    expect(dig.stdout.trim()).toBe(peer);
  });

  test('-p on a macvlan network is refused clearly and leaves nothing behind', async () => {
    const result = await rig.berth(['run', '-d', '--name', 'pub', '--network', 'lan', '-p', '8080:80', '--', 'sleep', '60']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/port publishing \(-p\) is not supported on network lan: its macvlan driver has no NAT or port mapping/);
    await rig.berth(['rm', '-f', 'pub']);
    const view = (await rig.api('GET', '/networks/lan')).body as { Containers: Record<string, unknown> };
    expect(Object.keys(view.Containers)).toHaveLength(2);
  });

  test('a parent serves one network: a second network on eth0 is a 409 naming the holder', async () => {
    const second = await createNetwork(rig, { Name: 'lan2', Driver: 'macvlan', Options: { parent: 'eth0' }, IPAM: { Config: [{ Subnet: '198.19.9.0/24' }] } });
    expect(second.status).toBe(409);
    expect(second.message).toMatch(/parent interface eth0 is already used by macvlan network lan/);
  });

  test('bad options are 400s naming what is wrong', async () => {
    await execa('ip', ['-n', `${rig.lab.id}-host1`, 'link', 'add', 'down0', 'type', 'veth', 'peer', 'name', 'down1']);
    await execa('ip', ['-n', `${rig.lab.id}-host1`, 'link', 'add', 'br9', 'type', 'bridge']);
    await execa('ip', ['-n', `${rig.lab.id}-host1`, 'link', 'set', 'down1', 'master', 'br9', 'up']);
    const cases: [Record<string, string>, RegExp][] = [
      [{ parent: 'nope0' }, /parent interface nope0 does not exist on this host/],
      [{ parent: 'eth1', macvlan_mode: 'loud' }, /invalid option macvlan_mode="loud": one of bridge, private, vepa, passthru/],
      [{ parent: 'eth1', colour: 'red' }, /unknown option "colour" for driver macvlan/],
      [{ parent: 'eth1.4095' }, /VLAN id 4095 is outside 1-4094/],
      [{ parent: 'eth1.0' }, /VLAN id 0 is outside 1-4094/],
      [{ parent: 'nope0.10' }, /trunk interface nope0 of VLAN parent nope0\.10 does not exist on this host/],
      [{ parent: 'down0' }, /parent interface down0 is down/],
      [{ parent: 'down1' }, /parent interface down1 is a port of bridge br9/],
      [{ parent: 'eth1', macvlan_mode: 'private', 'berth.host_access': 'true' }, /berth\.host_access=true needs macvlan_mode=bridge/],
      [{ parent: 'eth1', 'berth.host_access': 'yes' }, /invalid option berth\.host_access="yes"/],
    ];
    for (const [options, message] of cases) {
      const reply = await createNetwork(rig, { Name: 'bad', Driver: 'macvlan', Options: options, IPAM: { Config: [{ Subnet: '198.19.8.0/24' }] } });
      expect({ options, status: reply.status, message: reply.message }).toMatchObject({ status: 400, message: expect.stringMatching(message) as unknown });
    }
    const internal = await createNetwork(rig, { Name: 'bad', Driver: 'macvlan', Internal: true, Options: { parent: 'eth1' } });
    expect(internal.status).toBe(400);
    expect(internal.message).toMatch(/an --internal network gets its own dummy parent/);
    await execa('ip', ['-n', `${rig.lab.id}-host1`, 'link', 'del', 'down0']);
    await execa('ip', ['-n', `${rig.lab.id}-host1`, 'link', 'del', 'br9']);
    expect((await rig.api('GET', '/networks/bad')).status).toBe(404);
    expect(await berthLinks(rig.host)).toEqual([]);
  });

  test('a kernel without dummy, 8021q or ipvlan gets a 501 naming the module (when this kernel lacks them)', async () => {
    const probe = async (spec: Parameters<typeof rig.host.kernel.links.create>[0]): Promise<boolean> => {
      try {
        await rig.host.kernel.links.create(spec);
        await rig.host.kernel.links.remove(spec.name);
        return true;
      } catch (error) {
        if (hasCode(error, 'KERNEL_UNSUPPORTED')) return false;
        throw error;
      }
    };
    const hasDummy = await probe({ kind: 'dummy', name: 'probe-dm' });
    const internal = await createNetwork(rig, { Name: 'iso', Driver: 'macvlan', Internal: true, IPAM: { Config: [{ Subnet: '198.19.10.0/24' }] } });
    if (hasDummy) expect(internal.status).toBe(201);
    else {
      expect(internal.status).toBe(501);
      expect(internal.message).toMatch(/module dummy is missing/);
    }
    if (hasDummy) await berth(['network', 'rm', 'iso']);
    const hasVlan = await probe({ kind: 'vlan', name: 'probe.7', parent: 'eth1', vlanId: 7 });
    const vlan = await createNetwork(rig, { Name: 'v7', Driver: 'macvlan', Options: { parent: 'eth1.7' }, IPAM: { Config: [{ Subnet: '198.19.11.0/24' }] } });
    if (hasVlan) expect(vlan.status).toBe(201);
    else {
      expect(vlan.status).toBe(501);
      expect(vlan.message).toMatch(/module 8021q is missing/);
    }
    if (hasVlan) await berth(['network', 'rm', 'v7']);
    const hasIpvlan = await probe({ kind: 'ipvlan', name: 'probe-iv', parent: 'eth1', mode: 'l2' });
    const ipvlan = await createNetwork(rig, { Name: 'iv', Driver: 'ipvlan', Options: { parent: 'eth1' }, IPAM: { Config: [{ Subnet: '198.19.12.0/24' }] } });
    // The network itself needs no ipvlan link (its parent exists); its first sandbox does.
    expect(ipvlan.status).toBe(201);
    await berth(['run', '-d', '--name', 'iv1', '--network', 'iv', '--', 'sleep', '60']).then(
      () => expect(hasIpvlan).toBe(true),
      (error: unknown) => expect(String(error)).toMatch(hasIpvlan ? /^$/ : /module ipvlan is missing/),
    );
    await rig.berth(['rm', '-f', 'iv1']);
    await berth(['network', 'rm', 'iv']);
    expect(await berthLinks(rig.host)).toEqual([]);
  });

  test('macvlan_mode=private keeps sandboxes of one parent apart, while they still reach the LAN', async () => {
    await execa('ip', ['-n', rig.lab.router.netns.path.split('/').pop() ?? '', 'addr', 'add', '198.19.5.1/24', 'dev', 'switch']);
    await berth(['network', 'create', '-d', 'macvlan', '--subnet', '198.19.5.0/24', '--gateway', '198.19.5.1', '-o', 'parent=eth1', '-o', 'macvlan_mode=private', 'priv']);
    await berth(['run', '-d', '--name', 'p1', '--network', 'priv', '--', 'sleep', '600']);
    await berth(['run', '-d', '--name', 'p2', '--network', 'priv', '--', 'sleep', '600']);
    const key1 = await sandboxKey(rig, 'p1');
    expect((await execa('nsenter', [`--net=${key1}`, 'ip', '-d', 'link', 'show', 'eth0'])).stdout).toMatch(/macvlan mode private/);
    expect(await reaches(key1, '198.19.5.1')).toBe(true);
    expect(await pings(key1, await addressOn(rig, { sandbox: 'p2', network: 'priv' }))).toBe(false);
    await berth(['rm', '-f', 'p1', 'p2']);
    await berth(['network', 'rm', 'priv']);
    expect(await berthLinks(rig.host)).toEqual([]);
  });

  test('after a daemon crash and restart the network still works and still owns its parent', async () => {
    await rig.kill();
    await rig.start();
    const a = await addressOn(rig, { sandbox: 'web', network: 'lan' });
    expect(await reaches(`/run/netns/${lanHost}`, a)).toBe(true);
    await berth(['run', '-d', '--name', 'c', '--network', 'lan', '--', 'sleep', '600']);
    const keyC = await sandboxKey(rig, 'c');
    expect(await reaches(keyC, a)).toBe(true);
    const dig = await execa('nsenter', [`--net=${keyC}`, 'dig', '@127.0.0.11', '+short', '+tries=1', '+time=3', 'web'], { timeout: 15_000 });
    expect(dig.stdout.trim()).toBe(a);
    const second = await createNetwork(rig, { Name: 'lan2', Driver: 'macvlan', Options: { parent: 'eth0' }, IPAM: { Config: [{ Subnet: '198.19.9.0/24' }] } });
    expect(second.status).toBe(409);
    await berth(['rm', '-f', 'c']);
  });

  test('network rm leaves no link, and frees the parent for the next network', async () => {
    await berth(['rm', '-f', 'web', 'peer']);
    await berth(['network', 'rm', 'lan']);
    expect(await berthLinks(rig.host)).toEqual([]);
    expect((await rig.host.kernel.links.list()).filter((link) => link.kind === 'macvlan')).toEqual([]);
    expect((await rig.host.kernel.links.get('eth0')).up).toBe(true);
  });

  test('berth.host_access=true: a shim on the parent and a host route let the host reach its sandboxes; removed with the network', async () => {
    const id = (await berth(['network', 'create', '-d', 'macvlan', '--subnet', LAN.Subnet, '--ip-range', LAN.IPRange, '--gateway', LAN.Gateway, '-o', 'parent=eth0', '-o', 'berth.host_access=true', 'reach'])).trim();
    await berth(['run', '-d', '--name', 'h', '--network', 'reach', '--', 'busybox', 'httpd', '-f', '-p', '8080', '-h', www.dir]);
    const shim = `mv-${id.slice(0, 12)}`;
    expect(await berthLinks(rig.host)).toEqual([shim]);
    const routes = await execa('nsenter', [`--net=${rig.host.netns.path}`, 'ip', 'route', 'show', 'dev', shim]);
    expect(routes.stdout).toMatch(/^198\.18\.0\.128\/25 proto 98 scope link/m);
    const h = await addressOn(rig, { sandbox: 'h', network: 'reach' });
    expect(await reaches(rig.host.netns.path, h)).toBe(true);
    expect(await fetchEventually(rig.host.netns.path, `http://${h}:8080/`)).toBe(HELLO);
    // The rest of the LAN still works as before, and so does the sandbox's own uplink.
    expect(await reaches(rig.host.netns.path, LAN_HOST_IP)).toBe(true);
    expect(await reaches(await sandboxKey(rig, 'h'), LAN_HOST_IP)).toBe(true);
    // A restart changes nothing and repairs a deleted shim.
    await execa('ip', ['-n', `${rig.lab.id}-host1`, 'link', 'del', shim]);
    await rig.kill();
    await rig.start();
    expect(await berthLinks(rig.host)).toEqual([shim]);
    expect(await reaches(rig.host.netns.path, h)).toBe(true);
    await berth(['rm', '-f', 'h']);
    await berth(['network', 'rm', 'reach']);
    expect(await berthLinks(rig.host)).toEqual([]);
    expect((await execa('nsenter', [`--net=${rig.host.netns.path}`, 'ip', 'route', 'show'])).stdout).not.toContain('198.18.0.128/25');
  });
});
