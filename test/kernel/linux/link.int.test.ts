import { describe, expect, test } from 'vitest';
import { openNetnsKernel } from '../../../src/kernel/linux/index.js';
import type { NetnsKernel } from '../../../src/kernel/index.js';
import { BerthError } from '../../../src/errors/index.js';
import { createTestNetns, inNetns, randomSuffix } from '../../lab/test-netns.js';
import type { Cleanup } from '../../lab/test-netns.js';

async function kernelIn(context: Cleanup): Promise<NetnsKernel> {
  const netns = await createTestNetns(context);
  const kernel = openNetnsKernel(netns);
  context.onTestFinished(() => kernel.close());
  return kernel;
}

describe('links through netlink, inside a lab namespace', () => {
  test('veth pair: create with MTU, MAC, alias, up; read back; the peer exists; delete removes both', async (context) => {
    const kernel = await kernelIn(context);
    const created = await kernel.links.create({
      kind: 'veth', name: 'va0', peer: { name: 'vb0' }, mtu: 1400, mac: '02:42:ac:11:00:09', alias: 'berth:net1:ep1', up: true,
    });
    expect(created).toMatchObject({ name: 'va0', kind: 'veth', mtu: 1400, mac: '02:42:ac:11:00:09', alias: 'berth:net1:ep1', up: true });
    const peer = await kernel.links.get('vb0');
    expect(peer.kind).toBe('veth');
    expect(peer.parentIndex).toBe(created.index);
    // ip(8) agrees, so this is the kernel's view and not ours.
    expect(await inNetns(kernel.netns, ['ip', '-d', 'link', 'show', 'va0'])).toMatch(/mtu 1400.*\n.*02:42:ac:11:00:09[\s\S]*alias berth:net1:ep1/);
    await kernel.links.delete('va0');
    expect(await kernel.links.find('va0')).toBeUndefined();
    expect(await kernel.links.find('vb0')).toBeUndefined();
  });

  test('veth peer created straight in another namespace, then moved back and renamed', async (context) => {
    const kernel = await kernelIn(context);
    const other = await kernelIn(context);
    await kernel.links.create({ kind: 'veth', name: 'host0', peer: { name: 'ctr0', netnsPath: other.netns.path } });
    expect(await kernel.links.find('ctr0')).toBeUndefined();
    expect((await other.links.get('ctr0')).kind).toBe('veth');
    await other.links.moveToNetns('ctr0', { netnsPath: kernel.netns.path, newName: 'back0' });
    expect(await other.links.find('ctr0')).toBeUndefined();
    expect((await kernel.links.get('back0')).kind).toBe('veth');
  });

  test('bridge with a port; set master, MTU, MAC, alias, down; release', async (context) => {
    const kernel = await kernelIn(context);
    const bridge = await kernel.links.create({ kind: 'bridge', name: 'br-test', alias: 'berth:n1', up: true });
    expect(bridge.kind).toBe('bridge');
    await kernel.links.create({ kind: 'veth', name: 'vp0', peer: { name: 'vp1' }, master: 'br-test' });
    expect((await kernel.links.get('vp0')).masterIndex).toBe(bridge.index);
    await kernel.links.set('vp0', { master: null, mtu: 1300, mac: '02:00:00:00:00:42', alias: 'berth:x', up: true });
    const port = await kernel.links.get('vp0');
    expect(port).toMatchObject({ masterIndex: undefined, mtu: 1300, mac: '02:00:00:00:00:42', alias: 'berth:x', up: true });
    await kernel.links.set('vp0', { up: false, master: 'br-test' });
    expect(await kernel.links.get('vp0')).toMatchObject({ up: false, masterIndex: bridge.index });
    expect(await inNetns(kernel.netns, ['ip', 'link', 'show', 'master', 'br-test'])).toContain('vp0');
  });

  test('macvlan in every mode on a parent, and one created straight into another namespace', async (context) => {
    const kernel = await kernelIn(context);
    const other = await kernelIn(context);
    await kernel.links.create({ kind: 'veth', name: 'uplink', peer: { name: 'uplink-peer' }, up: true });
    for (const mode of ['bridge', 'private', 'vepa'] as const) {
      const link = await kernel.links.create({ kind: 'macvlan', name: `mv-${mode}`, parent: 'uplink', mode });
      expect(link).toMatchObject({ kind: 'macvlan', macvlanMode: mode, parentIndex: (await kernel.links.get('uplink')).index });
      await kernel.links.delete(`mv-${mode}`);
    }
    await kernel.links.create({ kind: 'macvlan', name: 'mv-ctr', parent: 'uplink', mode: 'bridge', netnsPath: other.netns.path });
    expect((await other.links.get('mv-ctr')).macvlanMode).toBe('bridge');
    expect(await inNetns(other.netns, ['ip', '-d', 'link', 'show', 'mv-ctr'])).toContain('macvlan mode bridge');
  });

  test('vxlan with vni, local address, port 4789 and learning off', async (context) => {
    const kernel = await kernelIn(context);
    await kernel.links.create({ kind: 'veth', name: 'under0', peer: { name: 'under1' }, up: true });
    await kernel.addresses.add('under0', '198.18.7.1/24');
    const vxlan = await kernel.links.create({ kind: 'vxlan', name: 'vx-test', vni: 4242, local: '198.18.7.1', parent: 'under0' });
    expect(vxlan).toMatchObject({ kind: 'vxlan', vni: 4242 });
    const shown = await inNetns(kernel.netns, ['ip', '-d', 'link', 'show', 'vx-test']);
    expect(shown).toMatch(/vxlan id 4242 local 198\.18\.7\.1 dev under0/);
    expect(shown).toContain('dstport 4789');
    expect(shown).toContain('nolearning');
  });

  test('vlan and dummy links are refused here with a typed error naming the kind (this kernel lacks them)', async (context) => {
    const kernel = await kernelIn(context);
    await kernel.links.create({ kind: 'veth', name: 'trunk0', peer: { name: 'trunk1' } });
    const vlan = await kernel.links.create({ kind: 'vlan', name: 'trunk0.100', parent: 'trunk0', vlanId: 100 }).then(
      (link) => link,
      (error: unknown) => error,
    );
    if (vlan instanceof BerthError) {
      expect(vlan.code).toBe('KERNEL_UNSUPPORTED');
      expect(vlan.message).toContain('create vlan link trunk0.100');
    } else {
      // A kernel with 8021q (the full-kernel lane): then it must really be VLAN 100.
      expect(vlan).toMatchObject({ kind: 'vlan', vlanId: 100 });
    }
  });
});

