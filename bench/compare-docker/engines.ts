/**
 * The two sides of bench/compare-docker behind one interface, each in its own throwaway lab:
 *  - Docker: a real dockerd (Debian's docker.io) started by src/lab's startDockerd with default
 *    settings — native bridge driver, embedded DNS, docker-proxy — and the offline bb:latest image;
 *  - berth: its own berthd (startDaemon); sandboxes through its API (POST /berth/sandboxes).
 * Both are driven through the same Engine API client (common.ts).
 */
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab, importBusyboxImage, startDaemon, startDockerd } from '../../src/lab/index.js';
import type { DaemonRig, DockerdRig } from '../../src/lab/index.js';
import type { Netns } from '../../src/kernel/index.js';
import { engineApi, rssKiB } from './common.js';
import type { Api } from './common.js';

/** Host ports first…first+count-1, published to the same container ports (or to `containerPort` when count is 1). */
export interface PortRange {
  readonly first: number;
  readonly count: number;
  readonly containerPort?: number;
}

export interface RunSpec {
  readonly name?: string;
  /** A network name, or 'none' (loopback only). */
  readonly network: string;
  readonly ports?: PortRange;
}

export interface Memory {
  readonly daemonKiB: number;
  /** docker-proxy processes (Docker); berth runs none. */
  readonly helperKiB: number;
  readonly helpers: number;
}

export interface Engine {
  readonly label: string;
  readonly lab: Lab;
  readonly api: Api;
  /** Creates and starts a container (sandbox) running `sleep 3600`; resolves with its id. */
  start(spec: RunSpec): Promise<string>;
  /** Removes it with force (kills its process). */
  remove(id: string): Promise<void>;
  /** Its network namespace (for nsenter) and its IPv4 address on `network`. */
  where(init: { readonly id: string; readonly network: string }): Promise<{ netns: Netns; ip: string }>;
  memory(): Memory;
  close(): Promise<void>;
}

const SLEEP = ['sleep', '3600'];
/** Docker's calls that publish hundreds of ports take ~160 ms per port (one docker-proxy each). */
const API_TIMEOUT_MS = 300_000;

function hostPorts(range: PortRange): number[] {
  return Array.from({ length: range.count }, (_, index) => range.first + index);
}

interface InspectView {
  readonly State?: { readonly Pid?: number };
  readonly NetworkSettings: { readonly SandboxKey: string; readonly Networks: Record<string, { readonly IPAddress: string } | undefined> };
}

function addressOn(view: InspectView, network: string): string {
  const ip = view.NetworkSettings.Networks[network]?.IPAddress;
  if (ip === undefined || ip === '') throw new Error(`no address on ${network}`);
  return ip;
}

/** Inode of a network namespace path. */
function netnsInode(path: string): number {
  return statSync(path).ino;
}

/** docker-proxy processes whose network namespace is the Docker lab host's (other sessions' dockerds are not counted). */
function dockerProxies(hostNetns: Netns): number[] {
  const inode = netnsInode(hostNetns.path);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'docker-proxy') continue;
      if (readlinkSync(`/proc/${entry}/ns/net`) === `net:[${inode}]`) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Parent pid of every process on the machine (from /proc/PID/stat). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * Every process of the Docker lab: those in the lab host's namespace (dockerd, containerd, the
 * shims, docker-proxy) and all their descendants (the containers' processes, in their own
 * namespaces). Never the bench itself.
 */
function dockerTree(hostNetns: Netns): number[] {
  const inode = netnsInode(hostNetns.path);
  const parentOf = parents();
  const tree = new Set<number>();
  for (const pid of parentOf.keys()) {
    try {
      if (pid !== process.pid && readlinkSync(`/proc/${pid}/ns/net`) === `net:[${inode}]`) tree.add(pid);
    } catch {
      // exited meanwhile
    }
  }
  for (let pass = 0; pass < 32; pass += 1) {
    const before = tree.size;
    for (const [pid, parent] of parentOf) if (tree.has(parent) && pid !== process.pid) tree.add(pid);
    if (tree.size === before) break;
  }
  return [...tree];
}

/**
 * Tears the Docker lab down without releasing 1000 ports one by one through dockerd (~4 min on
 * this machine, and not something the bench measures): SIGKILL to every process of the lab (see
 * dockerTree), a bounded wait until they are gone, then the lab is removed — its namespaces, and
 * with them every link and iptables rule dockerd made. dockerd's mounts live in its private mount
 * namespace and go with its last process.
 */
