import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import {
  RUN_ID_VARIABLE,
  assertNoLeftovers,
  diffSnapshots,
  findLeftovers,
  takeSnapshot,
} from './leak-check.js';
import { createTestNetns, inNetns, randomSuffix } from './test-netns.js';

// These prove the leak check catches what a test leaves behind. Nothing here touches the root
// namespace's links, routes or firewall: the only root-visible objects made are a named network
// namespace (with its bind mount) and a sleeping process; links and firewall state are made inside
// a throwaway namespace that the snapshot is pointed at.
//
// Other processes on the host may create objects while these run, so host-wide checks look only at
// the objects these tests name; checks inside a private namespace compare the exact lists.

/** Kinds of object that live in a network namespace (the rest are host-wide). */
const PER_NETNS = /^(link|nft-table|iptables) /;

const mentioning = (needle: string) => (object: string) => object.includes(needle);

/** Waits until a child has exec'd (until then its cmdline is still node's). */
async function execed(pid: number | undefined, argv0: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.startsWith(`${argv0}\0`)) return;
    await sleep(20);
  }
  throw new Error(`process ${pid} never became ${argv0}`);
}

describe('leak check', () => {
  test('reports a namespace left in the host, with its bind mount, and nothing once it is deleted', async ({
    onTestFinished,
  }) => {
    const name = `berth-leak-${randomSuffix(4)}`;
    const before = await takeSnapshot();
    expect(before.unavailable.has('netns')).toBe(false);
    expect([...before.objects].filter(mentioning(name))).toEqual([]);

    await execa('ip', ['netns', 'add', name]);
    onTestFinished(async () => {
      await execa('ip', ['netns', 'delete', name], { reject: false });
    });
    const leaked = diffSnapshots(before, await takeSnapshot());
    expect(leaked.filter(mentioning(name))).toEqual([`netns ${name}`, `mount /run/netns/${name} (nsfs)`]);

    await execa('ip', ['netns', 'delete', name]);
    expect(diffSnapshots(before, await takeSnapshot()).filter(mentioning(name))).toEqual([]);
  });

  test('reports links, nft tables and iptables chains and rules left in the namespace it inspects', async (context) => {
    const netns = await createTestNetns(context, 'berth-leak');
    const before = await takeSnapshot({ netns: netns.path });
    expect(before.netns).toBe(netns.path);
    expect(before.unavailable).toEqual(new Map());
    expect([...before.objects].filter((object) => PER_NETNS.test(object))).toEqual(['link lo']);

    const id = randomSuffix(3);
    await inNetns(netns, ['ip', 'link', 'add', `lka-${id}`, 'type', 'veth', 'peer', 'name', `lkb-${id}`]);
    await inNetns(netns, ['nft', 'add', 'table', 'inet', `berth_leak_${id}`]);
    await inNetns(netns, ['iptables', '-N', 'BERTH-LEAK']);
    await inNetns(netns, ['iptables', '-A', 'FORWARD', '-j', 'BERTH-LEAK']);

    const leaked = diffSnapshots(before, await takeSnapshot({ netns: netns.path }));
    expect(leaked.filter((object) => PER_NETNS.test(object))).toEqual([
      `link lka-${id}`,
      `link lkb-${id}`,
      `nft-table inet berth_leak_${id}`,
      // The chain brought the whole filter table into being, built-in chains too; iptables-nft
      // (Debian 12's default) keeps it as nft table `ip filter`.
      'nft-table ip filter',
      'iptables ipv4 filter chain BERTH-LEAK',
      'iptables ipv4 filter chain FORWARD',
      'iptables ipv4 filter chain INPUT',
      'iptables ipv4 filter chain OUTPUT',
      'iptables ipv4 filter rule -A FORWARD -j BERTH-LEAK',
    ]);
    // The host itself gained none of these.
    expect(diffSnapshots(await takeSnapshot(), await takeSnapshot()).filter(mentioning(id))).toEqual([]);

    await inNetns(netns, ['ip', 'link', 'delete', `lka-${id}`]); // takes its peer along
    await inNetns(netns, ['nft', 'delete', 'table', 'inet', `berth_leak_${id}`]);
    await inNetns(netns, ['nft', 'delete', 'table', 'ip', 'filter']); // iptables-nft's table, as Debian 12 has it
    const after = await findLeftovers(before);
    expect(after.filter((object) => PER_NETNS.test(object))).toEqual([]);
  });

  test('reports a leftover daemon or VM process, and nothing once it has exited', async ({
    onTestFinished,
  }) => {
    const before = await takeSnapshot();
    const argv0 = `qemu-system-berth-leak-${randomSuffix(3)}`;
    const child = execa('sleep', ['600'], { argv0, reject: false });
    onTestFinished(async () => {
      child.kill();
      await child;
    });
    await execed(child.pid, argv0);
    const leaked = diffSnapshots(before, await takeSnapshot()).filter(mentioning(argv0));
    expect(leaked).toEqual([`process ${child.pid} ${argv0} 600`]);

    child.kill();
    await child;
    expect(diffSnapshots(before, await takeSnapshot()).filter(mentioning(argv0))).toEqual([]);
  });

  test('reports any process left in another network namespace (a sandbox process that outlived its test)', async (context) => {
    const netns = await createTestNetns(context);
    const before = await takeSnapshot();
    const marker = `${6000 + Math.floor(Math.random() * 900)}`;
    const child = execa('nsenter', [`--net=${netns.path}`, 'sleep', marker], { reject: false });
    context.onTestFinished(async () => {
      child.kill('SIGKILL');
      await child;
    });
    await sleep(200);
    expect(diffSnapshots(before, await takeSnapshot()).filter(mentioning(`sleep ${marker}`))).toEqual([`process ${child.pid} sleep ${marker}`]);
    child.kill('SIGKILL');
    await child;
    expect(diffSnapshots(before, await takeSnapshot()).filter(mentioning(`sleep ${marker}`))).toEqual([]);
  });

  test("leaves out processes of another test run on the same machine, but not this run's", async ({
    onTestFinished,
  }) => {
    // The global setup gave this run an id that every process it starts inherits.
    const ownRunId = process.env[RUN_ID_VARIABLE];
    expect(ownRunId).toMatch(/^[0-9a-f-]{36}$/);
    const before = await takeSnapshot();
    const start = (argv0: string, runId: string) => {
      const child = execa('sleep', ['600'], { argv0, reject: false, env: { [RUN_ID_VARIABLE]: runId } });
      onTestFinished(async () => {
        child.kill();
        await child;
      });
      return child;
    };
    const tag = randomSuffix(3);
    const ours = start(`etcd-berth-leak-ours-${tag}`, ownRunId ?? '');
    const other = start(`etcd-berth-leak-other-${tag}`, 'another-run');
    await execed(ours.pid, `etcd-berth-leak-ours-${tag}`);
    await execed(other.pid, `etcd-berth-leak-other-${tag}`);

    const leaked = diffSnapshots(before, await takeSnapshot()).filter(mentioning(tag));
    expect(leaked).toEqual([`process ${ours.pid} etcd-berth-leak-ours-${tag} 600`]);
  });

  test('assertNoLeftovers fails with every leftover listed, and waits out slow kernel deletion', async (context) => {
    const netns = await createTestNetns(context, 'berth-leak');
    const before = await takeSnapshot({ netns: netns.path });
    const link = `lkg-${randomSuffix(3)}`;
    // veth, not dummy: the dummy module may be missing (and cannot be loaded) in a container.
    await inNetns(netns, ['ip', 'link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`]);

    const started = Date.now();
    const only = mentioning(link);
    await expect(assertNoLeftovers(before, 'the probe', { graceMs: 400, only })).rejects.toThrow(
      `Leak check: the probe left 2 object(s) behind in the host:\n  - link ${link}\n  - link ${link}p\n`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);

    // Deleted while the check is still looking: not a leak.
    const deletion = sleep(500).then(() => inNetns(netns, ['ip', 'link', 'delete', link]));
    await expect(assertNoLeftovers(before, 'the probe', { graceMs: 3000, only })).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await deletion;
  });

  test('refuses to compare snapshots of different namespaces', async (context) => {
    const netns = await createTestNetns(context, 'berth-leak');
    const [host, lab] = [await takeSnapshot(), await takeSnapshot({ netns: netns.path })];
    expect(() => diffSnapshots(host, lab)).toThrow(/different namespaces/);
  });

  test('fails loudly when the namespace to inspect cannot be entered', async () => {
    await expect(takeSnapshot({ netns: `/run/netns/berth-leak-missing-${randomSuffix(4)}` })).rejects.toThrow(
      /leak check: ip -o link show failed/,
    );
  });
});
