/** berth's networks and sandboxes as one picture: what `berth topology` draws. */
export interface Topology {
  readonly networks: readonly TopologyNetwork[];
  readonly sandboxes: readonly TopologySandbox[];
}

/**
 * The kernel device a network's sandboxes hang off, as the driver names it: a Linux bridge, a
 * macvlan/ipvlan parent (an 802.1Q sub-interface `eth0.100` when it names a VLAN, a dummy
 * `dm-<id12>` for an internal network), an overlay's bridge with its VXLAN device, or nothing.
 */
export type NetworkDevice =
  | { readonly kind: 'bridge'; readonly name: string }
  | { readonly kind: 'parent'; readonly name: string; readonly mode: string | undefined; readonly vlan: { readonly link: string; readonly id: number } | undefined }
  | { readonly kind: 'overlay'; readonly bridge: string; readonly vxlan: string; readonly vni: number | undefined }
  | { readonly kind: 'none' };

/** One network. */
export interface TopologyNetwork {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly scope: string;
  readonly internal: boolean;
  readonly subnets: readonly TopologySubnet[];
  readonly device: NetworkDevice;
}

/** One IPAM pool of a network. */
export interface TopologySubnet {
  readonly subnet: string;
  readonly gateway: string | undefined;
}

/** One sandbox (a network namespace) with its interfaces and published ports. */
export interface TopologySandbox {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly endpoints: readonly TopologyEndpoint[];
  readonly ports: readonly TopologyPort[];
}

/** A sandbox's interface on one network. */
export interface TopologyEndpoint {
  readonly networkId: string;
  readonly networkName: string;
  /** `ethN` inside the sandbox. */
  readonly interfaceName: string;
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  readonly mac: string | undefined;
}

/** A port published on the host for a sandbox (kernel DNAT to its first network). */
export interface TopologyPort {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: string;
}
