/**
 * bench/bridge: the bridge driver's costs, each printed against a baseline measured in the same
 * run (Docker's figures from shared/reference/labs.md are quoted beside them, not measured):
 *  1. publishing one more port at N = 1 … 10 000 published (publish.ts, in its own lab);
 *  2. berthd's memory for 10 000 published ports (memory.ts);
 *  3. TCP throughput with iperf3, sandbox ↔ sandbox and host → published port (throughput.ts);
 *  4. connect latency at 1, 100, 1000 attached sandboxes vs the kernel floor (connect.ts).
 * Section 2 starts two fresh berthds, sections 3–4 share one; each runs in a throwaway lab
 * (src/lab) removed after. `--quick` (or BENCH_QUICK=1): connect at 1 and 100 only, one 1 s iperf3 run per path.
 */
import { cpus, loadavg } from 'node:os';
import { runInLab, startDaemon } from '../../src/lab/index.js';
import { QUICK } from './common.js';
import { publishWorker } from './publish.js';
import { memorySection } from './memory.js';
import { throughputSection } from './throughput.js';
import { connectSection } from './connect.js';

async function main(): Promise<void> {
  const worker = process.argv.includes('--worker');
  if (!worker) {
    if (QUICK) process.env['BENCH_QUICK'] = '1';
    process.stdout.write(`# bench/bridge  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores  load ${load()}${QUICK ? '  (quick)' : ''}\n\n`);
  }
  await runInLab({ scriptUrl: import.meta.url, worker: publishWorker });
  if (worker) return;
  await section('memory', () => memorySection());
  const rig = await startDaemon({ prefix: 'berth-bench', args: ['--log-level', 'warn'] });
  try {
    await section('throughput', () => throughputSection(rig));
    await section('connect', () => connectSection(rig));
  } finally {
    await rig.close();
  }
  process.stdout.write(`load average at the end: ${load()}\n`);
}

/** The machine's 1/5/15-minute load averages: other work on it shows in the numbers. */
function load(): string {
  return loadavg().map((value) => value.toFixed(2)).join(' ');
}

async function section(name: string, run: () => Promise<string[]>): Promise<void> {
  const started = Date.now();
  const lines = await run();
  process.stdout.write(`${lines.join('\n')}(${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)\n\n`);
}

await main();
