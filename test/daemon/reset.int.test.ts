import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

let rig: DaemonRig;
beforeAll(async () => {
  rig = await startDaemon({ prefix: 'berth-rst' });
});
afterAll(async () => {
  await rig.close();
});

async function berth(args: readonly string[]): Promise<string> {
  const result = await rig.berth(args);
  if (result.exitCode !== 0) throw new Error(`berth ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** What berth left in the lab host: links with berth's alias or names, its nft tables, sandbox namespaces. */
async function leftovers(): Promise<string[]> {
  const links = (await rig.lab.run(rig.host.netns, ['ip', '-o', '-d', 'link', 'show'])).split('\n')
    .filter((line) => /alias berth:|^\d+: (berth0|br-[0-9a-f]{12}|veth[0-9a-f]+)[:@]/.test(line)).map((line) => `link ${line.split(':')[1]?.trim() ?? line}`);
  const tables = (await rig.lab.run(rig.host.netns, ['nft', 'list', 'tables'])).split('\n').filter((line) => /berth/.test(line)).map((line) => `nft ${line}`);
  const namespaces = readdirSync(join(rig.host.runDir, 'netns'), { withFileTypes: true }).map((entry) => `netns ${entry.name}`);
  return [...links, ...tables, ...namespaces];
}

describe('berth system reset --force', () => {
  test('removes every sandbox, network, bridge, veth and firewall table from the kernel and the store, then berthd stops', async () => {
    await berth(['network', 'create', '--subnet', '10.64.0.0/24', 'front']);
    await berth(['network', 'create', '--internal', 'back']);
    await berth(['run', '-d', '--name', 'web', '--network', 'front', '-p', '8080:80', '--', 'sleep', '600']);
    await berth(['network', 'connect', 'back', 'web']);
    await berth(['run', '-d', '--name', 'idle', '--network', 'bridge', '--', 'sleep', '600']);
    expect((await leftovers()).length).toBeGreaterThan(4);

    const exited = new Promise((resolve) => rig.daemon.once('exit', resolve));
    const reset = await rig.berth(['system', 'reset', '--force']);
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('removed sandbox web\nremoved sandbox idle\n');
    expect(reset.stdout).toContain('removed network front\nremoved network back\n');
    expect(reset.stdout).toMatch(/2 sandboxes, 2 networks removed\nberthd is stopping and removing its bridges and firewall rules\.\.\.\nberthd stopped$/);
    await Promise.race([exited, sleep(10_000)]);
    expect(rig.daemon.exitCode).toBe(0);
    const left = await leftovers();
    expect(left, `${left.join("\n")}\n${rig.output.join("").split("\n").filter((line) => /reset|stopping|berth0/.test(line)).join("\n")}`).toEqual([]);

    // The store kept only the predefined networks: a new start re-creates them and nothing else.
    await rig.start();
    expect((await berth(['network', 'ls', '--format', 'json'])).match(/"Name": "(\w+)"/g)?.sort()).toEqual(['"Name": "bridge"', '"Name": "host"', '"Name": "none"']);
    expect((await berth(['ps', '-a', '-q'])).trim()).toBe('');
    expect(await rig.lab.run(rig.host.netns, ['ip', '-o', 'link', 'show', 'berth0'])).toContain('berth0');
  });
});
