import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startApi } from './api-harness.js';
import type { ApiRig } from './api-harness.js';
import { berth } from './cli-harness.js';

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

describe('berth network', () => {
  test('create sends Docker\'s body (subnets pair with ranges and gateways by position) and prints the id', async () => {
    const id = (await ok([
      'network', 'create', '--subnet', '10.80.0.0/24', '--ip-range', '10.80.0.128/25', '--gateway', '10.80.0.254', '--subnet', '10.81.0.0/24',
      '--aux-address', 'router=10.80.0.2', '--internal', '--attachable', '-o', 'com.docker.network.bridge.name=br-back', '--label', 'tier=db', 'back',
    ])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const [inspect] = JSON.parse(await ok(['network', 'inspect', 'back'])) as { Id: string; Internal: boolean; Attachable: boolean; Labels: unknown; Options: unknown; IPAM: { Config: unknown[] } }[];
    expect(inspect).toMatchObject({ Id: id, Internal: true, Attachable: true, Labels: { tier: 'db' }, Options: { 'com.docker.network.bridge.name': 'br-back' } });
    expect(inspect?.IPAM.Config).toEqual([
      { Subnet: '10.80.0.0/24', IPRange: '10.80.0.128/25', Gateway: '10.80.0.254', AuxiliaryAddresses: { router: '10.80.0.2' } },
      { Subnet: '10.81.0.0/24', Gateway: '10.81.0.1' },
    ]);
  });

  test('create: flag errors are local (exit 1), daemon errors print Error response from daemon', async () => {
    const orphan = await berth(rig, ['network', 'create', '--gateway', '10.0.0.1', 'x']);
    expect([orphan.code, orphan.stderr]).toEqual([1, 'every --ip-range and --gateway needs a --subnet (they pair up by position)\n']);
    const badOption = await berth(rig, ['network', 'create', '-o', 'novalue', 'x']);
    expect(badOption.stderr).toBe('invalid argument "novalue" for "--opt" flag: expected key=value\n');
    await ok(['network', 'create', 'dup']);
    const dup = await berth(rig, ['network', 'create', 'dup']);
    expect([dup.code, dup.stdout, dup.stderr]).toEqual([1, '', 'Error response from daemon: network with name dup already exists\n']);
    const missing = await berth(rig, ['network', 'create']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing required argument 'name'");
  });

  test('ls: aligned table, -q, -f, --format json', async () => {
    const id = (await ok(['network', 'create', '--label', 'tier=web', 'front'])).trim();
    const lines = (await ok(['network', 'ls'])).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NETWORK ID {5}NAME {5}DRIVER {3}SCOPE$/);
    expect(lines).toContain(`${id.slice(0, 12)}   front    bridge   local`);
    expect(lines).toHaveLength(5);
    expect(await ok(['network', 'ls', '-q', '-f', 'label=tier=web'])).toBe(`${id.slice(0, 12)}\n`);
    expect((JSON.parse(await ok(['network', 'ls', '-f', 'type=custom', '--format', 'json'])) as { Name: string }[]).map((entry) => entry.Name)).toEqual(['front']);
    const badFilter = await berth(rig, ['network', 'ls', '-f', 'colour=red']);
    expect([badFilter.code, badFilter.stderr]).toEqual([1, "Error response from daemon: invalid filter 'colour'\n"]);
    expect((await berth(rig, ['network', 'ls', '--format', 'yaml'])).stderr).toBe('unsupported --format "yaml": use table or json\n');
  });

  test('inspect: a JSON array in argument order; a missing one fails', async () => {
    await ok(['network', 'create', 'a']);
    const both = JSON.parse(await ok(['network', 'inspect', 'bridge', 'a'])) as { Name: string }[];
    expect(both.map((entry) => entry.Name)).toEqual(['bridge', 'a']);
    const missing = await berth(rig, ['network', 'inspect', 'nope']);
    expect([missing.code, missing.stderr]).toEqual([1, 'Error response from daemon: network nope not found\n']);
  });

  test('rm prints each name; a failure is reported, the rest still removed, exit 1', async () => {
    await ok(['network', 'create', 'a']);
    await ok(['network', 'create', 'b']);
    const result = await berth(rig, ['network', 'rm', 'a', 'bridge', 'b']);
    expect(result).toMatchObject({ code: 1, stdout: 'a\nb\n', stderr: 'Error response from daemon: bridge is a pre-defined network and cannot be removed\n' });
    expect(rig.controller.networks.size).toBe(3);
  });

  test('connect and disconnect', async () => {
    await ok(['network', 'create', '--subnet', '10.82.0.0/24', 'back']);
    await ok(['run', '-d', '--name', 'web', '--', 'sleep', '60']);
    expect(await ok(['network', 'connect', '--ip', '10.82.0.10', '--alias', 'www', '--alias', 'site', 'back', 'web'])).toBe('');
    const [endpoint] = [...rig.controller.endpoints.values()];
    expect(endpoint).toMatchObject({ address: '10.82.0.10/24', aliases: ['www', 'site'] });
    const again = await berth(rig, ['network', 'connect', 'back', 'web']);
    expect([again.code, again.stderr]).toEqual([1, 'Error response from daemon: endpoint with name web already exists in network back\n']);
    expect(await ok(['network', 'disconnect', '-f', 'back', 'web'])).toBe('');
    expect(rig.controller.endpoints.size).toBe(0);
    const gone = await berth(rig, ['network', 'disconnect', 'back', 'web']);
    expect([gone.code, gone.stderr]).toEqual([1, 'Error response from daemon: container web is not connected to network back\n']);
  });

  test('prune: -f prunes; a terminal is asked y/N; without a terminal it refuses', async () => {
    await ok(['network', 'create', 'spare']);
    const refused = await berth(rig, ['network', 'prune']);
    expect([refused.code, refused.stderr]).toEqual([1, 'network prune needs confirmation: stdin is not a terminal, add -f to prune without asking\n']);
    const declined = await berth(rig, ['network', 'prune'], { interactive: true, answer: 'n' });
    expect([declined.code, declined.prompts.length, declined.stderr]).toEqual([1, 1, 'network prune has been cancelled\n']);
    expect(declined.prompts[0]).toContain('[y/N]');
    expect(rig.controller.networks.size).toBe(4);
    const accepted = await berth(rig, ['network', 'prune'], { interactive: true, answer: 'y' });
    expect([accepted.code, accepted.stdout]).toEqual([0, 'Deleted Networks:\nspare\n']);
    await ok(['network', 'create', '--label', 'keep', 'kept']);
    await ok(['network', 'create', 'other']);
    expect(await ok(['network', 'prune', '-f', '--filter', 'label!=keep'])).toBe('Deleted Networks:\nother\n');
    expect(await ok(['network', 'prune', '-f', '--filter', 'until=2000-01-01T00:00:00Z'])).toBe('');
  });

  test('--help shows examples', async () => {
    for (const command of ['create', 'ls', 'inspect', 'rm', 'connect', 'disconnect', 'prune']) {
      const help = await berth(rig, ['network', command, '--help']);
      expect([command, help.code]).toEqual([command, 0]);
      expect(help.stdout).toContain('Example');
    }
  });
});
