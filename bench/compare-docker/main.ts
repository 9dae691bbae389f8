/**
 * bench/compare-docker: berth vs Docker on the same operations, measured side by side in one run,
 * printed as one markdown table of ratios (then the details).
 *
 * Docker is a real dockerd (Debian's docker.io) in its own lab with default settings: its native
 * bridge driver, embedded DNS and docker-proxy. berth is its own berthd in another lab. Both are
 * driven through the same Engine API client over their unix sockets; dnsperf and iperf3 run from
 * the lab side, entering a container's (sandbox's) namespace with nsenter. Nothing runs in the
 * machine's own network namespace; both labs are removed at the end.
 *
 *   node dist/bench/compare-docker/main.js [--quick]      (≈ 8–10 min; --quick ≈ 2 min)
 */
import { cpus, release } from 'node:os';
import { COUNTS, connects, dns, networks, publish, runRemove, throughput } from './sections.js';
import type { DnsResult, Publish, Throughput } from './sections.js';
import { QUICK, faster, gbit, load, median, mib, ms, percentile, rate, signedMib } from './common.js';
import { berthEngine, dockerEngine } from './engines.js';
import type { Engine } from './engines.js';

interface Pair<T> {
  readonly docker: T;
  readonly berth: T;
}

function progress(text: string): void {
  process.stderr.write(`[compare-docker ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Runs one section on both sides; which side goes first alternates from section to section. */
async function both<T>(name: string, engines: Pair<Engine> & { readonly dockerFirst: boolean }, run: (engine: Engine) => Promise<T>): Promise<Pair<T>> {
  const side = async (engine: Engine): Promise<T> => {
    const started = Date.now();
    const result = await run(engine);
    progress(`${name}: ${engine.label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  if (engines.dockerFirst) {
    const docker = await side(engines.docker);
    return { docker, berth: await side(engines.berth) };
  }
  const berth = await side(engines.berth);
  return { docker: await side(engines.docker), berth };
}

/** A section that measures both sides itself, interleaving their runs. */
async function interleavedSection<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await run();
  progress(`${name}: both sides, interleaved, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** The median of per-pair differences (each pair run back to back). */
function pairedShare(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, index) => value - (b[index] ?? Number.NaN)));
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

interface Results {
  readonly nets: Pair<{ create: number[]; rm: number[] }>;
  readonly conns: Pair<{ connect: number[]; disconnect: number[] }>;
  readonly runs: Pair<{ network: number[]; none: number[] }>;
  readonly names: Pair<DnsResult>;
  readonly tcp: Pair<Throughput>;
  readonly ports: Pair<Publish>;
}

function timeRow(what: string, pair: Pair<readonly number[]>): string {
  const docker = median(pair.docker);
  const berth = median(pair.berth);
  return row([what, ms(docker), ms(berth), faster({ docker, berth })]);
}

function shareRow(what: string, pair: Pair<number>): string {
  const verdict = pair.berth > 0.5 && pair.docker > 0 ? faster(pair) : 'berth: within noise';
  return row([what, ms(pair.docker), pair.berth > 0.5 ? ms(pair.berth) : `${pair.berth.toFixed(1)} ms`, verdict]);
}

function memoryRow(ports: Pair<Publish>): string {
  const { before, after } = ports.docker.memory;
  const dockerd = after.daemonKiB - before.daemonKiB;
  const docker = dockerd + after.helperKiB - before.helperKiB;
  const berth = ports.berth.memory.after.daemonKiB - ports.berth.memory.before.daemonKiB;
  const ratio = docker / Math.max(berth, 1);
  const verdict = ratio >= 1 ? `**${ratio.toFixed(0)}× less**` : `**${(1 / ratio).toFixed(1)}× more**`;
  return row([
    `memory for ${COUNTS.memoryPorts} published ports (RSS growth from 0 ports)`,
    `${signedMib(docker)} (dockerd ${signedMib(dockerd)}, ${after.helpers} docker-proxy processes ${mib(after.helperKiB)})`,
    `${signedMib(berth)} (berthd; no process)`,
    verdict,
  ]);
}

function table(results: Results): string[] {
  const { nets, conns, runs, names, tcp, ports } = results;
  const tcpRow = (what: string, key: keyof Throughput): string => {
    const docker = median(tcp.docker[key]);
    const berth = median(tcp.berth[key]);
    return row([what, gbit(docker), gbit(berth), rate({ docker, berth })]);
  };
  const lines = [
    row(['operation', 'Docker', 'berth', 'berth vs Docker']),
    row(['---', '---:', '---:', '---']),
    timeRow(`network create (median of ${COUNTS.api})`, { docker: nets.docker.create, berth: nets.berth.create }),
    timeRow('network rm', { docker: nets.docker.rm, berth: nets.berth.rm }),
    timeRow(`connect a running container / sandbox to a network (median of ${COUNTS.api})`, { docker: conns.docker.connect, berth: conns.berth.connect }),
    timeRow('disconnect it', { docker: conns.docker.disconnect, berth: conns.berth.disconnect }),
    timeRow(`run + rm with a network (create, start \`sleep\`, rm -f; median of ${COUNTS.run})`, { docker: runs.docker.network, berth: runs.berth.network }),
    timeRow('run + rm with `--network none` (reference)', { docker: runs.docker.none, berth: runs.berth.none }),
    shareRow('→ the network\'s share of run + rm (paired difference)', { docker: pairedShare(runs.docker.network, runs.docker.none), berth: pairedShare(runs.berth.network, runs.berth.none) }),
  ];
  for (const [index, level] of ports.docker.levels.entries()) {
    const other = ports.berth.levels[index];
    if (other === undefined) continue;
    lines.push(timeRow(`publish one more port at ${level.ports} published: run with \`-p\` (median of ${COUNTS.publish})`, { docker: level.withPort, berth: other.withPort }));
    lines.push(shareRow('→ the port\'s share (paired difference with a run without `-p`)', { docker: pairedShare(level.withPort, level.without), berth: pairedShare(other.withPort, other.without) }));
  }
  lines.push(memoryRow(ports));
  const latency = { docker: median(names.docker.c1.map((perf) => perf.latencyMs)), berth: median(names.berth.c1.map((perf) => perf.latencyMs)) };
  const dnsRuns = `${COUNTS.dnsSeconds} s, median of ${COUNTS.dnsRepeats}`;
  lines.push(row([`DNS, local name from inside a container, c1q1 average latency (dnsperf ${dnsRuns})`, `${latency.docker.toFixed(3)} ms`, `${latency.berth.toFixed(3)} ms`, faster(latency)]));
  const qps = { docker: median(names.docker.c100.map((perf) => perf.qps)), berth: median(names.berth.c100.map((perf) => perf.qps)) };
  lines.push(row([`DNS, local name, c10q100 throughput (${dnsRuns})`, `${qps.docker.toFixed(0)} qps`, `${qps.berth.toFixed(0)} qps`, rate(qps)]));
  const runsOf = `iperf3 ${COUNTS.iperfSeconds} s, median of ${COUNTS.iperfRepeats}`;
  lines.push(tcpRow(`TCP container → container, same bridge network (${runsOf})`, 'c2c'));
  lines.push(tcpRow('TCP lab host → published port on the host\'s address (both: kernel DNAT)', 'hostIp'));
  lines.push(tcpRow('TCP lab host → published port on 127.0.0.1 (Docker: docker-proxy; berth: DNAT)', 'localhost'));
  return lines;
}

function details(results: Results): string[] {
  const { nets, conns, runs, names, tcp, ports } = results;
  const p95 = (label: string, pair: Pair<readonly number[]>): string => `${label}: p95 Docker ${ms(percentile(pair.docker, 95))}, berth ${ms(percentile(pair.berth, 95))}`;
  const list = (values: readonly number[]): string => values.map((bps) => (bps / 1e9).toFixed(1)).join(', ');
  const lines = [
    p95('network create', { docker: nets.docker.create, berth: nets.berth.create }),
    p95('network rm', { docker: nets.docker.rm, berth: nets.berth.rm }),
    p95('connect', { docker: conns.docker.connect, berth: conns.berth.connect }),
    p95('disconnect', { docker: conns.docker.disconnect, berth: conns.berth.disconnect }),
    p95('run + rm with a network', { docker: runs.docker.network, berth: runs.berth.network }),
  ];
  for (const [side, publishResult] of [['Docker', ports.docker], ['berth', ports.berth]] as const) {
    const ranges = publishResult.ranges.map((range) => `+${range.ports} in ${range.containers} in parallel: ${(range.ms / 1000).toFixed(2)} s (${(range.ms / range.ports).toFixed(1)} ms/port)`).join('; ');
    const { before, after } = publishResult.memory;
    lines.push(`${side}: ports published as ranges of ≤ 250, one container/sandbox each: ${ranges}`);
    lines.push(`${side}: memory before any port: daemon ${mib(before.daemonKiB)}, ${before.helpers} helper processes; at ${COUNTS.memoryPorts} ports: daemon ${mib(after.daemonKiB)}, ${after.helpers} helper processes ${mib(after.helperKiB)} (total ${mib(after.daemonKiB + after.helperKiB)})`);
  }
  for (const [side, perf] of [['Docker', names.docker], ['berth', names.berth]] as const) {
    const c1 = perf.c1.map((run) => `${run.latencyMs.toFixed(3)} ms (max ${run.maxMs.toFixed(1)})`).join(', ');
    const c100 = perf.c100.map((run) => `${run.qps.toFixed(0)} qps (avg ${run.latencyMs.toFixed(2)} ms, lost ${run.lost})`).join(', ');
    lines.push(`${side} DNS runs: c1q1 average latency ${c1}; c10q100 ${c100}`);
  }
  for (const [side, runsBps] of [['Docker', tcp.docker], ['berth', tcp.berth]] as const) {
    lines.push(`${side} TCP runs (Gbit/s): container→container ${list(runsBps.c2c)}; host→host address ${list(runsBps.hostIp)}; host→127.0.0.1 ${list(runsBps.localhost)}`);
  }
  return lines.map((line) => `- ${line}`);
}

async function main(): Promise<void> {
  const started = new Date();
  const loadStart = load();
  progress(`starting both labs${QUICK ? ' (quick)' : ''}`);
  const docker = await dockerEngine();
  let berth: Engine | undefined;
  let results: Results | undefined;
  /** Read when the measurements end, before the teardown (killing ~2000 docker-proxy processes lifts the load average). */
  let loadEnd = '';
  // Interrupted (Ctrl-C, a timeout's SIGTERM): remove both labs before leaving.
  const interrupted = (signal: NodeJS.Signals): void => {
    progress(`${signal}: removing both labs`);
    void Promise.allSettled([docker.close(), berth?.close()]).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    berth = await berthEngine();
    const engines = (dockerFirst: boolean): Pair<Engine> & { dockerFirst: boolean } => ({ docker, berth: berth as Engine, dockerFirst });
    results = {
      nets: await both('network create/rm', engines(true), networks),
      conns: await both('connect/disconnect', engines(false), connects),
      runs: await both('run + rm', engines(true), runRemove),
      names: await interleavedSection('dns', () => dns({ docker, berth: berth as Engine })),
      tcp: await interleavedSection('throughput', () => throughput({ docker, berth: berth as Engine })),
      ports: await both('publish + memory', engines(false), publish),
    };
    loadEnd = load();
  } finally {
    progress('removing both labs');
    try {
      await docker.close();
      progress('Docker lab removed');
    } finally {
      await berth?.close();
      progress('berth lab removed');
    }
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), kernel ${release()}, node ${process.version}`;
  process.stdout.write([
    `## berth vs Docker — ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${QUICK ? ' (--quick)' : ''}`,
    '',
    `Machine: ${machine}. Load average (1/5/15 min) at start ${loadStart}, at end of the measurements ${loadEnd}; run took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min.`,
    `Docker: dockerd ${docker.version} (Debian docker.io) with default settings — bridge driver, embedded DNS, docker-proxy — in its own lab; berth: berthd in another lab. Both driven through their Engine API on a unix socket by the same client.`,
    '',
    ...table(results),
    '',
    'Details:',
    ...details(results),
    '',
  ].join('\n'));
}

await main();
