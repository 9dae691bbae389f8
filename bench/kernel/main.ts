/**
 * bench/kernel: the same operations through berth's kernel layer and through the processes
 * other stacks exec (ip, nft, iptables, sysctl), in one run, inside a throwaway lab.
 * The benchmark re-executes itself inside the lab host's namespace, so both sides act on
 * their own namespace directly (no nsenter in the baseline's timings).
 */
import { execa } from 'execa';
import { runInLab } from '../../src/lab/index.js';
import { openNetnsKernel } from '../../src/kernel/linux/index.js';
import { createFirewall } from '../../src/kernel/linux/firewall/index.js';
import type { Netns } from '../../src/kernel/index.js';

const COUNT = Number(process.env['BENCH_COUNT'] ?? 1000);

interface Row {
  readonly what: string;
  readonly berthMs: number;
  readonly baselineMs: number;
  readonly baseline: string;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timeEach(count: number, fn: (i: number) => Promise<void>): Promise<number> {
  return time(async () => {
    for (let i = 0; i < count; i += 1) await fn(i);
  });
}

/**
 * Links: create, set MTU, delete, each timed on its own. Deleting a netdev waits for an RCU
 * grace period in the kernel (~15 ms here) whoever asks, so that row shows the floor, not overhead.
 */
async function benchLinks(netns: Netns): Promise<Row[]> {
  const kernel = openNetnsKernel(netns);
  const names = Array.from({ length: COUNT }, (_, i) => `bv${i}`);
  const createMs = await timeEach(COUNT, (i) => kernel.links.create({ kind: 'veth', name: names[i] ?? '', peer: { name: `${names[i] ?? ''}p` } }).then(() => undefined));
  const mtuMs = await timeEach(COUNT, (i) => kernel.links.set(names[i] ?? '', { mtu: 1400 + (i % 100) }));
  const deleteMs = await timeEach(COUNT, (i) => kernel.links.delete(names[i] ?? ''));
  kernel.close();
  const ipCreateMs = await timeEach(COUNT, (i) => execa('ip', ['link', 'add', `iv${i}`, 'type', 'veth', 'peer', 'name', `iv${i}p`]).then(() => undefined));
  const ipMtuMs = await timeEach(COUNT, (i) => execa('ip', ['link', 'set', `iv${i}`, 'mtu', String(1400 + (i % 100))]).then(() => undefined));
  const ipDeleteMs = await timeEach(COUNT, (i) => execa('ip', ['link', 'del', `iv${i}`]).then(() => undefined));
  return [
    { what: `${COUNT}× veth pair create (berth reads it back)`, berthMs: createMs, baselineMs: ipCreateMs, baseline: 'ip link add' },
    { what: `${COUNT}× link MTU change`, berthMs: mtuMs, baselineMs: ipMtuMs, baseline: 'ip link set mtu' },
    { what: `${COUNT}× veth pair delete (kernel-bound)`, berthMs: deleteMs, baselineMs: ipDeleteMs, baseline: 'ip link del' },
  ];
}

async function benchSysctl(netns: Netns): Promise<Row> {
  const kernel = openNetnsKernel(netns);
  const berthMs = await time(async () => {
    for (let i = 0; i < COUNT; i += 1) await kernel.sysctls.set('net.ipv4.ip_forward', String(i % 2));
  });
  kernel.close();
  const baselineMs = await time(async () => {
    for (let i = 0; i < COUNT; i += 1) await execa('sysctl', ['-q', '-w', `net.ipv4.ip_forward=${i % 2}`]);
  });
  return { what: `${COUNT}× sysctl set`, berthMs, baselineMs, baseline: 'sysctl -w' };
}

const NFT_SETUP = `add table inet berth-bench
add map inet berth-bench ports { type inet_proto . inet_service : ipv4_addr . inet_service; }
add chain inet berth-bench prerouting { type nat hook prerouting priority -100; }
add rule inet berth-bench prerouting dnat ip to meta l4proto . th dport map @ports
`;

function element(i: number): string {
  return `{ tcp . ${10000 + (i % 50000)} : 198.18.9.${2 + (i % 200)} . 80 }`;
}

async function benchFirewall(netns: Netns): Promise<Row[]> {
  const firewall = createFirewall({ backend: 'nftables' });
  await firewall.apply(netns, { backend: 'nftables', script: NFT_SETUP });
  const berthMs = await time(async () => {
    for (let i = 0; i < COUNT; i += 1) {
      await firewall.apply(netns, { backend: 'nftables', script: `add element inet berth-bench ports ${element(i)}` });
      await firewall.apply(netns, { backend: 'nftables', script: `delete element inet berth-bench ports ${element(i)}` });
    }
  });
  const nftMs = await time(async () => {
    for (let i = 0; i < COUNT; i += 1) {
      await execa('nft', ['add', 'element', 'inet', 'berth-bench', 'ports', element(i)]);
      await execa('nft', ['delete', 'element', 'inet', 'berth-bench', 'ports', element(i)]);
    }
  });
  await firewall.removeOwn(netns);
  firewall.close();
  const rule = (i: number): string[] => ['PREROUTING', '-t', 'nat', '-p', 'tcp', '--dport', String(10000 + i), '-j', 'DNAT', '--to-destination', `198.18.9.${2 + (i % 200)}:80`];
  const iptablesMs = await time(async () => {
    for (let i = 0; i < COUNT; i += 1) {
      const [chain, ...spec] = rule(i);
      await execa('iptables', ['-A', chain ?? 'PREROUTING', ...spec]);
      await execa('iptables', ['-D', chain ?? 'PREROUTING', ...spec]);
    }
  });
  const what = `${COUNT}× port mapping add + remove`;
  return [
    { what, berthMs, baselineMs: nftMs, baseline: 'nft add/delete element' },
    { what, berthMs, baselineMs: iptablesMs, baseline: 'iptables -A/-D DNAT rule' },
  ];
}

function report(rows: readonly Row[], transport: string): void {
  const lines = [
    `bench/kernel  ${new Date().toISOString()}  count=${COUNT}  node ${process.version}  firewall transport: ${transport}`,
    '| operation | berth (kernel layer) | baseline (process per op) | baseline | speed-up |',
    '| --- | ---: | ---: | --- | ---: |',
    ...rows.map((row) => `| ${row.what} | ${row.berthMs.toFixed(0)} ms | ${row.baselineMs.toFixed(0)} ms | ${row.baseline} | ${(row.baselineMs / row.berthMs).toFixed(1)}× |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function worker(): Promise<void> {
  const own: Netns = { path: `/proc/${process.pid}/ns/net` };
  const firewall = createFirewall({ backend: 'nftables' });
  const transport = firewall.transport;
  firewall.close();
  const rows = [...(await benchLinks(own)), await benchSysctl(own), ...(await benchFirewall(own))];
  report(rows, transport);
}

await runInLab({ scriptUrl: import.meta.url, worker });

