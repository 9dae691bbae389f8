import type { DriverState, IpamData, PortMapping } from '../driver-api/index.js';

/** One address family's IPAM config of a network: what the user asked and what was allocated. */
export interface IpamConfigRecord {
  /** The user's request (--subnet, --ip-range, --gateway, --aux-address); all optional. */
  readonly requested: { readonly subnet?: string; readonly ipRange?: string; readonly gateway?: string; readonly auxAddresses: Readonly<Record<string, string>> };
  readonly poolId: string;
  readonly allocated: IpamData;
}

/** A network as the store keeps it. Ids are 64 hex characters, times RFC 3339. */
export interface NetworkRecord {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly scope: 'local' | 'global';
  readonly created: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly enableIpv4: boolean;
  readonly enableIpv6: boolean;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly ipam: {
    readonly driver: string;
    readonly options: Readonly<Record<string, string>>;
    readonly ipv4: readonly IpamConfigRecord[];
    readonly ipv6: readonly IpamConfigRecord[];
  };
  /** Created at daemon start (bridge, host, none): cannot be removed. */
  readonly predefined: boolean;
  readonly driverState: DriverState;
}

/** An endpoint: one network, at most one sandbox. Its addresses are its IPAM reservations. */
export interface EndpointRecord {
  readonly id: string;
  readonly networkId: string;
  readonly sandboxId: string;
  readonly name: string;
  /** "172.18.0.2/16", with the pool's prefix length. */
  readonly address?: string;
  readonly addressIpv6?: string;
  readonly macAddress?: string;
  readonly poolId?: string;
  readonly poolIdIpv6?: string;
  readonly aliases: readonly string[];
  /** Interface name inside the sandbox (eth0, eth1...). */
  readonly interfaceName: string;
  /** Static addresses the user asked for (kept so they are honoured again on re-create). */
  readonly staticAddress?: string;
  readonly staticAddressIpv6?: string;
  readonly driverState: DriverState;
  readonly created: string;
  /** Host ports published to this endpoint (its sandbox's gateway endpoint). */
  readonly ports?: readonly PortMapping[];
}

/** A sandbox: a network namespace (and, with `berth run`, the process living in it). */
export interface SandboxRecord {
  readonly id: string;
  readonly name: string;
  readonly created: string;
  /** Bind-mounted namespace path under the run root; the host's for host-network sandboxes. */
  readonly netnsPath: string;
  readonly hostname: string;
  readonly dns: { readonly servers: readonly string[]; readonly search: readonly string[]; readonly options: readonly string[] };
  readonly extraHosts: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** The process started by `berth run`, if any. */
  readonly process?: { readonly pid: number; readonly startTime: string; readonly command: readonly string[] };
}
