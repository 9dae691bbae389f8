import type { AddressOps } from './address.js';
import type { FdbOps, NeighbourOps } from './neighbour.js';
import type { LinkOps } from './link.js';
import type { Netns, NetnsOps } from './netns.js';
import type { RouteOps } from './route.js';
import type { SysctlOps } from './sysctl.js';
import type { FirewallBackend } from './firewall.js';

/**
 * The kernel as seen from one namespace. Its netlink socket was opened inside that namespace
 * and stays bound there, so every call acts in it whatever thread state follows.
 */
export interface NetnsKernel {
  readonly netns: Netns;
  readonly links: LinkOps;
  readonly addresses: AddressOps;
  readonly routes: RouteOps;
  readonly neighbours: NeighbourOps;
  readonly fdb: FdbOps;
  readonly sysctls: SysctlOps;
  /** Closes the namespace's sockets. */
  close(): void;
}

/** Sockets opened inside a namespace, for servers that must live there (DNS at 127.0.0.11). */
export interface SocketOps {
  /** A bound UDP socket fd inside `netns` (pass to dgram `bind({ fd })`). */
  udpSocketIn(netns: Netns, address: { readonly ip: string; readonly port: number }): number;
  /** A bound, listening TCP socket fd inside `netns` (pass to net `listen({ fd })`). */
  tcpListenerIn(netns: Netns, address: { readonly ip: string; readonly port: number }): number;
  /**
   * Broadcasts a gratuitous ARP request for `ip` from `mac` on link `ifindex` inside `netns`, so
   * neighbours holding a stale entry for a reused address learn the new MAC at once.
   */
  sendGratuitousArp(netns: Netns, announce: { readonly ifindex: number; readonly ip: string; readonly mac: string }): void;
  /**
   * Reserves a host port: a socket bound (TCP not listening) to ip:port in `netns`, so no other
   * program can take a published port. Port 0 picks one from ip_local_port_range. ADDRESS_EXISTS
   * (EADDRINUSE) when the port is taken. Close the returned fd to release it.
   */
  reservePort(netns: Netns, request: { readonly ip: string; readonly port: number; readonly protocol: 'tcp' | 'udp' | 'sctp' }): { readonly fd: number; readonly port: number };
  releasePort(fd: number): void;
}

/** The whole kernel layer, as the composition root wires it. */
export interface Kernel {
  readonly netns: NetnsOps;
  readonly sockets: SocketOps;
  readonly firewall: FirewallBackend;
  /** Opens (or reuses) the per-namespace kernel handle. */
  in(netns: Netns): NetnsKernel;
  /** Closes the cached handle of a namespace if there is one (its sockets would keep a deleted namespace alive). */
  release(netns: Netns): void;
  close(): void;
}
