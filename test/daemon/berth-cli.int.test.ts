import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon();
});
afterAll(async () => {
  await rig.close();
});

async function berth(args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout;
}

describe('the berth CLI against berthd in a lab', () => {
  test('network create, ls, inspect, connect, disconnect, rm, prune', async () => {
    const id = (await berth(['network', 'create', '--subnet', '10.90.0.0/24', '--gateway', '10.90.0.254', '--label', 'tier=web', 'front'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const listed = await berth(['network', 'ls']);
    expect(listed.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
    expect(listed).toMatch(new RegExp(`${id.slice(0, 12)}\\s+front\\s+bridge\\s+local`));
    expect((await berth(['network', 'ls', '-q', '-f', 'label=tier=web'])).trim()).toBe(id.slice(0, 12));
    const [inspected] = JSON.parse(await berth(['network', 'inspect', 'front'])) as { IPAM: { Config: { Gateway: string }[] } }[];
    expect(inspected?.IPAM.Config[0]?.Gateway).toBe('10.90.0.254');
    await berth(['run', '-d', '--name', 'web', '--', 'sleep', '600']);
    await berth(['network', 'connect', '--ip', '10.90.0.7', '--alias', 'www', 'front', 'web']);
    expect(await berth(['exec', 'web', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).toContain('10.90.0.7/24');
    await berth(['network', 'disconnect', 'front', 'web']);
    await berth(['rm', '-f', 'web']);
    expect((await berth(['network', 'rm', 'front'])).trim()).toBe('front');
    await berth(['network', 'create', 'spare']);
    expect(await berth(['network', 'prune', '-f'])).toContain('spare');
  });

  test('run: foreground exit code, hostname and /etc/hosts inside, two sandboxes ping each other, ps and rm', async () => {
    await berth(['network', 'create', '--subnet', '10.91.0.0/24', 'pair']);
    const exited = await rig.berth(['run', '--rm', '--network', 'pair', '--', 'sh', '-c', 'exit 7']);
    expect(exited.exitCode).toBe(7);
    await berth(['run', '-d', '--name', 'one', '--hostname', 'uno', '--network', 'pair', '--ip', '10.91.0.11', '--', 'sleep', '600']);
    await berth(['run', '-d', '--name', 'two', '--network', 'pair', '--ip', '10.91.0.12', '--', 'sleep', '600']);
    expect((await berth(['exec', 'one', '--', 'hostname'])).trim()).toBe('uno');
    expect(await berth(['exec', 'one', '--', 'cat', '/etc/hosts'])).toContain('10.91.0.11\tuno');
    await berth(['exec', 'one', '--', 'ping', '-c', '1', '-W', '2', '10.91.0.12']);
    const ps = await berth(['ps']);
    expect(ps).toMatch(/one\s+sleep 600\s+Up\s+pair:10\.91\.0\.11/);
    await berth(['rm', '-f', 'one', 'two']);
    expect((await berth(['ps', '-a', '-q'])).trim()).toBe('');
    expect(await rig.lab.run(rig.host.netns, ['ip', '-o', 'link'])).not.toContain('veth');
  });

  test('errors: exit 1 with the daemon\'s message; unreachable daemon named', async () => {
    const missing = await rig.berth(['network', 'rm', 'nope']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.trim()).toBe('Error response from daemon: network nope not found');
    const bad = await rig.berth(['network', 'create', '--subnet', '10.92.0.0/24', '--ip-range', '10.93.0.0/25', 'x']);
    expect(bad.stderr).toContain('ip-range 10.93.0.0/25 is not inside subnet 10.92.0.0/24');
    const away = await rig.berth(['--host', 'unix:///tmp/berth-nowhere.sock', 'network', 'ls']);
    expect(away.exitCode).toBe(1);
    expect(away.stderr).toContain('cannot reach berthd at unix:///tmp/berth-nowhere.sock');
    expect((await rig.berth(['version'])).stdout).toMatch(/Client: berth \d+\.\d+\.\d+\nServer: berthd/);
  });
});

describe('sandbox files follow connects', () => {
  test('a running process sees /etc/hosts change when its sandbox joins another network (bind mount keeps the inode)', async () => {
    await berth(['network', 'create', '--subnet', '10.97.0.0/24', 'first']);
    await berth(['network', 'create', '--subnet', '10.98.0.0/24', 'second']);
    await berth(['run', '-d', '--name', 'watch', '--hostname', 'watch', '--network', 'first', '--', 'sleep', '600']);
    expect(await berth(['exec', 'watch', '--', 'cat', '/etc/hosts'])).not.toContain('10.98.0.');
    await berth(['network', 'connect', '--ip', '10.98.0.5', 'second', 'watch']);
    expect(await berth(['exec', 'watch', '--', 'cat', '/etc/hosts'])).toContain('10.98.0.5\twatch');
    await berth(['rm', '-f', 'watch']);
  });
});
