/**
 * bench/bridge, throughput section: TCP with iperf3, inside the lab only.
 *  - sandbox ↔ sandbox on one berth bridge network vs a raw veth pair between two bare
 *    namespaces the bench creates under the lab's directory (target ≥ 95%), and, to tell the
 *    plumbing from berth's rules, two bare namespaces on a plain bridge without any firewall;
 *  - lab host → published port (DNAT through berth's nft map) vs lab host → sandbox IP
 *    (target ≥ 90%); also 127.0.0.1 → published port (route_localnet + SNAT), for information.
 * Each iperf3 server is started by the bench (nsenter into the namespace) and killed by it;
 * each path runs next to its baseline (order reversed every other repeat) and the ratio is the
 * median of the per-repeat ratios.
 */
import { join } from 'node:path';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DaemonRig } from '../../src/lab/index.js';
import type { Netns, NetnsKernel } from '../../src/kernel/index.js';
import { LinuxNetnsOps, openNetnsKernel } from '../../src/kernel/linux/index.js';
import { QUICK, api, median, sandboxOn } from './common.js';

const SECONDS = QUICK ? 1 : 3;
const REPEATS = QUICK ? 1 : 3;
const IPERF_PORT = 5201;
const PUBLISHED_PORT = 15_201;
/** labs.md: Docker's bridge reached 78% of a raw veth pair, docker-proxy 75–78% of the container IP. */
const DOCKER = { bridge: '78%', published: '75–78%' } as const;

interface Target {
  readonly label: string;
  /** Where the client runs. */
  readonly from: Netns;
  readonly ip: string;
  readonly port: number;
}

