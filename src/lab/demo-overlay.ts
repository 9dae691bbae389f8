/**
 * The `scripts/try-overlay` scene: two lab hosts on a lab switch, etcd on the lab router, a
 * berthd on each host in cluster mode; an overlay network created on host 1, a sandbox on each
 * host, pings across hosts by IP and by name, the VXLAN device and its FDB entries, then
 * everything removed.
 */
import { startCluster } from './cluster.js';
import type { ClusterNode } from './cluster.js';

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

function indent(text: string): string {
  return text.trimEnd().replace(/^/gm, '  ');
}

async function berth(node: ClusterNode, args: readonly string[]): Promise<string> {
  process.stdout.write(`[${node.host.name}] $ berth ${args.join(' ')}\n`);
  const result = await node.berth(args);
  const shown = indent(`${result.stdout}${result.stderr}`);
  if (shown !== '') process.stdout.write(`${shown}\n`);
  return result.stdout;
}

async function shell(node: ClusterNode, command: readonly string[]): Promise<string> {
  process.stdout.write(`[${node.host.name}] $ ${command.join(' ')}\n`);
  const output = await node.run(command, { timeoutMs: 10_000 }).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  if (output.trim() !== '') process.stdout.write(`${indent(output)}\n`);
  return output;
}

/** Waits (bounded) until the network is known on `node` — it arrives through that host's etcd watch. */
async function awaitNetwork(node: ClusterNode, name: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if ((await node.api('GET', `/networks/${name}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`network ${name} did not reach ${node.host.name}`);
}

async function addressOf(node: ClusterNode, init: { readonly sandbox: string; readonly network: string }): Promise<string> {
  const view = (await node.api('GET', `/containers/${init.sandbox}/json`)).body as { NetworkSettings?: { Networks?: Record<string, { IPAddress: string } | undefined> } };
  return view.NetworkSettings?.Networks?.[init.network]?.IPAddress ?? '';
}

async function main(): Promise<void> {
  // A closed pipe (`scripts/try-overlay | head`) or Ctrl-C must not skip the lab's teardown.
  process.stdout.on('error', () => undefined);
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => { interrupted = true; });
  say('A two-host lab: hosts on a lab switch, etcd on the lab router, a berthd per host (--cluster-store, --advertise-addr)');
  const rig = await startCluster({ hosts: 2, args: ['--log-level', 'warn'] });
  try {
    const [one, two] = [rig.node(0), rig.node(1)];
    process.stdout.write(`lab ${rig.lab.id}: etcd at ${rig.etcd.address}\n`);
    for (const node of rig.nodes) process.stdout.write(`  ${node.host.name}: ${node.host.ip}, berthd --cluster-store etcd://${rig.etcd.address} --advertise-addr ${node.host.ip}\n`);

    say('An overlay network, created on host 1, known on host 2 through etcd');
    const id = (await berth(one, ['network', 'create', '-d', 'overlay', '--subnet', '10.70.0.0/24', 'ov1'])).trim();
    await awaitNetwork(two, 'ov1');
    await berth(two, ['network', 'ls']);

    say('A sandbox on each host, on the same overlay network');
    await berth(one, ['run', '-d', '--name', 'web', '--network', 'ov1', '--', 'sleep', '300']);
    await berth(two, ['run', '-d', '--name', 'app', '--network', 'ov1', '--', 'sleep', '300']);
    await berth(two, ['exec', 'app', '--', 'ip', '-br', 'addr']);
    const web = await addressOf(one, { sandbox: 'web', network: 'ov1' });
    const app = await addressOf(two, { sandbox: 'app', network: 'ov1' });

    say('Across hosts: by IP, then by name (the embedded DNS knows the other host\'s sandboxes)');
    await berth(two, ['exec', 'app', '--', 'ping', '-c', '2', '-W', '2', web]);
    await berth(one, ['exec', 'web', '--', 'ping', '-c', '2', '-W', '2', app]);
    await berth(two, ['exec', 'app', '--', 'ping', '-c', '2', '-W', '2', 'web']);
    await berth(one, ['exec', 'web', '--', 'dig', '+short', 'app']);

    say('Under the hood on host 1: the VXLAN device (VNI, UDP 4789, learning off) and its static FDB entries');
    const vxlan = `vx-${id.slice(0, 12)}`;
    process.stdout.write(`[${one.host.name}] $ ip -d link show ${vxlan}     (its bridge_slave line left out)\n`);
    const details = await one.run(['ip', '-d', 'link', 'show', vxlan], { timeoutMs: 10_000 });
    process.stdout.write(`${indent(details.split('\n').filter((line) => !line.trim().startsWith('bridge_slave')).join('\n'))}\n`);
    await shell(one, ['bridge', 'fdb', 'show', 'dev', vxlan]);
    process.stdout.write(`  ("self" lines are the VXLAN device's own table, programmed by berthd from etcd: app's MAC → host 2's VTEP ${two.host.ip},\n`);
    process.stdout.write(`   and 00:00:00:00:00:00 → ${two.host.ip}, where broadcasts and ARP go; "master" lines are the bridge's)\n`);
    await shell(one, ['ip', 'neigh', 'show', 'dev', vxlan]);

    say('Cleaning up through the API: the network goes from every host once no host has an endpoint');
    await berth(one, ['rm', '-f', 'web']);
    await berth(two, ['rm', '-f', 'app']);
    await berth(two, ['network', 'rm', 'ov1']);
    await berth(one, ['network', 'ls']);
  } finally {
    say('Stopping both berthds and etcd, removing the lab');
    await rig.close();
    process.stdout.write('done: no namespaces, links or processes are left behind.\n');
    if (interrupted) process.exitCode = 130;
  }
}

await main();
