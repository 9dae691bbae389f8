import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { HELLO, berthOk, fetchEventually, fetchFrom, inspect, makeWebRoot } from './ports-support.js';
import { inLabHost, within } from './firewall-heal-support.js';

/** Restored within a second, as docs/reliability.md promises (1.5 s leaves room for a loaded machine). */
const HEAL_LIMIT_MS = 1500;

let www: ReturnType<typeof makeWebRoot>;
beforeAll(() => {
  www = makeWebRoot();
});
afterAll(() => {
  www.remove();
});

/** Networks whose rules matter: a published port on `front`, isolation from `back`, ICC off on `quiet`, an internal one. */
async function populate(rig: DaemonRig): Promise<void> {
  await berthOk(rig, ['network', 'create', '--subnet', '10.97.1.0/24', 'front']);
  await berthOk(rig, ['network', 'create', '--subnet', '10.97.2.0/24', 'back']);
  await berthOk(rig, ['network', 'create', '--subnet', '10.97.3.0/24', '-o', 'com.docker.network.bridge.enable_icc=false', 'quiet']);
  await berthOk(rig, ['network', 'create', '--internal', '--subnet', '10.97.4.0/24', 'inside']);
  await berthOk(rig, ['run', '-d', '--name', 'web', '--network', 'front', '-p', '8080:80', '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www.dir]);
  await berthOk(rig, ['run', '-d', '--name', 'other', '--network', 'back', '--', 'sleep', '600']);
  expect(await fetchEventually(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
}

/** From `other` (network back), straight to web's address on front: dropped by isolation. */
async function isolated(rig: DaemonRig): Promise<boolean> {
  const web = (await inspect(rig, 'web')).NetworkSettings.Networks['front']?.IPAddress ?? '';
  const other = (await inspect(rig, 'other')).NetworkSettings.SandboxKey;
  return (await fetchFrom(other, `http://${web}:80/`)) === undefined;
}

function healedLogs(rig: DaemonRig): number {
  return rig.output.join('').split('\n').filter((line) => line.includes('restored berth')).length;
}

describe('firewall self-healing with nftables', () => {
  let rig: DaemonRig;
  const table = async (): Promise<string> => inLabHost(rig, ['nft', 'list', 'table', 'inet', 'berth']);
  beforeAll(async () => {
    rig = await startDaemon();
    await populate(rig);
  }, 60_000);
  afterAll(async () => {
    await rig.close();
  });

  test('nft flush ruleset: berth\'s table is back within a second, the same; another program\'s flushed table is not re-created', async () => {
    const before = await table();
    expect(await isolated(rig)).toBe(true);
    await inLabHost(rig, ['nft', 'add', 'table', 'inet', 'other']);
    await inLabHost(rig, ['nft', 'flush', 'ruleset']);
    const took = await within(HEAL_LIMIT_MS, async () => (await table()) === before);
    expect(took, `berth's table not restored within ${HEAL_LIMIT_MS} ms`).toBeDefined();
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    expect(await isolated(rig)).toBe(true);
    expect(await inLabHost(rig, ['nft', 'list', 'tables'])).not.toContain('other');
    expect(healedLogs(rig)).toBeGreaterThanOrEqual(1);
  });

  test('nft delete table inet berth: restored; another program\'s table is untouched', async () => {
    await inLabHost(rig, ['nft', 'add', 'table', 'inet', 'other']);
    await inLabHost(rig, ['nft', 'add', 'chain', 'inet', 'other', 'input', '{ type filter hook input priority 10; policy accept; }']);
    await inLabHost(rig, ['nft', 'add', 'rule', 'inet', 'other', 'input', 'tcp', 'dport', '9999', 'counter', 'accept']);
    const other = await inLabHost(rig, ['nft', 'list', 'table', 'inet', 'other']);
    const before = await table();
    await inLabHost(rig, ['nft', 'delete', 'table', 'inet', 'berth']);
    expect(await within(HEAL_LIMIT_MS, async () => (await table()) === before)).toBeDefined();
    expect(await inLabHost(rig, ['nft', 'list', 'table', 'inet', 'other'])).toBe(other);
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    await inLabHost(rig, ['nft', 'delete', 'table', 'inet', 'other']);
  });

  test('a deleted port mapping, a flushed base chain and a rewritten network chain are restored; admins\' rules in chain user stay', async () => {
    await inLabHost(rig, ['nft', 'add', 'rule', 'inet', 'berth', 'user', 'ip', 'saddr', '192.0.2.1', 'drop']);
    const before = await table();
    await inLabHost(rig, ['nft', 'delete', 'element', 'inet', 'berth', 'publish4-any', '{ tcp . 8080 }']);
    expect(await within(HEAL_LIMIT_MS, async () => (await table()) === before)).toBeDefined();
    await inLabHost(rig, ['nft', 'flush', 'chain', 'inet', 'berth', 'forward']);
    expect(await within(HEAL_LIMIT_MS, async () => (await table()) === before)).toBeDefined();
    const chain = /chain (out-[0-9a-f]{12})/.exec(before)?.[1] ?? '';
    await inLabHost(rig, ['nft', 'insert', 'rule', 'inet', 'berth', chain, 'accept']);
    expect(await within(HEAL_LIMIT_MS, async () => (await table()) === before)).toBeDefined();
    expect(await table()).toContain('ip saddr 192.0.2.1 drop');
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
  });

  test('berth\'s own changes are not taken for drift', async () => {
    const healed = healedLogs(rig);
    await berthOk(rig, ['run', '-d', '--name', 'web2', '--network', 'front', '-p', '8081:80', '--', 'busybox', 'httpd', '-f', '-p', '80', '-h', www.dir]);
    await berthOk(rig, ['rm', '-f', 'web2']);
    await berthOk(rig, ['network', 'create', 'later']);
    await berthOk(rig, ['network', 'rm', 'later']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(healedLogs(rig)).toBe(healed);
  });
});

describe('firewall self-healing with --firewall iptables', () => {
  let rig: DaemonRig;
  /** Every BERTH line of both families' iptables-save in the lab host, counters dropped, sorted. */
  const berthRules = async (): Promise<string> => {
    const lines: string[] = [];
    for (const save of ['iptables-save', 'ip6tables-save']) {
      const text = await inLabHost(rig, [save]);
      lines.push(...text.split('\n').filter((line) => line.includes('BERTH')).map((line) => `${save} ${line.replace(/\[\d+:\d+\]/, '')}`));
    }
    return lines.sort().join('\n');
  };
  beforeAll(async () => {
    rig = await startDaemon({ args: ['--firewall', 'iptables'] });
    await populate(rig);
  }, 60_000);
  afterAll(async () => {
    await rig.close();
  });

  test('iptables -t nat -F BERTH-DNAT: the port works again within a second', async () => {
    const before = await berthRules();
    await inLabHost(rig, ['iptables', '-t', 'nat', '-F', 'BERTH-DNAT']);
    expect(await within(HEAL_LIMIT_MS, async () => (await berthRules()) === before)).toBeDefined();
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
  });

  test('iptables -F BERTH-FORWARD, and iptables -F of the whole filter table: restored; another program\'s chain is left as the flush left it', async () => {
    const before = await berthRules();
    await inLabHost(rig, ['iptables', '-F', 'BERTH-FORWARD']);
    expect(await within(HEAL_LIMIT_MS, async () => (await berthRules()) === before)).toBeDefined();
    expect(await isolated(rig)).toBe(true);
    await inLabHost(rig, ['iptables', '-N', 'OTHER']);
    await inLabHost(rig, ['iptables', '-A', 'OTHER', '-p', 'tcp', '--dport', '9999', '-j', 'ACCEPT']);
    await inLabHost(rig, ['iptables', '-F']);
    expect(await within(HEAL_LIMIT_MS, async () => (await berthRules()) === before)).toBeDefined();
    expect(await inLabHost(rig, ['iptables', '-S', 'OTHER'])).toBe('-N OTHER');
    expect(await isolated(rig)).toBe(true);
    expect(await fetchFrom(rig.lab.router.netns.path, `http://${rig.host.ip}:8080/`)).toBe(HELLO);
    await inLabHost(rig, ['iptables', '-X', 'OTHER']);
  });

  test('iptables -X of a deleted network chain after a flush: restored', async () => {
    const before = await berthRules();
    const chain = /:(BERTH-OUT-[0-9a-f]{12})/.exec(before)?.[1] ?? '';
    await inLabHost(rig, ['sh', '-c', `iptables -F BERTH-FORWARD && iptables -F ${chain} && iptables -X ${chain}`]);
    expect(await within(HEAL_LIMIT_MS, async () => (await berthRules()) === before)).toBeDefined();
  });
});