/** Starts `iperf3 -s` in a namespace and waits (bounded) until it listens. */
async function startServer(rig: DaemonRig, netns: Netns): Promise<ChildProcess> {
  const child = rig.lab.spawn(netns, ['iperf3', '-s', '-p', String(IPERF_PORT)]);
  child.stdout?.resume();
  child.stderr?.resume();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`iperf3 -s exited with ${child.exitCode}`);
    const listening = await rig.lab.run(netns, ['ss', '-Htln', `sport = :${IPERF_PORT}`]);
    if (listening.trim() !== '') return child;
    await sleep(100);
  }
  await stop(child);
  throw new Error(`iperf3 -s in ${netns.path} did not listen`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** One iperf3 client run; bits per second received (end.sum_received). */
async function run(rig: DaemonRig, target: Target): Promise<number> {
  const args = ['iperf3', '-c', target.ip, '-p', String(target.port), '-t', String(SECONDS), '-J', '--connect-timeout', '3000'];
  const output = await rig.lab.run(target.from, args, { timeoutMs: (SECONDS + 15) * 1000 });
  const result = JSON.parse(output) as { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  const bps = result.end?.sum_received?.bits_per_second;
  if (bps === undefined) throw new Error(`iperf3 to ${target.label}: ${result.error ?? 'no end.sum_received'}`);
  return bps;
}

interface Bare {
  /** Client and server namespaces of the raw veth pair (10.99.0.1 → 10.99.0.2). */
  readonly a: Netns;
  readonly b: Netns;
  /** Client and server namespaces on a plain bridge without firewall rules (10.98.0.1 → 10.98.0.2). */
  readonly c: Netns;
  readonly d: Netns;
  remove(): Promise<void>;
}

/**
 * Baselines in bare namespaces under the lab's directory: a and b joined by one veth pair; c and
 * d each joined by a veth pair to a plain Linux bridge in namespace sw (no nftables rules there,
 * so no conntrack either) — what berth's path costs beyond the plumbing.
 */
async function bareNamespaces(rig: DaemonRig): Promise<Bare> {
  const ops = new LinuxNetnsOps({ dir: join(rig.lab.dir, 'bare') });
  const made: Netns[] = [];
  const kernels: NetnsKernel[] = [];
  const remove = async (): Promise<void> => {
    for (const netns of made.reverse()) await ops.remove(netns);
  };
  const make = async (name: string): Promise<NetnsKernel> => {
    const netns = await ops.create(name);
    made.push(netns);
    const kernel = openNetnsKernel(netns);
    kernels.push(kernel);
    await kernel.links.set('lo', { up: true });
    return kernel;
  };
  const up = async (kernel: NetnsKernel, cidr: string): Promise<void> => {
    await kernel.addresses.add('eth0', cidr);
    await kernel.links.set('eth0', { up: true });
  };
  try {
    const [a, b, c, d, sw] = [await make('raw-a'), await make('raw-b'), await make('br-c'), await make('br-d'), await make('br-sw')];
    await a.links.create({ kind: 'veth', name: 'eth0', peer: { name: 'eth0', netnsPath: b.netns.path } });
    await up(a, '10.99.0.1/24');
    await up(b, '10.99.0.2/24');
    await sw.links.create({ kind: 'bridge', name: 'br0', up: true });
    for (const [index, end] of [c, d].entries()) {
      await sw.links.create({ kind: 'veth', name: `port${index}`, master: 'br0', up: true, peer: { name: 'eth0', netnsPath: end.netns.path } });
      await up(end, `10.98.0.${index + 1}/24`);
    }
    return { a: a.netns, b: b.netns, c: c.netns, d: d.netns, remove };
  } catch (error) {
    await remove();
    throw error;
  } finally {
    for (const kernel of kernels) kernel.close();
  }
}

function gbit(bps: number): string {
  return `${(bps / 1e9).toFixed(2)} Gbit/s`;
}

export async function throughputSection(rig: DaemonRig): Promise<string[]> {
  const ok = api(rig);
  await ok('POST', '/networks/create', { Name: 'tput', IPAM: { Config: [{ Subnet: '10.211.0.0/24', Gateway: '10.211.0.1' }] } });
  await ok('POST', '/berth/sandboxes', { Name: 'server', Networks: [{ Network: 'tput' }], Ports: [`${PUBLISHED_PORT}:${IPERF_PORT}`] });
  await ok('POST', '/berth/sandboxes', { Name: 'client', Networks: [{ Network: 'tput' }] });
  const server = await sandboxOn(rig, { sandbox: 'server', network: 'tput' });
  const client = await sandboxOn(rig, { sandbox: 'client', network: 'tput' });
  const bare = await bareNamespaces(rig);
  const servers: ChildProcess[] = [];
  try {
    servers.push(await startServer(rig, server.netns));
    servers.push(await startServer(rig, bare.b));
    servers.push(await startServer(rig, bare.d));
    const host = rig.host.netns;
    const targets = {
      raw: { label: 'raw veth pair, bare namespace → bare namespace', from: bare.a, ip: '10.99.0.2', port: IPERF_PORT },
      plain: { label: 'plain bridge without firewall, bare → bare', from: bare.c, ip: '10.98.0.2', port: IPERF_PORT },
      bridge: { label: 'sandbox → sandbox, same berth bridge network', from: client.netns, ip: server.ip, port: IPERF_PORT },
      direct: { label: 'lab host → sandbox IP', from: host, ip: server.ip, port: IPERF_PORT },
      published: { label: `lab host → published port ${rig.host.ip}:${PUBLISHED_PORT}`, from: host, ip: rig.host.ip, port: PUBLISHED_PORT },
      localhost: { label: `lab host → published port 127.0.0.1:${PUBLISHED_PORT}`, from: host, ip: '127.0.0.1', port: PUBLISHED_PORT },
    } satisfies Record<string, Target>;
    const samples = new Map<Target, number[]>(Object.values(targets).map((target) => [target, []]));
    // Each path runs right after its baseline, the order reversed every other repeat, so a slow
    // drift in the machine's load hits both sides of a ratio alike.
    const groups: Target[][] = [[targets.raw, targets.plain, targets.bridge], [targets.direct, targets.published, targets.localhost]];
    for (let repeat = 0; repeat < REPEATS; repeat += 1) {
      for (const group of groups) {
        for (const target of repeat % 2 === 0 ? group : [...group].reverse()) samples.get(target)?.push(await run(rig, target));
      }
    }
    const at = (target: Target): number => median(samples.get(target) ?? []);
    const all = (target: Target): string => (samples.get(target) ?? []).map((bps) => (bps / 1e9).toFixed(1)).join(', ');
    /** The median of the per-repeat ratios (each from runs seconds apart). */
    const ratio = (path: Target, baseline: Target): number => {
      const base = samples.get(baseline) ?? [];
      return median((samples.get(path) ?? []).map((bps, index) => bps / (base[index] ?? Number.NaN)));
    };
    const bridgeRatio = ratio(targets.bridge, targets.raw);
    const plainRatio = ratio(targets.plain, targets.raw);
    const publishedRatio = ratio(targets.published, targets.direct);
    const localRatio = ratio(targets.localhost, targets.direct);
    const percent = (ratio: number): string => `${(ratio * 100).toFixed(0)}%`;
    return [
      `## TCP throughput, iperf3 -t ${SECONDS}, median of ${REPEATS} runs per path (single stream); ratio = median of the per-repeat ratios, each path run next to its baseline`,
      '| path | median | runs (Gbit/s) | baseline | ratio | target | Docker (labs.md) |',
      '| --- | ---: | --- | --- | ---: | --- | --- |',
      `| ${targets.raw.label} | ${gbit(at(targets.raw))} | ${all(targets.raw)} | (baseline) | | | |`,
      `| ${targets.plain.label} | ${gbit(at(targets.plain))} | ${all(targets.plain)} | raw veth pair | ${percent(plainRatio)} | (information: the plumbing alone) | |`,
      `| ${targets.bridge.label} | ${gbit(at(targets.bridge))} | ${all(targets.bridge)} | raw veth pair | ${percent(bridgeRatio)} | ≥ 95%: ${bridgeRatio >= 0.95 ? 'met' : 'NOT met'} | ${DOCKER.bridge} |`,
      `| ${targets.direct.label} | ${gbit(at(targets.direct))} | ${all(targets.direct)} | (baseline) | | | |`,
      `| ${targets.published.label} | ${gbit(at(targets.published))} | ${all(targets.published)} | host → sandbox IP | ${percent(publishedRatio)} | ≥ 90%: ${publishedRatio >= 0.9 ? 'met' : 'NOT met'} | ${DOCKER.published} |`,
      `| ${targets.localhost.label} | ${gbit(at(targets.localhost))} | ${all(targets.localhost)} | host → sandbox IP | ${percent(localRatio)} | (information) | |`,
      '',
      '',
    ];
  } finally {
    for (const child of servers) await stop(child);
    await bare.remove();
  }
}
