import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCluster } from '../../src/lab/index.js';
import type { ClusterRig } from '../../src/lab/index.js';
import { berth, endpointOf, until } from './cluster-support.js';

let rig: ClusterRig;

beforeAll(async () => {
  rig = await startCluster({ hosts: 3, args: ['--dns-timeout', '500'] });
}, 90_000);
afterAll(async () => {
  await rig.close();
});

interface NetworkFacts {
  readonly Id: string;
  readonly Name: string;
  readonly IPAM: { readonly Config: readonly { readonly Subnet: string }[] };
}

describe('allocations under concurrent changes from every host', () => {
  test('networks created at once on all hosts get distinct VNIs and subnets, and every host lists them all', async () => {
    const names = rig.nodes.flatMap((_node, index) => [`race${index}a`, `race${index}b`]);
    await Promise.all(rig.nodes.map(async (node, index) => {
      await Promise.all([`race${index}a`, `race${index}b`].map((name) => berth(node, ['network', 'create', '-d', 'overlay', name])));
    }));
    for (const node of rig.nodes) {
      await until(`all networks on ${node.host.name}`, async () => {
        const listed = (await node.api('GET', '/networks')).body as NetworkFacts[];
        return names.every((name) => listed.some((network) => network.Name === name)) ? true : undefined;
      });
    }
    const listed = ((await rig.node(0).api('GET', '/networks')).body as NetworkFacts[]).filter((network) => names.includes(network.Name));
    const subnets = listed.map((network) => network.IPAM.Config[0]?.Subnet);
    expect(new Set(subnets).size).toBe(names.length);
    const vnis = await Promise.all(listed.map(async (network) => {
      const details = await rig.node(1).run(['ip', '-d', 'link', 'show', `vx-${network.Id.slice(0, 12)}`]);
      return /vxlan id (\d+)/.exec(details)?.[1];
    }));
    expect(new Set(vnis).size).toBe(names.length);
    expect(vnis.every((vni) => Number(vni) >= 4096)).toBe(true);
    // The same name from two hosts at once: exactly one wins.
    const results = await Promise.all(rig.nodes.map((node) => node.berth(['network', 'create', '-d', 'overlay', 'same-name'])));
    expect(results.filter((result) => result.exitCode === 0)).toHaveLength(1);
  }, 60_000);

  test('sandboxes attached at once on all hosts get distinct addresses and all reach each other', async () => {
    await berth(rig.node(0), ['network', 'create', '-d', 'overlay', '--subnet', '10.80.0.0/24', 'crowd']);
    for (const node of rig.nodes) await until(`crowd on ${node.host.name}`, async () => ((await node.api('GET', '/networks/crowd')).status === 200 ? true : undefined));
    const sandboxes = rig.nodes.flatMap((node, index) => [0, 1, 2, 3].map((n) => ({ node, name: `s${index}${n}` })));
    await Promise.all(sandboxes.map(({ node, name }) => berth(node, ['run', '-d', '--name', name, '--network', 'crowd', '--', 'sleep', '600'])));
    const addresses = await Promise.all(sandboxes.map(({ node, name }) => endpointOf(node, { name, network: 'crowd' })));
    expect(new Set(addresses.map((address) => address.ip)).size).toBe(sandboxes.length);
    const first = sandboxes[0];
    const last = addresses[addresses.length - 1];
    if (first === undefined || last === undefined) throw new Error('no sandboxes');
    const ping = await until('ping across the crowd', async () => berth(first.node, ['exec', first.name, '--', 'ping', '-c', '1', '-W', '1', last.ip]));
    expect(ping).toContain('1 received');
  }, 60_000);
});
