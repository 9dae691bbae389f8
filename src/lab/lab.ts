import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Netns, NetnsKernel } from '../kernel/index.js';
import { LinuxNetnsOps, openNetnsKernel } from '../kernel/linux/index.js';
import { LAB_NETNS_DIR, prepareNetnsRunDir } from './netns-run-dir.js';

/** Where labs put their namespaces: ip-netns compatible, so `ip netns` and the leak check see them. */
/** Lab addresses come from 198.18.0.0/15 (RFC 2544 benchmarking), never a real network. */
const UPLINK_PREFIX = '198.18.0';
/** And IPv6 ones from 2001:db8::/32 (RFC 3849 documentation), never routed anywhere. */
const UPLINK_PREFIX6 = '2001:db8:1ab:';

/** One fake host of a lab: its namespace, uplink address and berthd directories. */
export interface LabHost {
  readonly name: string;
  readonly netns: Netns;
  /** The host's address on the lab switch (its uplink eth0). */
  readonly ip: string;
  /** The host's IPv6 address on the lab switch (2001:db8:1ab::/64). */
  readonly ip6: string;
  /** berthd's state (/var/lib/berth), run (/run/berth) directories and API socket for this host. */
  readonly stateDir: string;
  readonly runDir: string;
  readonly socketPath: string;
  readonly kernel: NetnsKernel;
}

export interface LabOptions {
  /** Number of hosts on the lab switch (default 1). */
  readonly hosts?: number;
  /** Prefix of the lab's id, to tell labs apart in listings. */
  readonly prefix?: string;
}

/**
 * A lab: a "router" namespace holding a bridge (the lab switch and the hosts' gateway) and
 * N "host" namespaces, each with uplink eth0 on that switch (IPv4 and IPv6), default routes via the router,
 * and its own berthd directories. Nothing touches the root namespace; teardown is idempotent.
 */
export class Lab {
  readonly id: string;
  readonly router: { readonly netns: Netns; readonly ip: string; readonly ip6: string; readonly kernel: NetnsKernel };
  readonly hosts: readonly LabHost[];
  readonly dir: string;
  readonly #netnsOps: LinuxNetnsOps;
  readonly #processes = new Set<ChildProcess>();
  #closed = false;

  private constructor(init: { id: string; dir: string; netnsOps: LinuxNetnsOps; router: Lab['router']; hosts: LabHost[] }) {
    this.id = init.id;
    this.dir = init.dir;
    this.#netnsOps = init.netnsOps;
    this.router = init.router;
    this.hosts = init.hosts;
  }

