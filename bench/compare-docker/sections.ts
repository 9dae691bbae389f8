/**
 * The measurements of bench/compare-docker, each written once against the Engine interface and run
 * on both sides. Every loop is bounded; every container, sandbox and network a section makes is
 * removed by it (the labs are removed after anyway).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { QUICK, median, timed } from './common.js';
import type { Engine, Memory } from './engines.js';
import { IPERF_PORT, dnsperf, iperf, iperfServer, stopChild } from './tools.js';
import type { IperfTarget, Perf } from './tools.js';

export const COUNTS = {
  api: QUICK ? 8 : 20,
  run: QUICK ? 4 : 8,
  publish: QUICK ? 4 : 6,
  dnsSeconds: QUICK ? 2 : 4,
  dnsRepeats: QUICK ? 1 : 3,
  iperfSeconds: QUICK ? 1 : 3,
  iperfRepeats: QUICK ? 1 : 3,
  levels: QUICK ? [1, 100] : [1, 100, 1000],
  memoryPorts: QUICK ? 100 : 500,
} as const;

function subnet(second: number, third: number): { IPAM: { Config: { Subnet: string }[] } } {
  return { IPAM: { Config: [{ Subnet: `10.${second}.${third}.0/24` }] } };
}

/** Network create and rm, alternating, after one untimed warm-up pair. */
export async function networks(engine: Engine): Promise<{ create: number[]; rm: number[] }> {
  const create: number[] = [];
  const rm: number[] = [];
  for (let i = 0; i <= COUNTS.api; i += 1) {
    const name = `cmp-net-${i}`;
    const created = await timed(() => engine.api('POST', '/networks/create', { Name: name, ...subnet(201, i) }));
    const removed = await timed(() => engine.api('DELETE', `/networks/${name}`));
    if (i === 0) continue;
    create.push(created);
    rm.push(removed);
  }
  return { create, rm };
}

/** Connect and disconnect of a running container (sandbox) on the default bridge to one more network. */
export async function connects(engine: Engine): Promise<{ connect: number[]; disconnect: number[] }> {
  await engine.api('POST', '/networks/create', { Name: 'cmp-conn', ...subnet(202, 0) });
  const id = await engine.start({ name: 'cmp-conn-c', network: 'bridge' });
  const connect: number[] = [];
  const disconnect: number[] = [];
  try {
    for (let i = 0; i <= COUNTS.api; i += 1) {
      const on = await timed(() => engine.api('POST', '/networks/cmp-conn/connect', { Container: id }));
      const off = await timed(() => engine.api('POST', '/networks/cmp-conn/disconnect', { Container: id }));
      if (i === 0) continue;
      connect.push(on);
      disconnect.push(off);
    }
  } finally {
    await engine.remove(id);
    await engine.api('DELETE', '/networks/cmp-conn');
  }
  return { connect, disconnect };
}

/** Run + rm: create and start a container (sandbox) running sleep, then remove it with force; with a network, and with none. */
export async function runRemove(engine: Engine): Promise<{ network: number[]; none: number[] }> {
  await engine.api('POST', '/networks/create', { Name: 'cmp-run', ...subnet(203, 0) });
  const network: number[] = [];
  const none: number[] = [];
  const once = (spec: { network: string }): Promise<number> => timed(async () => engine.remove(await engine.start(spec)));
  try {
    for (let i = 0; i <= COUNTS.run; i += 1) {
      // Alternate which goes first, so a drift in the machine's load hits both alike.
      let withNet: number;
      let without: number;
      if (i % 2 === 0) {
        withNet = await once({ network: 'cmp-run' });
        without = await once({ network: 'none' });
      } else {
        without = await once({ network: 'none' });
        withNet = await once({ network: 'cmp-run' });
      }
      if (i === 0) continue;
      network.push(withNet);
      none.push(without);
    }
  } finally {
    await engine.api('DELETE', '/networks/cmp-run');
  }
  return { network, none };
}

/** Runs `measure` on both sides `repeats` times, the side that goes first alternating each time. */
async function interleaved<T>(pair: { readonly docker: T; readonly berth: T }, init: { readonly repeats: number; readonly measure: (side: T) => Promise<void> }): Promise<void> {
  for (let repeat = 0; repeat < init.repeats; repeat += 1) {
    const order = repeat % 2 === 0 ? [pair.docker, pair.berth] : [pair.berth, pair.docker];
    for (const side of order) await init.measure(side);
  }
}

interface Teardown {
  close(): Promise<void>;
}

export interface DnsResult {
  /** c1q1 runs (average latency is the measure) and c10q100 runs (qps). */
  readonly c1: Perf[];
  readonly c100: Perf[];
}

