export type { AddressRequest, IpamDriver, PoolAllocation, PoolRequest } from './ipam-driver.js';
export type {
  DriverCapabilities, DriverEndpoint, DriverNetwork, DriverScope, DriverState, EndpointRequest, IpamData, JoinResult,
  JsonValue, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer, SandboxTarget, StaticRoute,
} from './network-driver.js';
export { isNetworkRestorer } from './network-driver.js';
