/**
 * bench/bridge, memory section: berthd's resident memory (VmRSS from /proc/PID/status of the
 * lab's daemon) before and after publishing 10 000 ports (host ports 20000-29999), in two
 * shapes, each on a fresh daemon so both start from the same baseline:
 *  - 10 sandboxes publishing a range of 1000 ports each (RSS read after each; the growth over
 *    the last half shows the cost per port once the heaps have grown to their working size);
 *  - 1 sandbox publishing the whole 10 000-port range in one API call.
 * The anonymous growth is split into the malloc heap ([heap] in smaps: libnftables, SQLite and
 * other native allocations) and the rest (mostly V8's heap). Docker's figure (2 docker-proxy
 * processes per port, 3.1 GiB at 500 ports) is quoted from shared/reference/labs.md.
 */
import { readFileSync } from 'node:fs';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { api, mib, openFds, rssKiB, settledRssKiB, timed } from './common.js';

const PORTS = 10_000;
const FIRST = 20_000;
const BATCH = 1000;
/** labs.md: 500 published ports = 1000 docker-proxy processes, 3.1 GiB RSS. */
const DOCKER = { ports: 500, kib: 3.1 * 1024 * 1024 } as const;
const TARGET_KIB = 5 * 1024;

/** RssAnon and the malloc heap's resident size, in KiB. */
function anonymous(pid: number): { anon: number; malloc: number } {
  const anon = Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  let malloc = 0;
  let inHeap = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inHeap = line.endsWith('[heap]');
    else if (inHeap) malloc += Number(/^Rss:\s+(\d+)/.exec(line)?.[1] ?? 0);
  }
  return { anon, malloc };
}

interface Run {
  readonly baseline: number;
  readonly after: number;
  /** RSS after each batch, KiB. */
  readonly steps: readonly number[];
  readonly seconds: number;
  readonly fds: readonly [number, number];
  readonly anon: readonly [{ anon: number; malloc: number }, { anon: number; malloc: number }];
}

/** A fresh berthd; a network and one warm sandbox with one port; then PORTS ports in batches of `batch`. */
async function measure(batch: number): Promise<Run> {
  const rig: DaemonRig = await startDaemon({ prefix: 'berth-bench', args: ['--log-level', 'warn'] });
  try {
    const ok = api(rig);
    const pid = rig.daemon.pid;
    if (pid === undefined) throw new Error('berthd has no pid');
    await ok('POST', '/networks/create', { Name: 'pub', IPAM: { Config: [{ Subnet: '10.210.0.0/16', Gateway: '10.210.0.1' }] } });
    // Warm the publishing path (libnftables, the map, the store) so the baseline is not a cold daemon.
    await ok('POST', '/berth/sandboxes', { Name: 'warm', Networks: [{ Network: 'pub' }], Ports: ['9000:80'] });
    const baseline = await settledRssKiB(pid);
    const anonBefore = anonymous(pid);
    const fdsBefore = openFds(pid);
    const steps: number[] = [];
    let seconds = 0;
    for (let first = FIRST; first < FIRST + PORTS; first += batch) {
      const range = `${first}-${first + batch - 1}`;
      seconds += (await timed(() => ok('POST', '/berth/sandboxes', { Name: `p${first}`, Networks: [{ Network: 'pub' }], Ports: [`${range}:${range}`] }))) / 1000;
      steps.push(rssKiB(pid));
    }
    const after = await settledRssKiB(pid);
    const views = (await ok('GET', '/containers/json')) as { Ports: unknown[] }[];
    const mapped = views.reduce((sum, view) => sum + view.Ports.length, 0);
    if (mapped !== PORTS + 1) throw new Error(`berthd shows ${mapped} published ports, expected ${PORTS + 1}`);
    return { baseline, after, steps, seconds, fds: [fdsBefore, openFds(pid)], anon: [anonBefore, anonymous(pid)] };
  } finally {
    await rig.close();
  }
}

function verdict(deltaKiB: number): string {
  return deltaKiB < TARGET_KIB ? 'met' : 'NOT met';
}

export async function memorySection(): Promise<string[]> {
  const batched = await measure(BATCH);
  const single = await measure(PORTS);
  const half = batched.steps.length / 2;
  const lastHalf = (batched.steps[batched.steps.length - 1] ?? Number.NaN) - (batched.steps[half - 1] ?? Number.NaN);
  const marginal = lastHalf * 2;
  const dockerPerPortKiB = DOCKER.kib / DOCKER.ports;
  const split = (run: Run): string => {
    const malloc = run.anon[1].malloc - run.anon[0].malloc;
    const rest = run.anon[1].anon - run.anon[0].anon - malloc;
    return `malloc heap +${mib(malloc)}, other anonymous (V8) +${mib(rest)}`;
  };
  const row = (label: string, run: Run): string => {
    const delta = run.after - run.baseline;
    return `| ${label} | ${mib(run.baseline)} | ${mib(run.after)} | **${mib(delta)}** (${((delta * 1024) / PORTS).toFixed(0)} B/port) | ${verdict(delta)} | ${run.seconds.toFixed(2)} s | ${split(run)} |`;
  };
  return [
    `## memory for ${PORTS} published ports  (berthd VmRSS; baseline and final: median of 5 readings after 1 s; fresh daemon per shape)`,
    '| shape | RSS baseline | RSS after | above baseline | target < 5 MiB | API time | where the anonymous growth is |',
    '| --- | ---: | ---: | ---: | :---: | ---: | --- |',
    row(`${PORTS / BATCH} sandboxes × ${BATCH} ports`, batched),
    row(`1 sandbox × ${PORTS} ports (one call)`, single),
    `| ${PORTS / BATCH} × ${BATCH}: growth over the last ${PORTS / 2} ports, × 2 | | | ${mib(marginal)} (${((marginal * 1024) / PORTS).toFixed(0)} B/port) | ${verdict(marginal)} | | per-port cost once the heaps reached working size |`,
    '',
    `RSS after each batch of ${BATCH} (MiB): ${batched.steps.map((kib) => (kib / 1024).toFixed(1)).join(', ')}`,
    `open fds ${batched.fds[0]} → ${batched.fds[1]} (one reserving socket per published host port); processes added: 0.`,
    `Docker (labs.md): ${DOCKER.ports} ports = ${2 * DOCKER.ports} docker-proxy processes, 3.1 GiB = ${(dockerPerPortKiB / 1024).toFixed(1)} MiB/port → ≈ ${((dockerPerPortKiB * PORTS) / 1024 / 1024).toFixed(0)} GiB and ${2 * PORTS} processes at ${PORTS} ports (extrapolated); berth's worst shape above is ${((dockerPerPortKiB * PORTS) / Math.max(batched.after - batched.baseline, single.after - single.baseline)).toFixed(0)}× less.`,
    '',
    '',
  ];
}
