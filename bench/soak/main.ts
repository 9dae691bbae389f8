/**
 * bench/soak: berthd under churn for a bounded time (issue H item 4, soak variant).
 *
 * 20 networks and `--sandboxes` (default 1000) sandboxes with two published ports each (2000) are
 * created by 20 concurrent API clients; then, for `--minutes` (default 5, at most 10), the same
 * clients keep removing a random sandbox and creating it again (new endpoint, new ports, new DNS
 * record), while berthd's RSS and open fds are printed every `--every` seconds. At the end a
 * sample of names is resolved, everything is removed and the lab must hold no veth, no bridge but
 * berth0 and no published-port element. Exit status 1 when anything failed or leaked.
 *
 *   node dist/bench/soak/main.js [--minutes 5] [--sandboxes 1000] [--every 30]
 */
import { execa } from 'execa';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { createNetworks, createSandbox, leftovers, networkName, ok, planSandboxes, pool, processStats, removeSandbox } from './load.js';
import type { LoadPlan, PlannedSandbox } from './load.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number`);
  return value;
}

const minutes = Math.min(10, flag('minutes', 5));
const plan: LoadPlan = { networks: 20, sandboxes: flag('sandboxes', 1000), portsPerSandbox: 2, firstPort: 20_000, clients: 20 };
const everySeconds = flag('every', 30);

function sample(rig: DaemonRig, label: string): { rssMiB: number; fds: number } {
  const stats = processStats(rig.daemon.pid ?? 0);
  console.log(`| ${label} | ${stats.rssMiB.toFixed(0)} MiB | ${String(stats.fds)} | ${stats.kinds} |`);
  return stats;
}

/** Churn: each client removes and re-creates sandboxes until the deadline; returns the cycles done. */
async function churn(rig: DaemonRig, deadline: number): Promise<number> {
  const sandboxes = planSandboxes(plan);
  const busy = new Set<number>();
  let cycles = 0;
  const client = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const index = Math.floor(Math.random() * sandboxes.length);
      const sandbox = sandboxes[index] as PlannedSandbox;
      if (busy.has(index)) continue;
      busy.add(index);
      await removeSandbox(rig, sandbox.name);
      await createSandbox(rig, { sandbox, plan });
      busy.delete(index);
      cycles += 1;
    }
  };
  await Promise.all(Array.from({ length: plan.clients }, client));
  return cycles;
}

async function resolves(rig: DaemonRig): Promise<number> {
  const sandboxes = planSandboxes(plan);
  let failures = 0;
  for (let index = 0; index < 20; index += 1) {
    const from = sandboxes[index * Math.floor(sandboxes.length / 20)] as PlannedSandbox;
    const peer = sandboxes.find((candidate) => candidate.network === from.network && candidate !== from) as PlannedSandbox;
    const key = ((await ok(rig, { method: 'GET', path: `/containers/${from.name}/json` })) as { NetworkSettings: { SandboxKey: string } }).NetworkSettings.SandboxKey;
    const dig = await execa('nsenter', [`--net=${key}`, 'dig', '@127.0.0.11', '+short', '+tries=2', '+time=5', peer.name], { reject: false, timeout: 20_000 });
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(dig.stdout.trim())) failures += 1;
  }
  return failures;
}

async function main(): Promise<void> {
  const rig = await startDaemon({ prefix: 'berth-soak' });
  let failed = false;
  try {
    console.log(`bench/soak: ${String(plan.sandboxes)} sandboxes, ${String(plan.sandboxes * plan.portsPerSandbox)} published ports, ${String(plan.networks)} networks, ${String(plan.clients)} clients, ${String(minutes)} min churn\n`);
    console.log('| when | berthd RSS | fds | fd kinds |\n| --- | ---: | ---: | --- |');
    sample(rig, 'start');
    const started = Date.now();
    await createNetworks(rig, plan);
    await pool(planSandboxes(plan), { clients: plan.clients, work: (sandbox) => createSandbox(rig, { sandbox, plan }) });
    const loaded = sample(rig, `loaded (${String(Math.round((Date.now() - started) / 1000))} s)`);
    const deadline = Date.now() + minutes * 60_000;
    const timer = setInterval(() => sample(rig, `churn +${String(Math.round((Date.now() - deadline) / 1000 + minutes * 60))} s`), everySeconds * 1000);
    const cycles = await churn(rig, deadline).finally(() => clearInterval(timer));
    const churned = sample(rig, `after ${String(cycles)} remove+create cycles`);
    const dnsFailures = await resolves(rig);
    const removing = Date.now();
    await pool(planSandboxes(plan), { clients: plan.clients, work: (sandbox) => removeSandbox(rig, sandbox.name) });
    await pool(Array.from({ length: plan.networks }, (_, index) => networkName(index)), { clients: plan.clients, work: async (name) => {
      await ok(rig, { method: 'DELETE', path: `/networks/${name}` });
    } });
    sample(rig, `all removed (${String(Math.round((Date.now() - removing) / 1000))} s)`);
    const left = await leftovers(rig);
    const leaked = left.veths.length + left.bridges.length + left.publishElements.length;
    console.log(`\nchurn: ${String(cycles)} cycles in ${String(minutes)} min (${(cycles / (minutes * 60)).toFixed(1)}/s); RSS growth under churn ${(churned.rssMiB - loaded.rssMiB).toFixed(0)} MiB, fds ${String(churned.fds - loaded.fds)}; DNS sample failures ${String(dnsFailures)}/20; leftovers ${String(leaked)}`);
    failed = dnsFailures > 0 || leaked > 0 || rig.daemon.exitCode !== null;
    if (leaked > 0) console.log(JSON.stringify(left));
  } catch (error) {
    console.error(error);
    failed = true;
  } finally {
    await rig.close();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
