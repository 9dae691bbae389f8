import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BerthError } from '../../src/errors/index.js';
import { createRig } from './controller-harness.js';
import type { ControllerRig } from './controller-harness.js';
import type { MemoryStore } from '../support/memory-store.js';

let rig: ControllerRig;
beforeEach(async () => {
  rig = await createRig();
});
afterEach(async () => {
  await rig.close();
});

function ipOf(cidr: string | undefined): string {
  return (cidr ?? '').split('/')[0] ?? '';
}

describe('controller with the bridge driver, in a lab', () => {
  test('predefined networks exist and are protected', async () => {
    const names = rig.controller.listNetworks().map((view) => view.network.name).sort();
    expect(names).toEqual(['host', 'none']);
    await expect(rig.controller.removeNetwork('none')).rejects.toMatchObject({ code: 'PREDEFINED_NETWORK', message: 'none is a pre-defined network and cannot be removed' });
    await expect(rig.controller.createNetwork({ name: 'host' })).rejects.toMatchObject({ code: 'PREDEFINED_NETWORK' });
  });

  test('two sandboxes on a bridge network reach each other and their gateway; files and routes are right', async () => {
    const { network } = await rig.controller.createNetwork({ name: 'front', ipam: { config: [{ subnet: '10.88.0.0/24' }] } });
    expect(network.ipam.ipv4[0]?.allocated).toMatchObject({ pool: '10.88.0.0/24', gateway: '10.88.0.1' });
    const a = await rig.controller.createSandbox({ name: 'a', networks: [{ network: 'front' }] });
    const b = await rig.controller.createSandbox({ name: 'b', hostname: 'bee', networks: [{ network: 'front', ipv4Address: '10.88.0.77' }] });
    const addressA = a.endpoints[0]?.endpoint.address;
    expect(addressA).toBe('10.88.0.2/24');
    expect(b.endpoints[0]?.endpoint.address).toBe('10.88.0.77/24');
    expect(await rig.run(a.sandbox.netnsPath, ['ip', '-o', '-4', 'addr', 'show', 'eth0'])).toContain('10.88.0.2/24');
    expect(await rig.run(a.sandbox.netnsPath, ['ip', 'route', 'show', 'default'])).toContain('default via 10.88.0.1 dev eth0');
    await rig.run(a.sandbox.netnsPath, ['ping', '-c', '1', '-W', '2', '10.88.0.77']);
    await rig.run(b.sandbox.netnsPath, ['ping', '-c', '1', '-W', '2', '10.88.0.1']);
    const bridge = `br-${network.id.slice(0, 12)}`;
    expect(await rig.lab.run(rig.host.netns, ['ip', '-d', 'link', 'show', bridge])).toContain(`alias berth:${network.id}`);
    const view = rig.controller.getNetwork('front');
    expect(view.endpoints.map((entry) => entry.sandbox?.name).sort()).toEqual(['a', 'b']);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${rig.host.runDir}/sandboxes/${b.sandbox.id}/hosts`, 'utf8')).toContain('10.88.0.77\tbee');
    expect(ipOf(addressA)).not.toBe('');
  });

  test('connect adds eth1, disconnect removes it, and the default route moves when the gateway network goes', async () => {
    await rig.controller.createNetwork({ name: 'one', ipam: { config: [{ subnet: '10.61.0.0/24' }] } });
    await rig.controller.createNetwork({ name: 'two', ipam: { config: [{ subnet: '10.62.0.0/24' }] } });
    const { sandbox } = await rig.controller.createSandbox({ name: 's', networks: [{ network: 'one' }] });
    const view = await rig.controller.connect({ network: 'two', sandbox: 's', aliases: ['web'] });
    expect(view.endpoints.map((entry) => [entry.network.name, entry.endpoint.interfaceName])).toEqual([['one', 'eth0'], ['two', 'eth1']]);
    expect(await rig.run(sandbox.netnsPath, ['ip', '-o', '-4', 'addr', 'show', 'eth1'])).toContain('10.62.0.2/24');
    await expect(rig.controller.connect({ network: 'two', sandbox: 's' })).rejects.toMatchObject({ code: 'ENDPOINT_EXISTS' });
    await rig.controller.disconnect({ network: 'one', sandbox: 's' });
    expect(await rig.run(sandbox.netnsPath, ['ip', '-o', 'link'])).not.toContain('eth0');
    expect(await rig.run(sandbox.netnsPath, ['ip', 'route', 'show', 'default'])).toContain('default via 10.62.0.1 dev eth1');
    await expect(rig.controller.disconnect({ network: 'one', sandbox: 's' })).rejects.toMatchObject({ code: 'ENDPOINT_NOT_FOUND' });
    await expect(rig.controller.removeNetwork('two')).rejects.toMatchObject({ code: 'NETWORK_HAS_ENDPOINTS' });
    await rig.controller.removeSandbox({ sandbox: 's' });
    await rig.controller.removeNetwork('two');
    await rig.controller.removeNetwork('one');
    expect(await rig.lab.run(rig.host.netns, ['ip', '-o', 'link'])).not.toMatch(/br-|veth/);
    expect(await rig.kernel.netns.list()).toEqual([]);
  });

  test('50 parallel connects to one network get 50 distinct addresses', async () => {
    await rig.controller.createNetwork({ name: 'busy', ipam: { config: [{ subnet: '10.70.0.0/24' }] } });
    const sandboxes = await Promise.all(Array.from({ length: 50 }, (_, index) => rig.controller.createSandbox({ name: `p${index}` })));
    const views = await Promise.all(sandboxes.map((view) => rig.controller.connect({ network: 'busy', sandbox: view.sandbox.id })));
    const addresses = views.map((view) => view.endpoints[0]?.endpoint.address);
    expect(new Set(addresses).size).toBe(50);
    expect(addresses.every((address) => address?.startsWith('10.70.0.'))).toBe(true);
    const links = await rig.lab.run(rig.host.netns, ['ip', '-o', 'link', 'show', 'type', 'veth']);
    expect(links.trim().split('\n').filter((line) => line.includes('@')).length).toBe(51); // 50 endpoints + the lab uplink
  });

  test('a failure half-way (store commit) undoes the connect: no veth left, address free again', async () => {
    const memory = rig.store as MemoryStore;
    await rig.controller.createNetwork({ name: 'flaky', ipam: { config: [{ subnet: '10.71.0.0/24' }] } });
    await rig.controller.createSandbox({ name: 'f' });
    const before = await rig.kernelState();
    memory.failNext = true;
    await expect(rig.controller.connect({ network: 'flaky', sandbox: 'f' })).rejects.toThrow('injected store failure');
    expect(await rig.kernelState()).toEqual(before);
    // The address the failed connect took (10.71.0.2, the first) is free again: asking for it exactly succeeds.
    const view = await rig.controller.connect({ network: 'flaky', sandbox: 'f', ipv4Address: '10.71.0.2' });
    expect(view.endpoints[0]?.endpoint.address).toBe('10.71.0.2/24');
  });
});

describe('bad input changes nothing', () => {
  test.each([
    ['empty name', { name: '' }, 'INVALID_ARGUMENT'],
    ['bad characters', { name: 'a b/c' }, 'INVALID_ARGUMENT'],
    ['unknown driver', { name: 'x', driver: 'nope' }, 'DRIVER_NOT_FOUND'],
    ['unknown IPAM driver', { name: 'x', ipam: { driver: 'nope' } }, 'IPAM_DRIVER_NOT_FOUND'],
    ['subnet with host bits', { name: 'x', ipam: { config: [{ subnet: '10.1.2.3/16' }] } }, 'INVALID_ARGUMENT'],
    ['not a subnet', { name: 'x', ipam: { config: [{ subnet: '10.1.2.300/16' }] } }, 'INVALID_ARGUMENT'],
    ['gateway outside subnet', { name: 'x', ipam: { config: [{ subnet: '10.5.0.0/24', gateway: '10.6.0.1' }] } }, 'INVALID_ARGUMENT'],
    ['ip-range outside subnet', { name: 'x', ipam: { config: [{ subnet: '10.5.0.0/24', ipRange: '10.6.0.0/25' }] } }, 'INVALID_ARGUMENT'],
    ['aux outside subnet', { name: 'x', ipam: { config: [{ subnet: '10.5.0.0/24', auxAddresses: { r: '10.9.9.9' } }] } }, 'INVALID_ARGUMENT'],
    ['IPv6 subnet without --ipv6', { name: 'x', ipam: { config: [{ subnet: 'fd00:1::/64' }] } }, 'INVALID_ARGUMENT'],
    ['two IPv4 subnets on a bridge', { name: 'x', ipam: { config: [{ subnet: '10.6.0.0/24' }, { subnet: '10.6.1.0/24' }] } }, 'INVALID_ARGUMENT'],
    ['unknown bridge option', { name: 'x', options: { 'com.docker.network.bridge.nmae': 'x' } }, 'INVALID_OPTION'],
    ['bad MTU', { name: 'x', options: { 'com.docker.network.driver.mtu': '12' } }, 'INVALID_OPTION'],
    ['predefined name', { name: 'none' }, 'PREDEFINED_NETWORK'],
    ['duplicate name', { name: 'taken' }, 'NETWORK_EXISTS'],
  ])('%s', async (_label, input, code) => {
    await rig.controller.createNetwork({ name: 'taken', ipam: { config: [{ subnet: '10.5.0.0/24' }] } });
    const kernelBefore = await rig.kernelState();
    const networksBefore = rig.controller.listNetworks().map((view) => view.network.id).sort();
    const error = await rig.controller.createNetwork(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message.length).toBeGreaterThan(10);
    expect(await rig.kernelState()).toBe(kernelBefore);
    expect(rig.controller.listNetworks().map((view) => view.network.id).sort()).toEqual(networksBefore);
  });

  test('overlapping subnet, duplicate name, static IP in use or out of range, double connect', async () => {
    await rig.controller.createNetwork({ name: 'taken', ipam: { config: [{ subnet: '10.5.0.0/24', ipRange: '10.5.0.128/25' }] } });
    await rig.controller.createSandbox({ name: 's1', networks: [{ network: 'taken', ipv4Address: '10.5.0.200' }] });
    await rig.controller.createSandbox({ name: 's2' });
    const before = await rig.kernelState();
    await expect(rig.controller.createNetwork({ name: 'other', ipam: { config: [{ subnet: '10.5.0.0/16' }] } })).rejects.toMatchObject({ code: 'POOL_OVERLAP' });
    await expect(rig.controller.createNetwork({ name: 'taken' })).rejects.toMatchObject({ code: 'NETWORK_EXISTS', message: 'network with name taken already exists' });
    await expect(rig.controller.connect({ network: 'taken', sandbox: 's2', ipv4Address: '10.5.0.200' })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await expect(rig.controller.connect({ network: 'taken', sandbox: 's2', ipv4Address: '10.6.0.9' })).rejects.toMatchObject({ code: 'ADDRESS_OUT_OF_RANGE' });
    await expect(rig.controller.connect({ network: 'taken', sandbox: 's2', ipv4Address: '10.5.0.9' })).rejects.toMatchObject({ code: 'ADDRESS_OUT_OF_RANGE' });
    await expect(rig.controller.connect({ network: 'taken', sandbox: 's1' })).rejects.toMatchObject({ code: 'ENDPOINT_EXISTS' });
    await expect(rig.controller.connect({ network: 'nope', sandbox: 's1' })).rejects.toMatchObject({ code: 'NETWORK_NOT_FOUND' });
    await expect(rig.controller.createSandbox({ name: 's1' })).rejects.toMatchObject({ code: 'SANDBOX_EXISTS' });
    expect(await rig.kernelState()).toBe(before);
  });
});

describe('restart reconcile', () => {
  test('a restart with nothing changed changes nothing; a bridge deleted by hand is re-created; a vanished sandbox frees its address', async () => {
    await rig.controller.createNetwork({ name: 'keep', ipam: { config: [{ subnet: '10.77.0.0/24' }] } });
    const a = await rig.controller.createSandbox({ name: 'a', networks: [{ network: 'keep' }] });
    const b = await rig.controller.createSandbox({ name: 'b', networks: [{ network: 'keep' }] });
    const before = await rig.kernelState();
    await rig.restart();
    expect(await rig.kernelState()).toBe(before);
    await rig.run(a.sandbox.netnsPath, ['ping', '-c', '1', '-W', '2', ipOf(b.endpoints[0]?.endpoint.address)]);

    const bridge = `br-${rig.controller.getNetwork('keep').network.id.slice(0, 12)}`;
    await rig.lab.run(rig.host.netns, ['ip', 'link', 'del', bridge]);
    await rig.kernel.netns.remove({ path: b.sandbox.netnsPath });
    await rig.restart();
    expect(await rig.lab.run(rig.host.netns, ['ip', '-o', 'addr', 'show', bridge])).toContain('10.77.0.1/24');
    expect(rig.controller.listSandboxes().map((view) => view.sandbox.name)).toEqual(['a']);
    // b's address was released: asking for it exactly succeeds (it would be ADDRESS_IN_USE otherwise).
    const c = await rig.controller.createSandbox({ name: 'c', networks: [{ network: 'keep', ipv4Address: ipOf(b.endpoints[0]?.endpoint.address) }] });
    expect(c.endpoints[0]?.endpoint.address).toBe(b.endpoints[0]?.endpoint.address);
    // a's veth is back on the re-created bridge, and c's gratuitous ARPs replace a's stale entry for the reused address: a reaches c.
    await rig.run(a.sandbox.netnsPath, ['ping', '-c', '3', '-i', '0.2', '-W', '2', ipOf(c.endpoints[0]?.endpoint.address)]);
  });
});
