/**
 * bench/controller: API latency of berthd in a lab — network create/rm, connect/disconnect
 * as the number of attached sandboxes grows, removing 200 sandboxes, 50 parallel connects,
 * and the daemon's RSS at 1000 endpoints. Docker's figures on this machine class
 * (shared/reference/labs.md) are printed beside them for reference; they were not measured
 * in this run.
 */
import { readFileSync } from 'node:fs';
import { startDaemon } from '../../src/lab/index.js';
import type { DaemonRig } from '../../src/lab/index.js';
import { percentile, timed } from '../stats.js';

const DOCKER = { create: 63, rm: 181, connect: 32, disconnect: 44, rm200: 10_800 } as const;

function api(rig: DaemonRig): (method: string, path: string, body?: unknown) => Promise<unknown> {
  return async (method, path, body) => {
    const reply = await rig.api(method, path, body);
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
}


function line(what: string, samples: readonly number[], docker?: number): string {
  const median = percentile(samples, 50);
  const ratio = docker === undefined ? '' : ` | Docker ${docker} ms → ${(docker / median).toFixed(1)}× faster`;
  return `| ${what} | ${median.toFixed(2)} ms | ${percentile(samples, 95).toFixed(2)} ms${ratio} |`;
}

async function createRemove(rig: DaemonRig, rows: string[]): Promise<void> {
  const ok = api(rig);
  const creates: number[] = [];
  const removes: number[] = [];
  for (let i = 0; i < 30; i += 1) {
    creates.push(await timed(() => ok('POST', '/networks/create', { Name: `bench${i}`, IPAM: { Config: [{ Subnet: `10.200.${i}.0/24` }] } })));
    removes.push(await timed(() => ok('DELETE', `/networks/bench${i}`)));
  }
  rows.push(line('network create', creates, DOCKER.create), line('network rm', removes, DOCKER.rm));
}

async function connectAtScale(rig: DaemonRig, rows: string[]): Promise<void> {
  const ok = api(rig);
  await ok('POST', '/networks/create', { Name: 'scale', IPAM: { Config: [{ Subnet: '10.128.0.0/16' }] } });
  await ok('POST', '/berth/sandboxes', { Name: 'probe' });
  let attached = 0;
  for (const target of [1, 100, 1000]) {
    while (attached < target) {
      await ok('POST', '/berth/sandboxes', { Name: `s${attached}`, Networks: [{ Network: 'scale' }] });
      attached += 1;
    }
    const connects: number[] = [];
    const disconnects: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      connects.push(await timed(() => ok('POST', '/networks/scale/connect', { Container: 'probe' })));
      disconnects.push(await timed(() => ok('POST', '/networks/scale/disconnect', { Container: 'probe' })));
    }
    rows.push(line(`connect with ${target} sandboxes attached`, connects, DOCKER.connect), line(`disconnect with ${target} attached`, disconnects, DOCKER.disconnect));
  }
  const status = readFileSync(`/proc/${rig.daemon.pid ?? 0}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  rows.push(`| berthd RSS at ${attached} endpoints | ${rss.toFixed(0)} MiB | target ≤ 100 MiB (dockerd: 139 MiB at 200 containers) |`);
  const removeAll = await timed(async () => {
    for (let i = 0; i < 200; i += 1) await ok('DELETE', `/containers/s${i}?force=true`);
  });
  rows.push(`| remove 200 sandboxes | ${removeAll.toFixed(0)} ms total | Docker ${DOCKER.rm200} ms → ${(DOCKER.rm200 / removeAll).toFixed(1)}× faster |`);
}

async function parallelConnects(rig: DaemonRig, rows: string[]): Promise<void> {
  const ok = api(rig);
  await ok('POST', '/networks/create', { Name: 'par', IPAM: { Config: [{ Subnet: '10.129.0.0/24' }] } });
  for (let i = 0; i < 50; i += 1) await ok('POST', '/berth/sandboxes', { Name: `par${i}` });
  const total = await timed(() => Promise.all(Array.from({ length: 50 }, (_, i) => ok('POST', '/networks/par/connect', { Container: `par${i}` }))));
  const inspect = (await ok('GET', '/networks/par')) as { Containers?: Record<string, { IPv4Address: string }> };
  const addresses = new Set(Object.values(inspect.Containers ?? {}).map((container) => container.IPv4Address));
  rows.push(`| 50 parallel connects | ${total.toFixed(0)} ms total | ${addresses.size} distinct addresses |`);
}

async function main(): Promise<void> {
  const rig = await startDaemon({ prefix: 'berth-bench', args: ['--log-level', 'warn'] });
  const rows = [`bench/controller  ${new Date().toISOString()}  node ${process.version}`, '| operation | median | p95 / note |', '| --- | ---: | --- |'];
  try {
    await createRemove(rig, rows);
    await parallelConnects(rig, rows);
    await connectAtScale(rig, rows);
  } finally {
    process.stdout.write(`${rows.join('\n')}\n`);
    await rig.close();
  }
}

await main();
