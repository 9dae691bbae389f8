/**
 * Load helpers shared by test/daemon/load.int.test.ts (CI) and bench/soak (bounded soak):
 * many sandboxes over many networks with published ports, created and removed by concurrent
 * API clients against a berthd in a lab, and the daemon's RSS and open files.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { DaemonRig } from '../../src/lab/index.js';

/** Shape of one load run. */
export interface LoadPlan {
  readonly networks: number;
  readonly sandboxes: number;
  /** Published ports per sandbox (host ports from `firstPort` up, container ports 80, 81, ...). */
  readonly portsPerSandbox: number;
  readonly firstPort: number;
  /** Concurrent API clients. */
  readonly clients: number;
  /** Sandboxes (by index) that run `busybox httpd` on port 80, serving `www`. */
  readonly servers?: { readonly indexes: readonly number[]; readonly www: string };
  /** Name prefix, so a soak can run several generations side by side. */
  readonly prefix?: string;
}

/** One sandbox the plan creates. */
export interface PlannedSandbox {
  readonly index: number;
  readonly name: string;
  readonly network: string;
  readonly hostPorts: readonly number[];
}

export function networkName(index: number): string {
  return `load${String(index)}`;
}

/** Subnet of network `index`: 10.(160 + index / 256).(index % 256).0/24, room for 250 sandboxes. */
export function networkSubnet(index: number): string {
  return `10.${String(160 + Math.floor(index / 256))}.${String(index % 256)}.0/24`;
}

export function planSandboxes(plan: LoadPlan): PlannedSandbox[] {
  return Array.from({ length: plan.sandboxes }, (_, index) => ({
    index,
    name: `${plan.prefix ?? 's'}${String(index)}`,
    network: networkName(index % plan.networks),
    hostPorts: Array.from({ length: plan.portsPerSandbox }, (_unused, port) => plan.firstPort + index * plan.portsPerSandbox + port),
  }));
}

/** Runs `work` over `items` with at most `clients` in flight; rejects with the first failure after all settle. */
export async function pool<T>(items: readonly T[], options: { readonly clients: number; readonly work: (item: T) => Promise<void> }): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const client = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await options.work(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  if (failures.length > 0) throw new Error(`${String(failures.length)} of ${String(items.length)} failed; first: ${String(failures[0])}`);
}

/** An API call that must succeed (status < 300); returns the parsed body. */
export async function ok(rig: DaemonRig, request: { readonly method: string; readonly path: string; readonly body?: unknown }): Promise<unknown> {
  const reply = await rig.api(request.method, request.path, request.body);
  if (reply.status >= 300) throw new Error(`${request.method} ${request.path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

export async function createNetworks(rig: DaemonRig, plan: LoadPlan): Promise<void> {
  const indexes = Array.from({ length: plan.networks }, (_, index) => index);
  await pool(indexes, { clients: plan.clients, work: async (index) => {
    await ok(rig, { method: 'POST', path: '/networks/create', body: { Name: networkName(index), IPAM: { Config: [{ Subnet: networkSubnet(index) }] } } });
  } });
}

export async function createSandbox(rig: DaemonRig, options: { readonly sandbox: PlannedSandbox; readonly plan: LoadPlan }): Promise<void> {
  const { sandbox, plan } = options;
  const server = plan.servers?.indexes.includes(sandbox.index) === true ? plan.servers : undefined;
  await ok(rig, { method: 'POST', path: '/berth/sandboxes', body: {
    Name: sandbox.name,
    Networks: [{ Network: sandbox.network }],
    Ports: sandbox.hostPorts.map((port, offset) => `${String(port)}:${String(80 + offset)}`),
    ...(server === undefined ? {} : { Cmd: ['busybox', 'httpd', '-f', '-p', '80', '-h', server.www] }),
  } });
}

export async function removeSandbox(rig: DaemonRig, name: string): Promise<void> {
  await ok(rig, { method: 'DELETE', path: `/containers/${name}?force=true` });
}

/** berthd's resident memory (MiB) and open file descriptors, from /proc. */
export function processStats(pid: number): { readonly rssMiB: number; readonly fds: number; readonly kinds: string } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const counts = new Map<string, number>();
  const fds = readdirSync(`/proc/${String(pid)}/fd`);
  for (const fd of fds) {
    let kind = 'gone';
    try {
      kind = /^([a-z_]+):|^(\/)/.exec(readlinkSync(`/proc/${String(pid)}/fd/${fd}`))?.[1] ?? 'file';
    } catch {
      // closed while listing
    }
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return { rssMiB, fds: fds.length, kinds: [...counts].map(([kind, count]) => `${kind} ${String(count)}`).join(', ') };
}

/** What berth left in the lab host: veths, non-berth0 bridges, published-port map elements. */
export async function leftovers(rig: DaemonRig): Promise<{ readonly veths: string[]; readonly bridges: string[]; readonly publishElements: string[] }> {
  const links = await rig.lab.run(rig.host.netns, ['ip', '-o', 'link', 'show']);
  const names = [...links.matchAll(/^\d+: ([^:@]+)[:@]/gm)].map((match) => match[1] ?? '');
  const veths = (await rig.lab.run(rig.host.netns, ['ip', '-o', 'link', 'show', 'type', 'veth'])).split('\n').filter((line) => line.trim() !== '')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? line)
    // The lab's own uplink is a veth too.
    .filter((name) => name !== 'eth0');
  const bridges = names.filter((name) => name.startsWith('br-'));
  const maps = await rig.lab.run(rig.host.netns, ['nft', '-j', 'list', 'table', 'inet', 'berth']);
  const parsed = JSON.parse(maps) as { nftables: { map?: { name: string; elem?: unknown[] } }[] };
  const publishElements = parsed.nftables.flatMap((entry) => (entry.map !== undefined && entry.map.name.startsWith('publish') ? (entry.map.elem ?? []).map((elem) => `${entry.map?.name ?? ''}: ${JSON.stringify(elem)}`) : []));
  return { veths, bridges, publishElements };
}
