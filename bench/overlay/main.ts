/**
 * bench/overlay: overlay networks across hosts, in one run, in a 3-host lab with etcd on the lab
 * router and a berthd per host (src/lab/cluster.ts):
 *  - attach latency of a sandbox on host 1 with 1 berthd in the cluster (hosts 2 and 3 stopped,
 *    their leases expired) and with 3 (each with a member of the network), each probe next to a
 *    local bridge connect on the same host;
 *  - propagation: host 2 acknowledges a new endpoint → it answers ping from host 1;
 *  - TCP throughput sandbox (host 1) → sandbox (host 2) over VXLAN vs the plain underlay path
 *    between the two lab hosts.
 * Everything happens inside the lab; the lab (etcd, berthds, sandboxes, iperf3) is removed at the
 * end, also on failure.
 *
 *   node dist/bench/overlay/main.js [--quick]
 */
import { cpus, loadavg, release } from 'node:os';
import { startCluster } from '../../src/lab/index.js';
import type { ClusterRig } from '../../src/lab/index.js';
import { attachProbes, attachRows } from './attach.js';
import type { AttachSample } from './attach.js';
import { propagationSection } from './propagation.js';
import { throughputSection } from './throughput.js';
import { QUICK, api, liveHosts, sandboxOn, until, vxlanFdb } from './common.js';

const ATTACH_PROBES = QUICK ? 8 : 20;
const PROPAGATION_ROUNDS = QUICK ? 4 : 10;
const IPERF = QUICK ? { seconds: 1, repeats: 1 } : { seconds: 3, repeats: 3 };
/** berthd's default: stopped hosts leave the cluster when their lease expires. */
const LEASE_TTL_S = 15;

function load(): string {
  return loadavg().map((value) => value.toFixed(1)).join(' ');
}

/** Attach latency with host 1 alone in the cluster, then with hosts 2 and 3 back (and members). */
async function attachSection(rig: ClusterRig): Promise<string[]> {
  const [one, two, three] = [rig.node(0), rig.node(1), rig.node(2)];
  const say = (text: string): boolean => process.stderr.write(`${text}\n`);
  say('attach: stopping berthd on hosts 2 and 3 and waiting for their leases to expire');
  await two.kill();
  await three.kill();
  const killed = Date.now();
  await until('only host 1 left in etcd', async () => (await liveHosts(rig)) === 1, (LEASE_TTL_S + 15) * 1000);
  say(`attach: hosts 2 and 3 left etcd ${((Date.now() - killed) / 1000).toFixed(1)} s after the kill`);
  const ok = api(one);
  const overlay = (await ok('POST', '/networks/create', { Name: 'ova', Driver: 'overlay', Attachable: true, IPAM: { Config: [{ Subnet: '10.81.0.0/24' }] } })) as { Id: string };
  await ok('POST', '/networks/create', { Name: 'lbr', IPAM: { Config: [{ Subnet: '10.82.0.0/24' }] } });
  await ok('POST', '/berth/sandboxes', { Name: 'attach-probe' });
  const samples: { hosts: number; sample: AttachSample }[] = [];
  say(`attach: ${ATTACH_PROBES} probes with 1 host (load ${load()})`);
  samples.push({ hosts: 1, sample: await attachProbes(one, { probe: 'attach-probe', overlay: 'ova', bridge: 'lbr', count: ATTACH_PROBES }) });
  say('attach: starting berthd on hosts 2 and 3 again, a member of ova on each');
  await Promise.all([two.start(), three.start()]);
  await until('3 hosts in etcd', async () => (await liveHosts(rig)) === 3);
  for (const [index, node] of [two, three].entries()) {
    await until(`ova on ${node.host.name}`, async () => (await node.api('GET', '/networks/ova')).status === 200);
    await api(node)('POST', '/berth/sandboxes', { Name: `member${index + 2}`, Networks: [{ Network: 'ova' }] });
    const member = await sandboxOn(node, { sandbox: `member${index + 2}`, network: 'ova' });
    await until(`member${index + 2} in host 1's FDB`, async () => (await vxlanFdb(one, overlay.Id)).includes(`${member.mac} dst ${node.host.ip}`));
  }
  say(`attach: ${ATTACH_PROBES} probes with 3 hosts (load ${load()})`);
  samples.push({ hosts: 3, sample: await attachProbes(one, { probe: 'attach-probe', overlay: 'ova', bridge: 'lbr', count: ATTACH_PROBES }) });
  return attachRows(samples);
}

async function main(): Promise<void> {
  const started = Date.now();
  const header = `bench/overlay  ${new Date().toISOString()}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), kernel ${release()}, node ${process.version}${QUICK ? '  --quick' : ''}`;
  process.stderr.write(`${header}\nstarting a 3-host cluster lab (etcd + 3 berthd)\n`);
  const rig = await startCluster({ hosts: 3, args: ['--log-level', 'warn'] });
  const rows = [header, `load average at start: ${load()}`, ''];
  try {
    rows.push(...(await attachSection(rig)));
    process.stderr.write(`propagation: ${PROPAGATION_ROUNDS} rounds (load ${load()})\n`);
    rows.push(...(await propagationSection(rig, PROPAGATION_ROUNDS)));
    process.stderr.write(`throughput: ${IPERF.repeats} × ${IPERF.seconds} s per path (load ${load()})\n`);
    const [one, two] = [rig.node(0), rig.node(1)];
    await api(one)('POST', '/berth/sandboxes', { Name: 'iperf-client', Networks: [{ Network: 'ova' }] });
    const client = await sandboxOn(one, { sandbox: 'iperf-client', network: 'ova' });
    const server = await sandboxOn(two, { sandbox: 'member2', network: 'ova' });
    rows.push(...(await throughputSection(rig, { client: client.netns, server, ...IPERF })));
    rows.push(`load average at end: ${load()}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    process.stdout.write(`${rows.join('\n')}\n`);
    await rig.close();
  }
}

await main();