/** A probe container (sandbox) and a target on one network; dnsperf asks 127.0.0.11 for the target's name from inside the probe. */
async function dnsRig(engine: Engine): Promise<Teardown & { readonly run: (init: { clients: number; outstanding: number }) => Promise<Perf> }> {
  await engine.api('POST', '/networks/create', { Name: 'cmp-dns', ...subnet(204, 0) });
  const target = await engine.start({ name: 'cmp-target', network: 'cmp-dns' });
  const probe = await engine.start({ name: 'cmp-probe', network: 'cmp-dns' });
  const close = async (): Promise<void> => {
    await engine.remove(probe);
    await engine.remove(target);
    await engine.api('DELETE', '/networks/cmp-dns');
  };
  const { netns } = await engine.where({ id: probe, network: 'cmp-dns' }).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  const queries = join(engine.lab.dir, 'dns-queries.txt');
  writeFileSync(queries, 'cmp-target A\n');
  return {
    close,
    run: async ({ clients, outstanding }) => {
      const perf = await dnsperf(netns, { queries, clients, outstanding, seconds: COUNTS.dnsSeconds });
      if (!(perf.noerror > 99)) throw new Error(`${engine.label}: dnsperf got ${perf.noerror}% NOERROR for cmp-target`);
      return perf;
    },
  };
}

/** dnsperf c1q1 and c10q100 on both sides, runs interleaved (the machine's load drifts). */
export async function dns(pair: { readonly docker: Engine; readonly berth: Engine }): Promise<{ docker: DnsResult; berth: DnsResult }> {
  const docker = { rig: await dnsRig(pair.docker), result: { c1: [], c100: [] } as DnsResult };
  try {
    const berth = { rig: await dnsRig(pair.berth), result: { c1: [], c100: [] } as DnsResult };
    try {
      const sides = { docker, berth };
      await interleaved(sides, { repeats: COUNTS.dnsRepeats, measure: async (side) => { side.result.c1.push(await side.rig.run({ clients: 1, outstanding: 1 })); } });
      await interleaved(sides, { repeats: COUNTS.dnsRepeats, measure: async (side) => { side.result.c100.push(await side.rig.run({ clients: 10, outstanding: 100 })); } });
      return { docker: docker.result, berth: berth.result };
    } finally {
      await berth.rig.close();
    }
  } finally {
    await docker.rig.close();
  }
}

const PUBLISHED_IPERF = 15_201;

export interface Throughput {
  /** Bits per second per run. */
  readonly c2c: number[];
  readonly hostIp: number[];
  readonly localhost: number[];
}

type TputPaths = readonly (readonly [keyof Throughput, IperfTarget])[];

