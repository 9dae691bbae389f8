import type { FirewallBackend } from '../firewall.js';
import type { Kernel, NetnsKernel } from '../kernel.js';
import type { Netns } from '../netns.js';
import { LinuxAddressOps } from './address-ops.js';
import { LinuxLinkOps } from './link-ops.js';
import { LinuxFdbOps, LinuxNeighbourOps } from './neighbour-ops.js';
import { LinuxNetnsOps } from './netns-ops.js';
import { LinuxRouteOps } from './route-ops.js';
import { closeRtnl, openRtnl } from './rtnl.js';
import { LinuxSocketOps } from './socket-ops.js';
import { LinuxSysctlOps } from './sysctl-ops.js';

/** A handle unused this long may be closed to bound open sockets. */
const IDLE_MS = 5000;

/** Opens the kernel handle of one namespace: one rtnetlink socket, bound there for good. */
export function openNetnsKernel(netns: Netns): NetnsKernel {
  const socket = openRtnl(netns.path);
  const links = new LinuxLinkOps(socket);
  return {
    netns,
    links,
    addresses: new LinuxAddressOps(socket, links),
    routes: new LinuxRouteOps(socket, links),
    neighbours: new LinuxNeighbourOps(socket, links),
    fdb: new LinuxFdbOps(socket, links),
    sysctls: new LinuxSysctlOps(netns.path),
    close: () => closeRtnl(socket),
  };
}

/** Where berth keeps its namespace mounts, and which firewall backend to use. */
export interface LinuxKernelOptions {
  /** Directory for namespace bind mounts, e.g. /run/berth/netns. */
  readonly netnsDir: string;
  readonly firewall: FirewallBackend;
  /** The namespace berth treats as the host; the process's own by default. */
  readonly host?: Netns;
  /** Most namespace handles kept open (each holds a netlink socket, an fd); the host's is always kept. */
  readonly maxOpenHandles?: number;
}

/** The Linux kernel layer: netlink, setns, /proc/sys and the firewall backend. */
export class LinuxKernel implements Kernel {
  readonly netns: LinuxNetnsOps;
  readonly sockets = new LinuxSocketOps();
  readonly firewall: FirewallBackend;
  /** Open handles, least recently used first (a Map keeps insertion order; a hit moves to the end). */
  readonly #open = new Map<string, NetnsKernel>();
  readonly #maxOpen: number;
  readonly #lastUsed = new Map<string, number>();

  constructor(options: LinuxKernelOptions) {
    this.netns = new LinuxNetnsOps({ dir: options.netnsDir, ...(options.host === undefined ? {} : { host: options.host }) });
    this.firewall = options.firewall;
    this.#maxOpen = options.maxOpenHandles ?? 64;
  }

  in(netns: Netns): NetnsKernel {
    this.#lastUsed.set(netns.path, Date.now());
    const existing = this.#open.get(netns.path);
    if (existing !== undefined) {
      this.#open.delete(netns.path);
      this.#open.set(netns.path, existing);
      return existing;
    }
    const opened = openNetnsKernel(netns);
    const handle: NetnsKernel = { ...opened, close: () => { this.#open.delete(netns.path); this.#lastUsed.delete(netns.path); opened.close(); } };
    this.#open.set(netns.path, handle);
    this.#evict();
    return handle;
  }

  /**
   * Bounds open sockets: with 1000 sandboxes berthd keeps ~64 fds, not 1000 (re-opening costs
   * ~0.1 ms). A soft cap: handles used in the last seconds may still be held by an operation
   * in flight, so they are never closed under it.
   */
  #evict(): void {
    const idleBefore = Date.now() - IDLE_MS;
    for (const [path, handle] of this.#open) {
      if (this.#open.size <= this.#maxOpen) return;
      if (path !== this.netns.host.path && (this.#lastUsed.get(path) ?? 0) < idleBefore) handle.close();
    }
  }

  release(netns: Netns): void {
    this.#open.get(netns.path)?.close();
  }

  close(): void {
    for (const handle of [...this.#open.values()]) handle.close();
    this.firewall.close();
  }
}