  /** Builds a lab; if any step fails, what was built is removed before the error is thrown. */
  static async create(options: LabOptions = {}): Promise<Lab> {
    const count = options.hosts ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 200) throw new Error(`lab hosts ${count}: must be 1-200`);
    const id = `${options.prefix ?? 'berth-lab'}-${randomBytes(3).toString('hex')}`;
    const dir = join('/tmp', id);
    await prepareNetnsRunDir();
    const netnsOps = new LinuxNetnsOps({ dir: LAB_NETNS_DIR });
    const made: Netns[] = [];
    const kernels: NetnsKernel[] = [];
    try {
      const routerNetns = await netnsOps.create(`${id}-router`);
      made.push(routerNetns);
      const router = openNetnsKernel(routerNetns);
      kernels.push(router);
      await router.links.set('lo', { up: true });
      await router.links.create({ kind: 'bridge', name: 'switch', up: true });
      await router.addresses.add('switch', `${UPLINK_PREFIX}.1/24`);
      // No duplicate address detection: the addresses are usable at once, as the IPv4 ones are.
      await router.addresses.add('switch', `${UPLINK_PREFIX6}:1/64`, { noDad: true });
      await router.sysctls.set('net.ipv4.ip_forward', '1');
      const hosts: LabHost[] = [];
      for (let n = 1; n <= count; n += 1) {
        const name = `host${n}`;
        const netns = await netnsOps.create(`${id}-${name}`);
        made.push(netns);
        const kernel = openNetnsKernel(netns);
        kernels.push(kernel);
        const ip = `${UPLINK_PREFIX}.${n + 1}`;
        await router.links.create({ kind: 'veth', name: `to-${name}`, peer: { name: 'eth0', netnsPath: netns.path }, master: 'switch', up: true });
        await kernel.links.set('lo', { up: true });
        await kernel.links.set('eth0', { up: true });
        await kernel.addresses.add('eth0', `${ip}/24`);
        await kernel.routes.add({ destination: 'default', gateway: `${UPLINK_PREFIX}.1` });
        const ip6 = `${UPLINK_PREFIX6}:${n + 1}`;
        await kernel.addresses.add('eth0', `${ip6}/64`, { noDad: true });
        await kernel.routes.add({ destination: 'default6', gateway: `${UPLINK_PREFIX6}:1` });
        const hostDir = join(dir, name);
        const stateDir = join(hostDir, 'lib');
        const runDir = join(hostDir, 'run');
        mkdirSync(stateDir, { recursive: true });
        mkdirSync(runDir, { recursive: true });
        hosts.push({ name, netns, ip, ip6, stateDir, runDir, socketPath: join(runDir, 'berth.sock'), kernel });
      }
      return new Lab({ id, dir, netnsOps, router: { netns: routerNetns, ip: `${UPLINK_PREFIX}.1`, ip6: `${UPLINK_PREFIX6}:1`, kernel: router }, hosts });
    } catch (error) {
      for (const kernel of kernels) kernel.close();
      for (const netns of made.reverse()) await netnsOps.remove(netns);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The lab's first host. */
  get host(): LabHost {
    const first = this.hosts[0];
    if (first === undefined) throw new Error('lab has no hosts');
    return first;
  }

  /** Runs a command inside a namespace of the lab and returns its stdout (rejects on failure). */
  async run(netns: Netns, command: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<string> {
    const [file, ...args] = command;
    if (file === undefined) throw new Error('empty command');
    const result = await execa('nsenter', [`--net=${netns.path}`, file, ...args], { timeout: options.timeoutMs ?? 30_000 });
    return result.stdout;
  }

  /**
   * Starts a long-running command inside a namespace (same mount namespace, as berthd needs);
   * it is killed at teardown if still running.
   */
  spawn(netns: Netns, command: readonly string[], options: { readonly env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    if (command.length === 0) throw new Error('empty command');
    const child = spawn('nsenter', [`--net=${netns.path}`, ...command], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#processes.add(child);
    child.once('exit', () => this.#processes.delete(child));
    return child;
  }

  /** Inodes of every namespace of the lab, including sandbox namespaces mounted under its directory. */
  #namespaceInodes(): Set<number> {
    const paths = [this.router.netns.path, ...this.hosts.map((host) => host.netns.path)];
    for (const host of this.hosts) {
      const dir = join(host.runDir, 'netns');
      if (existsSync(dir)) for (const name of readdirSync(dir)) paths.push(join(dir, name));
    }
    const inodes = new Set<number>();
    for (const path of paths) {
      try {
        inodes.add(statSync(path).ino);
      } catch {
        // gone already
      }
    }
    return inodes;
  }

  /** Kills lab processes, deletes every namespace of the lab (and so its links) and its directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#processes].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }));
    killProcessesIn(this.#namespaceInodes());
    await unmountBelow(this.dir);
    this.router.kernel.close();
    for (const host of this.hosts) host.kernel.close();
    for (const host of this.hosts) await this.#netnsOps.remove(host.netns);
    await this.#netnsOps.remove(this.router.netns);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Kills every process living in one of the given network namespaces (by inode), e.g. sandbox
 * processes berthd started: they would outlive the lab otherwise.
 */
function killProcessesIn(inodes: ReadonlySet<number>): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const match = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/ns/net`));
      if (match?.[1] !== undefined && inodes.has(Number(match[1]))) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // the process exited, or is not ours to see
    }
  }
}

/** Lazily unmounts everything mounted below `dir` (sandbox namespace mounts berthd made), deepest first. */
async function unmountBelow(dir: string): Promise<void> {
  const mounts = await execa('findmnt', ['-rn', '-o', 'TARGET'], { reject: false });
  const targets = mounts.stdout.split('\n').filter((line) => line.startsWith(`${dir}/`)).sort().reverse();
  for (const target of targets) await execa('umount', ['-l', target], { reject: false });
}
