export { DefaultIpam } from './default/default-ipam.js';
export type { DefaultIpamOptions } from './default/default-ipam.js';
export {
  DEFAULT_IPV6_POOLS,
  DEFAULT_IPV6_ULA_PREFIX,
  DOCKER_DEFAULT_POOLS,
  DOCKER_GLOBAL_DEFAULT_POOLS,
  deriveUlaPrefix,
  parseDefaultAddressPool,
} from './default/default-pools.js';
export type { DefaultPool } from './default/default-pools.js';
export { containsAddress, overlaps } from './default/cidr.js';
