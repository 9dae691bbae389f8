import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import type { Topology } from '../../src/topology/index.js';

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-topo' });
});
afterAll(async () => {
  await rig.close();
});

async function berth(args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

describe('berth topology against berthd in a lab', () => {
  test('two networks, two sandboxes, a published port: json matches the kernel, dot and svg have the structure', async () => {
    const front = (await berth(['network', 'create', '--subnet', '10.94.0.0/24', 'front'])).trim();
    const back = (await berth(['network', 'create', '--subnet', '10.95.0.0/24', 'back'])).trim();
    await berth(['run', '-d', '--name', 'web', '--network', 'front', '--network', 'back', '--ip', '10.94.0.10', '-p', '8080:80', '--', 'sleep', '600']);
    await berth(['run', '-d', '--name', 'db', '--network', 'back', '--ip', '10.95.0.20', '--', 'sleep', '600']);

    const topology = JSON.parse(await berth(['topology', '--format', 'json'])) as Topology;
    expect(topology.networks.map((network) => [network.name, network.device])).toEqual([
      ['back', { kind: 'bridge', name: `br-${back.slice(0, 12)}` }],
      ['bridge', { kind: 'bridge', name: 'berth0' }],
      ['front', { kind: 'bridge', name: `br-${front.slice(0, 12)}` }],
    ]);
    // The devices the model names exist in the lab host.
    for (const network of topology.networks) {
      if (network.device.kind === 'bridge') expect(await rig.lab.run(rig.host.netns, ['ip', '-d', '-o', 'link', 'show', network.device.name])).toContain(' bridge ');
    }
    const web = topology.sandboxes.find((sandbox) => sandbox.name === 'web');
    expect(web?.ports).toEqual([{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(web?.endpoints.map((endpoint) => [endpoint.interfaceName, endpoint.networkName, endpoint.ipv4])).toEqual([['eth0', 'front', '10.94.0.10'], ['eth1', 'back', expect.stringMatching(/^10\.95\.0\./)]]);
    // Interface names and MACs are what the sandbox's kernel has.
    for (const endpoint of web?.endpoints ?? []) {
      const link = await berth(['exec', 'web', '--', 'ip', '-o', 'link', 'show', endpoint.interfaceName]);
      expect(link).toContain(`link/ether ${endpoint.mac ?? 'none'}`);
      expect(await berth(['exec', 'web', '--', 'ip', '-o', '-4', 'addr', 'show', endpoint.interfaceName])).toContain(`${endpoint.ipv4 ?? 'none'}/24`);
    }
    expect(topology.sandboxes.find((sandbox) => sandbox.name === 'db')?.endpoints).toMatchObject([{ interfaceName: 'eth0', networkId: back, ipv4: '10.95.0.20' }]);

    const dot = await berth(['topology', '--format', 'dot']);
    expect(dot.startsWith('graph berth {\n')).toBe(true);
    // 3 networks + 2 sandboxes + 1 port; web–front, web–back, db–back, port–web.
    expect(dot.match(/^ {2}"[^"]+" \[shape=/gm)).toHaveLength(6);
    expect(dot.match(/ -- /g)).toHaveLength(4);
    expect(dot).toContain(`"sandbox:${web?.id.slice(0, 12) ?? ''}" -- "network:${front.slice(0, 12)}" [label="eth0\\n10.94.0.10\\n`);
    expect(dot).toContain('label="0.0.0.0:8080 -> 80/tcp"');
    const svg = await berth(['topology', '--format', 'svg']);
    expect(svg).toContain('<svg');
    expect(svg.match(/class="node"/g)).toHaveLength(6);

    const text = await berth(['topology']);
    expect(text).toMatch(/^front \(bridge, 10\.94\.0\.0\/24 gw 10\.94\.0\.1\) bridge br-[0-9a-f]{12}\n {2}└─ web {2}eth0 10\.94\.0\.10 \S+ {2}ports 0\.0\.0\.0:8080 -> 80\/tcp$/m);

    await berth(['rm', '-f', 'web', 'db']);
    await berth(['network', 'rm', 'front', 'back']);
  });
});