/** An iperf3 server in a container (sandbox) with a published port, and a client container on the same network. */
async function tputRig(engine: Engine): Promise<Teardown & { readonly paths: TputPaths }> {
  await engine.api('POST', '/networks/create', { Name: 'cmp-tput', ...subnet(205, 0) });
  const ids: string[] = [];
  let iperfd: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    if (iperfd !== undefined) await stopChild(iperfd);
    for (const id of ids.reverse()) await engine.remove(id);
    await engine.api('DELETE', '/networks/cmp-tput');
  };
  try {
    ids.push(await engine.start({ name: 'cmp-srv', network: 'cmp-tput', ports: { first: PUBLISHED_IPERF, count: 1, containerPort: IPERF_PORT } }));
    ids.push(await engine.start({ name: 'cmp-cli', network: 'cmp-tput' }));
    const at = await engine.where({ id: ids[0] ?? '', network: 'cmp-tput' });
    const from = await engine.where({ id: ids[1] ?? '', network: 'cmp-tput' });
    iperfd = await iperfServer(engine.lab, at.netns);
    const host = engine.lab.host;
    const paths: TputPaths = [
      ['c2c', { from: from.netns, ip: at.ip, port: IPERF_PORT }],
      ['hostIp', { from: host.netns, ip: host.ip, port: PUBLISHED_IPERF }],
      ['localhost', { from: host.netns, ip: '127.0.0.1', port: PUBLISHED_IPERF }],
    ];
    return { close, paths };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * iperf3 single stream on both sides, each path run on one side right after the other (order
 * alternating): container → container on one bridge network, and from the lab host to a
 * published port, on the host's address and on 127.0.0.1 (Docker: docker-proxy carries the latter).
 */
export async function throughput(pair: { readonly docker: Engine; readonly berth: Engine }): Promise<{ docker: Throughput; berth: Throughput }> {
  const make = (): Throughput => ({ c2c: [], hostIp: [], localhost: [] });
  const docker = { engine: pair.docker, rig: await tputRig(pair.docker), result: make() };
  try {
    const berth = { engine: pair.berth, rig: await tputRig(pair.berth), result: make() };
    try {
      for (const key of ['c2c', 'hostIp', 'localhost'] as const) {
        await interleaved({ docker, berth }, {
          repeats: COUNTS.iperfRepeats,
          measure: async (side) => {
            const target = side.rig.paths.find(([name]) => name === key)?.[1];
            if (target === undefined) throw new Error(`no path ${key}`);
            side.result[key].push(await iperf(side.engine.lab, { ...target, seconds: COUNTS.iperfSeconds }));
          },
        });
      }
      return { docker: docker.result, berth: berth.result };
    } finally {
      await berth.rig.close();
    }
  } finally {
    await docker.rig.close();
  }
}

export interface PublishLevel {
  /** Ports published before the probes. */
  readonly ports: number;
  /** Start a container (sandbox) with one more published port. */
  readonly withPort: number[];
  /** The same without a port, interleaved (so the port's share can be estimated). */
  readonly without: number[];
}

export interface Publish {
  readonly levels: PublishLevel[];
  /** Memory before any port and with COUNTS.memoryPorts published. */
  readonly memory: { readonly before: Memory; readonly after: Memory };
  /** Each step up: ports added, in how many containers (sandboxes) started in parallel, and how long it took. */
  readonly ranges: { readonly ports: number; readonly containers: number; readonly ms: number }[];
}

/** Ports per range container (sandbox). */
const RANGE = 250;

/** Median of 5 readings, 200 ms apart, after a 1 s pause (the daemons settle after a burst). */
async function settledMemory(engine: Engine): Promise<Memory> {
  await sleep(1000);
  const readings: Memory[] = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(engine.memory());
    await sleep(200);
  }
  return {
    daemonKiB: median(readings.map((reading) => reading.daemonKiB)),
    helperKiB: median(readings.map((reading) => reading.helperKiB)),
    helpers: median(readings.map((reading) => reading.helpers)),
  };
}

/**
 * Publishing one more port with N already published: N ports are published as ranges in a few
 * containers (sandboxes) (host ports 20000 up); then each probe starts one container with one port
 * (and, interleaved, one without), each removed untimed. Memory is read before the first range and
 * at COUNTS.memoryPorts.
 */
export async function publish(engine: Engine): Promise<Publish> {
  await engine.api('POST', '/networks/create', { Name: 'cmp-pub', IPAM: { Config: [{ Subnet: '10.206.0.0/16' }] } });
  // Warm the publishing path once (untimed).
  await engine.remove(await engine.start({ network: 'cmp-pub', ports: { first: 9999, count: 1, containerPort: 80 } }));
  const before = await settledMemory(engine);
  let after: Memory | undefined;
  const levels: PublishLevel[] = [];
  const ranges: Publish['ranges'] = [];
  let published = 0;
  const stops = [...new Set<number>([...COUNTS.levels, COUNTS.memoryPorts])].sort((a, b) => a - b);
  for (const stop of stops) {
    // The ports up to this stop as ranges of at most RANGE ports, one container (sandbox) each,
    // started in parallel (Docker spends ~250 ms per port, most of it waiting for iptables and
    // docker-proxy processes; building up is not what is measured).
    if (published < stop) {
      const chunks: { first: number; count: number }[] = [];
      for (let first = published; first < stop; first += RANGE) chunks.push({ first: 20_000 + first, count: Math.min(RANGE, stop - first) });
      ranges.push({ ports: stop - published, containers: chunks.length, ms: await timed(() => Promise.all(chunks.map((ports) => engine.start({ network: 'cmp-pub', ports })))) });
      published = stop;
    }
    if (stop === COUNTS.memoryPorts) after = await settledMemory(engine);
    if (!(COUNTS.levels as readonly number[]).includes(stop)) continue;
    const level: PublishLevel = { ports: stop, withPort: [], without: [] };
    for (let i = 0; i < COUNTS.publish; i += 1) {
      let id = '';
      level.withPort.push(await timed(async () => { id = await engine.start({ network: 'cmp-pub', ports: { first: 9000 + i, count: 1, containerPort: 80 } }); }));
      await engine.remove(id);
      level.without.push(await timed(async () => { id = await engine.start({ network: 'cmp-pub' }); }));
      await engine.remove(id);
    }
    levels.push(level);
  }
  if (after === undefined) throw new Error('no memory reading');
  // The range containers are removed with the lab (Docker: by the engine's close, in parallel).
  return { levels, memory: { before, after }, ranges };
}
