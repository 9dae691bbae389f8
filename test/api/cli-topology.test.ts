import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';
import { berth } from './cli-harness.js';
import type { Topology } from '../../src/topology/index.js';

let rig: ApiRig;
beforeEach(async () => {
  rig = await startApi();
});
afterEach(async () => {
  await rig.close();
});

async function ok(args: readonly string[]): Promise<string> {
  const result = await berth(rig, args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** Two networks, web on both with a published port, db on one. */
async function scene(): Promise<{ front: string; back: string }> {
  const front = (await ok(['network', 'create', '--subnet', '10.90.0.0/24', 'front'])).trim();
  const back = (await ok(['network', 'create', '--subnet', '10.91.0.0/24', '-o', 'com.docker.network.bridge.name=br-back', 'back'])).trim();
  await ok(['run', '-d', '--name', 'web', '--network', 'front', '--network', 'back', '-p', '8080:80', '--', 'sleep', '60']);
  await ok(['run', '-d', '--name', 'db', '--network', 'back', '--', 'sleep', '60']);
  return { front, back };
}

describe('berth topology', () => {
  test('--format json: networks with bridge names, sandboxes with ethN, IP, MAC and published ports', async () => {
    const { front, back } = await scene();
    const topology = JSON.parse(await ok(['topology', '--format', 'json'])) as Topology;
    // Sorted by name; host and none have no device and no sandboxes, so they are left out.
    expect(topology.networks.map((network) => network.name)).toEqual(['back', 'bridge', 'front']);
    expect(topology.networks[0]?.device).toEqual({ kind: 'bridge', name: 'br-back' });
    expect(topology.networks[2]).toMatchObject({ id: front, driver: 'bridge', subnets: [{ subnet: '10.90.0.0/24', gateway: '10.90.0.1' }], device: { kind: 'bridge', name: `br-${front.slice(0, 12)}` } });
    const web = topology.sandboxes.find((sandbox) => sandbox.name === 'web');
    expect(web?.endpoints.map((endpoint) => [endpoint.interfaceName, endpoint.networkId, endpoint.ipv4])).toEqual([['eth0', front, '10.90.0.2'], ['eth1', back, '10.91.0.2']]);
    expect(web?.endpoints[0]?.mac).toMatch(/^02:42:/);
    expect(web?.ports).toEqual([{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });

  test('text by default (no colour off a terminal, nor with NO_COLOR), dot and mermaid', async () => {
    await scene();
    const text = await ok(['topology']);
    expect(text).toMatch(/^front \(bridge, 10\.90\.0\.0\/24 gw 10\.90\.0\.1\) bridge br-[0-9a-f]{12}\n {2}└─ web {2}eth0 10\.90\.0\.2 02:42:\S+ {2}ports 0\.0\.0\.0:8080 -> 80\/tcp$/m);
    expect(text).not.toContain('\u001b[');
    expect(await ok(['topology', '--format', 'dot'])).toMatch(/^graph berth \{\n/);
    expect(await ok(['topology', '--format', 'mermaid'])).toMatch(/^flowchart LR\n/);
    const bad = await berth(rig, ['topology', '--format', 'png']);
    expect([bad.code, bad.stderr]).toEqual([1, 'unsupported --format "png": use text or json or dot or mermaid or svg\n']);
  });
});

describe('--format templates', () => {
  test('network ls and ps: fields, json of a row, \\t; anything else is refused', async () => {
    await scene();
    expect(await ok(['network', 'ls', '-f', 'type=custom', '--format', '{{.Name}}\\t{{.Driver}}'])).toBe('front\tbridge\nback\tbridge\n');
    const [row] = (await ok(['network', 'ls', '-f', 'name=front', '--format', '{{json .}}'])).trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(row).toMatchObject({ Name: 'front', Driver: 'bridge', Scope: 'local', IPv6: 'false', Internal: 'false' });
    expect(await ok(['ps', '--format', '{{.Names}} {{.Networks}} {{.Ports}}'])).toBe('web front,back 0.0.0.0:8080->80/tcp\ndb back \n');
    const unknownField = await berth(rig, ['ps', '--format', '{{.Nope}}']);
    expect([unknownField.code, unknownField.stderr]).toEqual([1, "template: can't evaluate field Nope\n"]);
    const range = await berth(rig, ['network', 'ls', '--format', '{{range .}}x{{end}}']);
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('unsupported template action {{range .}}');
  });
});

describe('exit codes', () => {
  test('0 on success and --help, 1 on a usage error, an unknown command or a daemon error', async () => {
    expect((await berth(rig, ['topology', '--help'])).code).toBe(0);
    expect((await berth(rig, ['nope'])).code).toBe(1);
    expect((await berth(rig, ['network', 'ls', '--bogus'])).code).toBe(1);
    expect((await berth(rig, ['network', 'rm', 'missing'])).code).toBe(1);
  });
});
