import { afterEach, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { createFirewall } from '../../src/kernel/linux/firewall/index.js';
import { createRig } from './controller-harness.js';
import type { ControllerRig } from './controller-harness.js';

let rig: ControllerRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function reachable(netnsPath: string, ip: string): Promise<boolean> {
  const result = await execa('nsenter', [`--net=${netnsPath}`, 'ping', '-c', '1', '-W', '1', ip], { reject: false });
  return result.exitCode === 0;
}

function ipOf(cidr: string | undefined): string {
  return (cidr ?? '').split('/')[0] ?? '';
}

describe.each(['nftables', 'iptables'] as const)('bridge networks with %s rules, proven with traffic', (backend) => {
  test('isolation between networks, ICC off, internal networks, masquerade and no direct access from outside', async () => {
    rig = await createRig({ firewall: createFirewall({ backend }) });
    const c = rig.controller;
    await c.createNetwork({ name: 'red', ipam: { config: [{ subnet: '10.81.0.0/24' }] } });
    await c.createNetwork({ name: 'blue', ipam: { config: [{ subnet: '10.82.0.0/24' }] } });
    await c.createNetwork({ name: 'quiet', options: { 'com.docker.network.bridge.enable_icc': 'false' }, ipam: { config: [{ subnet: '10.83.0.0/24' }] } });
    await c.createNetwork({ name: 'inner', internal: true, ipam: { config: [{ subnet: '10.84.0.0/24' }] } });
    const red1 = (await c.createSandbox({ name: 'red1', networks: [{ network: 'red' }] })).sandbox;
    const red2 = await c.createSandbox({ name: 'red2', networks: [{ network: 'red' }] });
    const blue1 = await c.createSandbox({ name: 'blue1', networks: [{ network: 'blue' }] });
    const quiet1 = (await c.createSandbox({ name: 'quiet1', networks: [{ network: 'quiet' }] })).sandbox;
    const quiet2 = await c.createSandbox({ name: 'quiet2', networks: [{ network: 'quiet' }] });
    const inner1 = (await c.createSandbox({ name: 'inner1', networks: [{ network: 'inner' }] })).sandbox;
    const inner2 = await c.createSandbox({ name: 'inner2', networks: [{ network: 'inner' }] });
    const router = rig.lab.router.ip;

    expect(await reachable(red1.netnsPath, ipOf(red2.endpoints[0]?.endpoint.address))).toBe(true);
    expect(await reachable(red1.netnsPath, ipOf(blue1.endpoints[0]?.endpoint.address))).toBe(false);
    expect(await reachable(blue1.sandbox.netnsPath, ipOf(red2.endpoints[0]?.endpoint.address))).toBe(false);
    expect(await reachable(quiet1.netnsPath, ipOf(quiet2.endpoints[0]?.endpoint.address))).toBe(false);
    expect(await reachable(quiet1.netnsPath, '10.83.0.1')).toBe(true);
    expect(await reachable(inner1.netnsPath, ipOf(inner2.endpoints[0]?.endpoint.address))).toBe(true);
    expect(await reachable(inner1.netnsPath, router)).toBe(false);
    // The router has no route back to 10.81.0.0/24: a reply proves the host masqueraded.
    expect(await reachable(red1.netnsPath, router)).toBe(true);

    // Outside → sandbox IP, with a route via the lab host: dropped (not published).
    await rig.lab.run(rig.lab.router.netns, ['ip', 'route', 'add', '10.81.0.0/24', 'via', rig.host.ip]);
    expect(await reachable(rig.lab.router.netns.path, ipOf(red2.endpoints[0]?.endpoint.address))).toBe(false);

    // Removing a network removes exactly its rules: the ruleset returns to what it was.
    const before = await rig.kernel.firewall.listOwn(rig.host.netns);
    await c.createNetwork({ name: 'temp', ipam: { config: [{ subnet: '10.85.0.0/24' }] } });
    expect(await rig.kernel.firewall.listOwn(rig.host.netns)).not.toBe(before);
    await c.removeNetwork('temp');
    expect(await rig.kernel.firewall.listOwn(rig.host.netns)).toBe(before);
  });

  test('BERTH-USER: an admin rule there is evaluated first and survives berth\'s changes', async () => {
    rig = await createRig({ firewall: createFirewall({ backend }) });
    await rig.controller.createNetwork({ name: 'red', ipam: { config: [{ subnet: '10.81.0.0/24' }] } });
    const red1 = (await rig.controller.createSandbox({ name: 'red1', networks: [{ network: 'red' }] })).sandbox;
    expect(await reachable(red1.netnsPath, rig.lab.router.ip)).toBe(true);
    const drop = backend === 'nftables'
      ? ['nft', 'add', 'rule', 'inet', 'berth', 'user', 'ip', 'daddr', rig.lab.router.ip, 'drop']
      : ['iptables', '-A', 'BERTH-USER', '-d', rig.lab.router.ip, '-j', 'DROP'];
    await rig.lab.run(rig.host.netns, drop);
    expect(await reachable(red1.netnsPath, rig.lab.router.ip)).toBe(false);
    await rig.controller.createNetwork({ name: 'blue', ipam: { config: [{ subnet: '10.82.0.0/24' }] } });
    await rig.controller.removeNetwork('blue');
    expect(await reachable(red1.netnsPath, rig.lab.router.ip)).toBe(false);
  });

});

describe('without a firewall', () => {
  test('negative control: without a firewall the router reaches the sandbox directly and networks are not isolated', async () => {
    rig = await createRig();
    await rig.controller.createNetwork({ name: 'red', ipam: { config: [{ subnet: '10.81.0.0/24' }] } });
    await rig.controller.createNetwork({ name: 'blue', ipam: { config: [{ subnet: '10.82.0.0/24' }] } });
    const red1 = await rig.controller.createSandbox({ name: 'red1', networks: [{ network: 'red' }] });
    const blue1 = await rig.controller.createSandbox({ name: 'blue1', networks: [{ network: 'blue' }] });
    await rig.lab.run(rig.lab.router.netns, ['ip', 'route', 'add', '10.81.0.0/24', 'via', rig.host.ip]);
    expect(await reachable(rig.lab.router.netns.path, ipOf(red1.endpoints[0]?.endpoint.address))).toBe(true);
    expect(await reachable(red1.sandbox.netnsPath, ipOf(blue1.endpoints[0]?.endpoint.address))).toBe(true);
  });
});
