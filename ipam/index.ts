export { DefaultIpam } from './default/default-ipam.js';
export type { DefaultIpamOptions } from './default/default-ipam.js';
export { DOCKER_DEFAULT_POOLS, DEFAULT_IPV6_POOLS, parseDefaultAddressPool } from './default/default-pools.js';
export type { DefaultPool } from './default/default-pools.js';
export { contains, overlaps, parsePrefix } from './default/cidr.js';
export type { Prefix } from './default/cidr.js';
