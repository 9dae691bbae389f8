/**
 * bench/overlay, throughput section: TCP with iperf3 (single stream, `-J`, end.sum_received)
 * from a sandbox on host 1 to a sandbox on host 2 across an overlay network (veth → bridge →
 * VXLAN → lab switch → VXLAN → bridge → veth, MTU 1450), against the lab's plain underlay path
 * between the same two lab hosts (host 1's eth0 → lab switch → host 2's eth0, MTU 1500), measured
 * in the same run. Each overlay run is next to an underlay run, the order reversed every other
 * repeat; the ratio is the median of the per-repeat ratios. The bench starts every iperf3 server
 * itself (nsenter into the namespace) and kills it after.
 */
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterRig } from '../../src/lab/index.js';
import type { Netns } from '../../src/kernel/index.js';
import { median } from './common.js';

const PORT = 5201;

interface Path {
  readonly label: string;
  readonly from: Netns;
  readonly ip: string;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Starts `iperf3 -s` in a namespace and waits (bounded) until it listens. */
async function startServer(rig: ClusterRig, netns: Netns): Promise<ChildProcess> {
  const child = rig.lab.spawn(netns, ['iperf3', '-s', '-p', String(PORT)]);
  child.stdout?.resume();
  child.stderr?.resume();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`iperf3 -s exited with ${child.exitCode}`);
    if ((await rig.lab.run(netns, ['ss', '-Htln', `sport = :${PORT}`])).trim() !== '') return child;
    await sleep(100);
  }
  await stop(child);
  throw new Error(`iperf3 -s in ${netns.path} did not listen`);
}

/** One iperf3 client run; bits per second received. */
async function run(rig: ClusterRig, init: { readonly path: Path; readonly seconds: number }): Promise<number> {
  const args = ['iperf3', '-c', init.path.ip, '-p', String(PORT), '-t', String(init.seconds), '-J', '--connect-timeout', '3000'];
  const output = await rig.lab.run(init.path.from, args, { timeoutMs: (init.seconds + 15) * 1000 });
  const result = JSON.parse(output) as { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  const bps = result.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error(`iperf3 ${init.path.label}: ${result.error ?? 'no end.sum_received'}`);
  return bps;
}

export interface ThroughputInit {
  /** Client sandbox on host 1 and server sandbox on host 2, both on the same overlay network. */
  readonly client: Netns;
  readonly server: { readonly netns: Netns; readonly ip: string };
  readonly seconds: number;
  readonly repeats: number;
}

export async function throughputSection(rig: ClusterRig, init: ThroughputInit): Promise<string[]> {
  const [one, two] = [rig.node(0).host, rig.node(1).host];
  const overlay: Path = { label: 'sandbox (host 1) → sandbox (host 2), overlay', from: init.client, ip: init.server.ip };
  const underlay: Path = { label: `lab host 1 → lab host 2 (${two.ip}), plain underlay`, from: one.netns, ip: two.ip };
  const servers: ChildProcess[] = [];
  const samples = new Map<Path, number[]>([[overlay, []], [underlay, []]]);
  try {
    servers.push(await startServer(rig, init.server.netns));
    servers.push(await startServer(rig, two.netns));
    for (let repeat = 0; repeat < init.repeats; repeat += 1) {
      for (const path of repeat % 2 === 0 ? [underlay, overlay] : [overlay, underlay]) samples.get(path)?.push(await run(rig, { path, seconds: init.seconds }));
    }
  } finally {
    for (const child of servers) await stop(child);
  }
  const runs = (path: Path): number[] => samples.get(path) ?? [];
  const base = runs(underlay);
  const ratio = median(runs(overlay).map((bps, index) => bps / (base[index] ?? Number.NaN)));
  const row = (path: Path, last: string): string => `| ${path.label} | ${(median(runs(path)) / 1e9).toFixed(2)} Gbit/s | ${runs(path).map((bps) => (bps / 1e9).toFixed(2)).join(', ')} | ${last} |`;
  return [
    `## TCP throughput across hosts, iperf3 -t ${init.seconds}, median of ${init.repeats} runs per path (single stream; ratio = median of the per-repeat ratios)`,
    '| path | median | runs (Gbit/s) | vs underlay |',
    '| --- | ---: | --- | ---: |',
    row(underlay, '(baseline)'),
    row(overlay, `${(ratio * 100).toFixed(0)}%`),
    '',
  ];
}
