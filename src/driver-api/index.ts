export type { AddressRequest, IpamDriver, PoolAllocation, PoolRequest } from './ipam-driver.js';
export type {
  DriverCapabilities, DriverEndpoint, DriverNetwork, DriverScope, DriverState, EndpointRequest, IpamData, JoinResult,
  JsonValue, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer, SandboxTarget, StaticRoute,
} from './network-driver.js';
export { isNetworkRestorer, isPortPublisher } from './network-driver.js';
export { parsePortSpec } from './port-spec.js';
export type { PortBinding, PortMapping, PortProtocol } from './port-spec.js';
export type { PortPublisher } from './network-driver.js';
export { isPeerSync } from './peer-sync.js';
export type { PeerSync, RemotePeerInfo } from './peer-sync.js';
