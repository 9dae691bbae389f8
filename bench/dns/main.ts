/**
 * bench/dns: the embedded DNS under dnsperf, run from inside a sandbox in a lab — latency of a
 * local name at c1q1, throughput at c10q10 and c10q100, forwarded NXDOMAIN throughput against
 * the same upstream queried directly (measured in this run), and the daemon's memory and file
 * descriptors for 1000 sandboxes served. Docker's figures for this machine class
 * (shared/reference/labs.md) are printed beside them; they were not measured in this run.
 *
 *   node dist/bench/dns/main.js [--seconds 5] [--sandboxes 1000]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startDaemon, startFakeUpstream } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';

const DOCKER = { latencyMs: 0.061, c10q10: 23_500, c10q100: 56_000, forwarded: 13_400, direct: 61_000 } as const;
const UPSTREAM = '198.18.0.1';

interface Perf {
  readonly qps: number;
  readonly latencyMs: number;
  readonly lost: number;
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

async function dnsperf(netnsPath: string, init: { readonly server: string; readonly queries: string; readonly clients: number; readonly outstanding: number; readonly seconds: number }): Promise<Perf> {
  const args = ['-s', init.server, '-d', init.queries, '-c', String(init.clients), '-T', String(Math.min(init.clients, 2)), '-q', String(init.outstanding), '-l', String(init.seconds), '-t', '2'];
  const result = await execa('nsenter', [`--net=${netnsPath}`, 'dnsperf', ...args], { timeout: (init.seconds + 30) * 1000 });
  const number = (pattern: RegExp): number => Number(pattern.exec(result.stdout)?.[1] ?? Number.NaN);
  return {
    qps: number(/Queries per second:\s+([\d.]+)/),
    latencyMs: number(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lost: number(/Queries lost:\s+(\d+)/),
  };
}

function ok(rig: DaemonRig): (method: string, path: string, body?: unknown) => Promise<unknown> {
  return async (method, path, body) => {
    const reply = await rig.api(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
}

function daemonResources(rig: DaemonRig): { rssMiB: number; fds: number } {
  const pid = rig.daemon.pid ?? 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function main(): Promise<void> {
  const seconds = flag('seconds', 5);
  const sandboxes = flag('sandboxes', 1000);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-dns-'));
  writeFileSync(join(dir, 'resolv.conf'), `nameserver ${UPSTREAM}\n`);
  writeFileSync(join(dir, 'local.txt'), 'target A\n');
  writeFileSync(join(dir, 'nx.txt'), Array.from({ length: 1000 }, (_, i) => `nx${i}.example.test A`).join('\n') + '\n');
  const rig = await startDaemon({ prefix: 'berth-bench', args: ['--log-level', 'warn', '--host-resolv-conf', join(dir, 'resolv.conf')] });
  const rows = [`bench/dns  ${new Date().toISOString()}  node ${process.version}  ${seconds} s per run`, '| measure | berth | reference | ratio |', '| --- | ---: | ---: | ---: |'];
  try {
    await startFakeUpstream(rig.lab, { netns: rig.lab.router.netns, listen: `${UPSTREAM}:53` });
    const api = ok(rig);
    await api('POST', '/networks/create', { Name: 'dnsbench', IPAM: { Config: [{ Subnet: '10.70.0.0/16' }] } });
    await api('POST', '/berth/sandboxes', { Name: 'target', Networks: [{ Network: 'dnsbench' }] });
    const probe = (await api('POST', '/berth/sandboxes', { Name: 'probe', Networks: [{ Network: 'dnsbench' }] })) as { Id: string };
    const inspect = (await api('GET', `/containers/${probe.Id}/json`)) as { NetworkSettings: { SandboxKey: string } };
    const netns = inspect.NetworkSettings.SandboxKey;
    const local = (clients: number, outstanding: number): Promise<Perf> => dnsperf(netns, { server: '127.0.0.11', queries: join(dir, 'local.txt'), clients, outstanding, seconds });
    const c1 = await local(1, 1);
    rows.push(`| local name, c1q1 avg latency | ${c1.latencyMs.toFixed(3)} ms | Docker ${DOCKER.latencyMs} ms | ${(DOCKER.latencyMs / c1.latencyMs).toFixed(2)}× (>1 = faster) |`);
    const c10 = await local(10, 10);
    rows.push(`| local name, c10q10 | ${c10.qps.toFixed(0)} qps | Docker ${DOCKER.c10q10} qps | ${(c10.qps / DOCKER.c10q10).toFixed(2)}× (target ≥ 2×) |`);
    const c100 = await local(10, 100);
    rows.push(`| local name, c10q100 | ${c100.qps.toFixed(0)} qps | Docker ${DOCKER.c10q100} qps | ${(c100.qps / DOCKER.c10q100).toFixed(2)}× (target ≥ 2×) |`);
    const nx = join(dir, 'nx.txt');
    const direct = await dnsperf(netns, { server: UPSTREAM, queries: nx, clients: 10, outstanding: 100, seconds });
    const forwarded = await dnsperf(netns, { server: '127.0.0.11', queries: nx, clients: 10, outstanding: 100, seconds });
    rows.push(`| forwarded NXDOMAIN, c10q100 | ${forwarded.qps.toFixed(0)} qps (lost ${forwarded.lost}) | upstream directly ${direct.qps.toFixed(0)} qps (this run) | ${(forwarded.qps / direct.qps * 100).toFixed(0)}% (target ≥ 50%; Docker ${(DOCKER.forwarded / DOCKER.direct * 100).toFixed(0)}%) |`);
    const before = daemonResources(rig);
    for (let i = 0; i < sandboxes; i += 1) await api('POST', '/berth/sandboxes', { Name: `s${i}`, Networks: [{ Network: 'dnsbench' }] });
    const after = daemonResources(rig);
    rows.push(`| resolver for ${sandboxes} more sandboxes | +${(after.rssMiB - before.rssMiB).toFixed(1)} MiB RSS, +${after.fds - before.fds} fds | ${before.rssMiB.toFixed(0)} MiB before | ${((after.rssMiB - before.rssMiB) * 1024 / sandboxes).toFixed(1)} KiB per sandbox (incl. its endpoint) |`);
    const again = await local(10, 100);
    rows.push(`| local name, c10q100 with ${sandboxes + 2} sandboxes | ${again.qps.toFixed(0)} qps | ${c100.qps.toFixed(0)} qps with 2 | ${(again.qps / c100.qps).toFixed(2)}× |`);
  } finally {
    process.stdout.write(`${rows.join('\n')}\n`);
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
