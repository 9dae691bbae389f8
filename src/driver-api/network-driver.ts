import type { PortBinding, PortMapping } from './port-spec.js';

/**
 * The network-driver contract (libnetwork driverapi, reshaped per STYLE.md 2.4): a pure
 * plan step validates everything before the kernel is touched; each verb has its pair.
 */
export type DriverScope = 'local' | 'global';

export interface DriverCapabilities {
  /** Where allocation state lives: this host, or the cluster store. */
  readonly dataScope: DriverScope;
  readonly connectivityScope: DriverScope;
}

/** What the user asked for, as the driver sees it. */
export interface NetworkRequest {
  readonly id: string;
  readonly name: string;
  /** Driver options (-o key=value); each driver's options.ts parses them. */
  readonly options: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly enableIpv6: boolean;
  readonly attachable: boolean;
}

/** One allocated pool of a network. Gateway is a plain IP; the pool's prefix length applies. */
export interface IpamData {
  readonly pool: string;
  readonly gateway?: string;
  readonly auxAddresses: Readonly<Record<string, string>>;
  /** --ip-range: where endpoint addresses come from, when narrower than the pool. */
  readonly ipRange?: string;
}

/** The network's address data, by family. */
export interface NetworkIpam {
  readonly ipv4: readonly IpamData[];
  readonly ipv6: readonly IpamData[];
}

/** A validated network: the only thing createNetwork accepts. Its `state` is driver-private JSON. */
export interface NetworkPlan {
  readonly driver: string;
  readonly networkId: string;
  readonly state: DriverState;
}

/** Driver-private, JSON-serialisable state kept in the store with its network or endpoint. */
export type DriverState = Readonly<Record<string, JsonValue>>;
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A created network as drivers see it in later calls. */
export interface DriverNetwork {
  readonly id: string;
  readonly name: string;
  readonly internal: boolean;
  readonly ipam: NetworkIpam;
  readonly state: DriverState;
}

/** An endpoint's addresses, chosen by IPAM before the driver is called. */
export interface EndpointRequest {
  readonly id: string;
  /** "172.18.0.2/16"; absent when the network has no IPv4 pool. */
  readonly address?: string;
  readonly addressIpv6?: string;
  /** Requested MAC; the driver picks one when absent. */
  readonly macAddress?: string;
  readonly options: Readonly<Record<string, string>>;
}

/** What the driver made for an endpoint. */
export interface DriverEndpoint {
  readonly id: string;
  readonly address?: string;
  readonly addressIpv6?: string;
  readonly macAddress?: string;
  readonly state: DriverState;
}

/** The sandbox an endpoint joins. */
export interface SandboxTarget {
  readonly id: string;
  /** Path of the sandbox's network namespace. */
  readonly netnsPath: string;
  /** The interface name the endpoint gets inside the sandbox (eth0, eth1, ... in connect order). */
  readonly interfaceName: string;
}

export interface StaticRoute {
  readonly destination: string;
  /** Absent: on-link (RouteType 1, CONNECTED). */
  readonly nextHop?: string;
}

/**
 * How the joined interface must be set up in the sandbox. `sourceName` is a link in the host
 * namespace (moved in by the controller), or, with `inSandbox`, already in the sandbox.
 */
export interface JoinResult {
  readonly interface?: { readonly sourceName: string; readonly inSandbox: boolean };
  readonly gateway?: string;
  readonly gatewayIpv6?: string;
  readonly staticRoutes: readonly StaticRoute[];
  /** The driver provides no gateway on purpose (libnetwork DisableGatewayService). */
  readonly disableGatewayService: boolean;
}

export interface NetworkDriver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** Pure: parses options and validates; throws BerthError (INVALID_OPTION...). */
  planNetwork(request: NetworkRequest, ipam: NetworkIpam): NetworkPlan;
  createNetwork(plan: NetworkPlan, ipam: NetworkIpam): Promise<DriverState>;
  /** Idempotent: succeeds when the network's kernel objects are already gone. */
  removeNetwork(network: DriverNetwork): Promise<void>;
  createEndpoint(network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint>;
  /** Idempotent. */
  removeEndpoint(network: DriverNetwork, endpoint: DriverEndpoint): Promise<void>;
  join(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult>;
  /** Idempotent. */
  leave(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<void>;
}

/** Optional ability: re-create a network's kernel objects that went missing (restart, deleted by hand). */
export interface NetworkRestorer {
  /** Idempotent; changes nothing when everything is in place. Returns what it repaired. */
  restoreNetwork(network: DriverNetwork): Promise<readonly string[]>;
  /** Re-attaches what an endpoint needs on the host side; returns what it repaired. */
  restoreEndpoint(network: DriverNetwork, endpoint: DriverEndpoint): Promise<readonly string[]>;
}

/** True when a driver can restore networks. */
export function isNetworkRestorer(driver: NetworkDriver): driver is NetworkDriver & NetworkRestorer {
  return 'restoreNetwork' in driver && typeof driver.restoreNetwork === 'function';
}

/** Optional ability: publish sandbox ports on the host (libnetwork's ProgramExternalConnectivity). */
export interface PortPublisher {
  /** Reserves the host ports and programs the mappings; all or nothing. Returns them with concrete host ports. */
  publishPorts(network: DriverNetwork, endpoint: DriverEndpoint, bindings: readonly PortBinding[]): Promise<readonly PortMapping[]>;
  /** Removes mappings and releases their host ports; idempotent. */
  unpublishPorts(network: DriverNetwork, mappings: readonly PortMapping[]): Promise<void>;
  /** After a restart: re-reserves the host ports and re-asserts the mappings. */
  restorePorts(network: DriverNetwork, mappings: readonly PortMapping[]): Promise<void>;
}

/** True when a driver can publish ports. */
export function isPortPublisher(driver: NetworkDriver): driver is NetworkDriver & PortPublisher {
  return 'publishPorts' in driver && typeof driver.publishPorts === 'function';
}