describe('typed errors', () => {
  test('creating a link whose name exists is LINK_EXISTS naming the link', async (context) => {
    const kernel = await kernelIn(context);
    await kernel.links.create({ kind: 'bridge', name: 'dup0' });
    const error = await kernel.links.create({ kind: 'bridge', name: 'dup0' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'LINK_EXISTS', errno: 'EEXIST', object: 'dup0', operation: 'create bridge link' });
    expect((error as Error).message).toBe('create bridge link dup0: EEXIST');
  });

  test('deleting a missing link is LINK_NOT_FOUND; remove() of a missing link succeeds', async (context) => {
    const kernel = await kernelIn(context);
    await expect(kernel.links.delete('nope0')).rejects.toMatchObject({ code: 'LINK_NOT_FOUND', object: 'nope0' });
    await expect(kernel.links.remove('nope0')).resolves.toBeUndefined();
  });

  test('a macvlan on a missing parent names the parent', async (context) => {
    const kernel = await kernelIn(context);
    await expect(kernel.links.create({ kind: 'macvlan', name: 'mv0', parent: 'eth9', mode: 'bridge' })).rejects.toMatchObject({
      code: 'LINK_NOT_FOUND', object: 'eth9',
    });
    expect(await kernel.links.find('mv0')).toBeUndefined();
  });

  test('bad names and ids are rejected before the kernel is asked', async (context) => {
    const kernel = await kernelIn(context);
    await expect(kernel.links.create({ kind: 'bridge', name: 'much-too-long-name' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(kernel.links.create({ kind: 'vlan', name: 'x.5000', parent: 'lo', vlanId: 5000 })).rejects.toThrow(/vlan id 5000 of x\.5000: must be 1-4094/);
  });

  test('a bad namespace path is NETNS_NOT_FOUND naming the path', () => {
    const path = `/run/netns/berth-missing-${randomSuffix()}`;
    expect(() => openNetnsKernel({ path })).toThrow(BerthError);
    expect(() => openNetnsKernel({ path })).toThrow(`open network namespace ${path}: ENOENT`);
    expect(() => openNetnsKernel({ path: '/etc/hostname' })).toThrow(/not a network namespace/);
  });
});
