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
}

/** The Linux kernel layer: netlink, setns, /proc/sys and the firewall backend. */
export class LinuxKernel implements Kernel {
  readonly netns: LinuxNetnsOps;
  readonly sockets = new LinuxSocketOps();
  readonly firewall: FirewallBackend;
  readonly #open = new Map<string, NetnsKernel>();

  constructor(options: LinuxKernelOptions) {
    this.netns = new LinuxNetnsOps({ dir: options.netnsDir, ...(options.host === undefined ? {} : { host: options.host }) });
    this.firewall = options.firewall;
  }

  in(netns: Netns): NetnsKernel {
    const existing = this.#open.get(netns.path);
    if (existing !== undefined) return existing;
    const opened = openNetnsKernel(netns);
    const handle: NetnsKernel = { ...opened, close: () => { this.#open.delete(netns.path); opened.close(); } };
    this.#open.set(netns.path, handle);
    return handle;
  }

  release(netns: Netns): void {
    this.#open.get(netns.path)?.close();
  }

  close(): void {
    for (const handle of [...this.#open.values()]) handle.close();
    this.firewall.close();
  }
}
