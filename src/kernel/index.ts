export type { AddressInfo, AddressOps } from './address.js';
export type { FirewallBackend, FirewallBackendName, FirewallBatch } from './firewall.js';
export type { Kernel, NetnsKernel, SocketOps } from './kernel.js';
export type { LinkChange, LinkCommon, LinkInfo, LinkKind, LinkOps, LinkSpec, MacvlanMode } from './link.js';
export type { FdbEntry, FdbOps, NeighbourEntry, NeighbourOps } from './neighbour.js';
export type { Netns, NetnsOps } from './netns.js';
export { BERTH_ROUTE_PROTOCOL } from './route.js';
export type { RouteInfo, RouteOps, RouteSpec } from './route.js';
export type { SysctlOps } from './sysctl.js';