async function killDockerLab(lab: Lab): Promise<void> {
  for (let round = 0; round < 50; round += 1) {
    const pids = dockerTree(lab.host.netns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await sleep(100);
  }
  const left = dockerTree(lab.host.netns);
  await lab.close();
  if (left.length > 0) throw new Error(`Docker lab processes still alive after SIGKILL: ${left.join(' ')}`);
}

/** Docker in its own lab: dockerd with default networking, bb:latest imported offline. */
export async function dockerEngine(): Promise<Engine & { readonly version: string }> {
  const lab = await Lab.create({ prefix: 'cmp-docker' });
  let rig: DockerdRig | undefined;
  try {
    rig = await startDockerd(lab, { host: lab.host });
    await importBusyboxImage(lab, rig);
  } catch (error) {
    await rig?.stop();
    await lab.close();
    throw error;
  }
  const dockerd = rig;
  const api = engineApi(dockerd.socket, API_TIMEOUT_MS);
  const version = ((await api('GET', '/version')) as { Version: string }).Version;
  const pidFile = join(lab.dir, 'docker', 'dockerd.pid');
  return {
    label: `Docker ${version}`, version, lab, api,
    start: async (spec) => {
      const ports = spec.ports === undefined ? [] : hostPorts(spec.ports);
      const containerPort = (hostPort: number): number => (spec.ports?.count === 1 ? spec.ports.containerPort ?? hostPort : hostPort);
      const body = {
        Image: 'bb:latest', Cmd: SLEEP,
        ExposedPorts: Object.fromEntries(ports.map((port) => [`${containerPort(port)}/tcp`, {}])),
        HostConfig: { NetworkMode: spec.network, PortBindings: Object.fromEntries(ports.map((port) => [`${containerPort(port)}/tcp`, [{ HostPort: String(port) }]])) },
      };
      const query = spec.name === undefined ? '' : `?name=${spec.name}`;
      const { Id } = (await api('POST', `/containers/create${query}`, body)) as { Id: string };
      await api('POST', `/containers/${Id}/start`);
      return Id;
    },
    remove: async (id) => {
      await api('DELETE', `/containers/${id}?force=true`);
    },
    where: async ({ id, network }) => {
      const view = (await api('GET', `/containers/${id}/json`)) as InspectView;
      const pid = view.State?.Pid ?? 0;
      if (pid <= 0) throw new Error(`container ${id} is not running`);
      return { netns: { path: `/proc/${pid}/ns/net` }, ip: addressOn(view, network) };
    },
    memory: () => {
      const proxies = dockerProxies(lab.host.netns);
      return { daemonKiB: rssKiB(Number(readFileSync(pidFile, 'utf8').trim())), helperKiB: proxies.reduce((sum, pid) => sum + rssKiB(pid), 0), helpers: proxies.length };
    },
    close: () => killDockerLab(lab),
  };
}

/** berth in its own lab: berthd with default settings (nftables). */
export async function berthEngine(): Promise<Engine> {
  const rig: DaemonRig = await startDaemon({ prefix: 'cmp-berth', args: ['--log-level', 'warn'] });
  const api = engineApi(rig.host.socketPath, API_TIMEOUT_MS);
  const portSpec = (range: PortRange): string =>
    range.count === 1 ? `${range.first}:${range.containerPort ?? range.first}` : `${range.first}-${range.first + range.count - 1}:${range.first}-${range.first + range.count - 1}`;
  return {
    label: 'berth', lab: rig.lab, api,
    start: async (spec) => {
      const body = {
        ...(spec.name === undefined ? {} : { Name: spec.name }),
        Networks: spec.network === 'none' ? [] : [{ Network: spec.network }],
        Ports: spec.ports === undefined ? [] : [portSpec(spec.ports)],
        Cmd: SLEEP,
      };
      return ((await api('POST', '/berth/sandboxes', body)) as { Id: string }).Id;
    },
    remove: async (id) => {
      await api('DELETE', `/containers/${id}?force=true`);
    },
    where: async ({ id, network }) => {
      const view = (await api('GET', `/containers/${id}/json`)) as InspectView;
      return { netns: { path: view.NetworkSettings.SandboxKey }, ip: addressOn(view, network) };
    },
    memory: () => ({ daemonKiB: rssKiB(rig.daemon.pid ?? 0), helperKiB: 0, helpers: 0 }),
    close: () => rig.close(),
  };
}
