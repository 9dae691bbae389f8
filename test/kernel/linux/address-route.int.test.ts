import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { openNetnsKernel } from '../../../src/kernel/linux/index.js';
import { BERTH_ROUTE_PROTOCOL } from '../../../src/kernel/index.js';
import type { NetnsKernel } from '../../../src/kernel/index.js';
import { createTestNetns, inNetns } from '../../lab/test-netns.js';
import type { Cleanup } from '../../lab/test-netns.js';

async function kernelIn(context: Cleanup): Promise<NetnsKernel> {
  const kernel = openNetnsKernel(await createTestNetns(context));
  context.onTestFinished(() => kernel.close());
  return kernel;
}

/** Two namespaces joined by a veth pair "a" (in left) ↔ "b" (in right), both up. */
async function pair(context: Cleanup): Promise<{ left: NetnsKernel; right: NetnsKernel }> {
  const left = await kernelIn(context);
  const right = await kernelIn(context);
  await left.links.create({ kind: 'veth', name: 'a', peer: { name: 'b', netnsPath: right.netns.path }, up: true });
  await right.links.set('b', { up: true });
  return { left, right };
}

describe('addresses', () => {
  test('IPv4 and IPv6 addresses are added, listed, traffic flows, and removal is idempotent', async (context) => {
    const { left, right } = await pair(context);
    await left.addresses.add('a', '198.18.1.1/24');
    await right.addresses.add('b', '198.18.1.2/24');
    await left.addresses.add('a', 'fd00:b::1/64', { noDad: true });
    await right.addresses.add('b', 'fd00:b::2/64', { noDad: true });
    expect(await left.addresses.list('a')).toEqual(expect.arrayContaining([
      { link: 'a', cidr: '198.18.1.1/24', family: 4 },
      { link: 'a', cidr: 'fd00:b::1/64', family: 6 },
    ]));
    await inNetns(left.netns, ['ping', '-c', '1', '-W', '2', '198.18.1.2']);
    await inNetns(left.netns, ['ping', '-6', '-c', '1', '-W', '2', 'fd00:b::2']);
    await left.addresses.remove('a', '198.18.1.1/24');
    await left.addresses.remove('a', '198.18.1.1/24');
    await left.addresses.remove('gone0', '198.18.1.1/24');
    expect((await left.addresses.list('a')).map((entry) => entry.cidr)).not.toContain('198.18.1.1/24');
  });

  test('adding an address twice is ADDRESS_EXISTS; a malformed one is INVALID_ARGUMENT', async (context) => {
    const kernel = await kernelIn(context);
    await kernel.links.create({ kind: 'bridge', name: 'br0' });
    await kernel.addresses.add('br0', '198.18.2.1/24');
    await expect(kernel.addresses.add('br0', '198.18.2.1/24')).rejects.toMatchObject({ code: 'ADDRESS_EXISTS', object: '198.18.2.1/24 on br0' });
    await expect(kernel.addresses.add('br0', '198.18.2.300/24')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('routes', () => {
  test('a default route via a gateway and an on-link route carry berth’s protocol; traffic uses them', async (context) => {
    const { left, right } = await pair(context);
    await left.addresses.add('a', '198.18.3.1/30');
    await right.addresses.add('b', '198.18.3.2/30');
    await right.links.set('lo', { up: true });
    await right.addresses.add('lo', '198.18.99.1/32');
    await left.routes.add({ destination: 'default', gateway: '198.18.3.2' });
    await left.routes.add({ destination: '198.18.50.0/24', link: 'a' });
    const routes = await left.routes.list({ family: 4 });
    expect(routes).toContainEqual(expect.objectContaining({ destination: 'default', gateway: '198.18.3.2', link: 'a', protocol: BERTH_ROUTE_PROTOCOL }));
    expect(routes).toContainEqual(expect.objectContaining({ destination: '198.18.50.0/24', link: 'a', protocol: BERTH_ROUTE_PROTOCOL }));
    // 198.18.99.1 is only reachable through the default route.
    await inNetns(left.netns, ['ping', '-c', '1', '-W', '2', '198.18.99.1']);
    await expect(left.routes.add({ destination: 'default', gateway: '198.18.3.2' })).rejects.toMatchObject({ code: 'ROUTE_EXISTS' });
    await left.routes.remove({ destination: 'default', gateway: '198.18.3.2' });
    await left.routes.remove({ destination: 'default', gateway: '198.18.3.2' });
    const ping = await execa('nsenter', [`--net=${left.netns.path}`, 'ping', '-c', '1', '-W', '1', '198.18.99.1'], { reject: false });
    expect(ping.exitCode).not.toBe(0);
  });

  test('IPv6 default route', async (context) => {
    const { left, right } = await pair(context);
    await left.addresses.add('a', 'fd00:c::1/64', { noDad: true });
    await right.addresses.add('b', 'fd00:c::2/64', { noDad: true });
    await left.routes.add({ destination: 'default6', gateway: 'fd00:c::2' });
    expect(await left.routes.list({ family: 6 })).toContainEqual(expect.objectContaining({ destination: 'default6', gateway: 'fd00:c::2', family: 6 }));
    expect(await inNetns(left.netns, ['ip', '-6', 'route', 'show', 'default'])).toContain('via fd00:c::2 dev a proto 98');
  });
});

describe('neighbours and FDB entries', () => {
  test('a permanent ARP entry lets traffic flow with ARP disabled on the peer', async (context) => {
    const { left, right } = await pair(context);
    await left.addresses.add('a', '198.18.4.1/24');
    await right.addresses.add('b', '198.18.4.2/24');
    const peerMac = (await right.links.get('b')).mac ?? '';
    await left.neighbours.ensure({ link: 'a', ip: '198.18.4.2', mac: peerMac });
    await left.neighbours.ensure({ link: 'a', ip: '198.18.4.2', mac: peerMac });
    expect(await left.neighbours.list('a')).toContainEqual({ link: 'a', ip: '198.18.4.2', mac: peerMac });
    expect(await inNetns(left.netns, ['ip', 'neigh', 'show', 'dev', 'a'])).toContain(`198.18.4.2 lladdr ${peerMac} PERMANENT`);
    await left.neighbours.remove({ link: 'a', ip: '198.18.4.2' });
    await left.neighbours.remove({ link: 'a', ip: '198.18.4.2' });
    expect(await left.neighbours.list('a')).not.toContainEqual(expect.objectContaining({ ip: '198.18.4.2', mac: peerMac }));
  });

  test('vxlan FDB entry (MAC → remote VTEP) and bridge port FDB entry', async (context) => {
    const kernel = await kernelIn(context);
    await kernel.links.create({ kind: 'vxlan', name: 'vx0', vni: 77 });
    await kernel.fdb.ensure({ link: 'vx0', mac: '02:00:00:00:77:01', destination: '198.18.5.9' });
    expect(await kernel.fdb.list('vx0')).toContainEqual({ link: 'vx0', mac: '02:00:00:00:77:01', destination: '198.18.5.9' });
    expect(await inNetns(kernel.netns, ['bridge', 'fdb', 'show', 'dev', 'vx0'])).toContain('02:00:00:00:77:01 dst 198.18.5.9 self permanent');
    await kernel.fdb.remove({ link: 'vx0', mac: '02:00:00:00:77:01', destination: '198.18.5.9' });
    await kernel.fdb.remove({ link: 'vx0', mac: '02:00:00:00:77:01', destination: '198.18.5.9' });
    expect(await kernel.fdb.list('vx0')).not.toContainEqual(expect.objectContaining({ mac: '02:00:00:00:77:01' }));

    await kernel.links.create({ kind: 'bridge', name: 'br0' });
    await kernel.links.create({ kind: 'veth', name: 'port0', peer: { name: 'port1' }, master: 'br0' });
    await kernel.fdb.ensure({ link: 'port0', mac: '02:00:00:00:88:01' });
    expect(await inNetns(kernel.netns, ['bridge', 'fdb', 'show', 'dev', 'port0'])).toMatch(/02:00:00:00:88:01 master br0 permanent/);
    await kernel.fdb.remove({ link: 'port0', mac: '02:00:00:00:88:01' });
    expect(await inNetns(kernel.netns, ['bridge', 'fdb', 'show', 'dev', 'port0'])).not.toContain('02:00:00:00:88:01');
  });
});
