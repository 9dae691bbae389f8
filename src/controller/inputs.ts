/**
 * What callers (the Engine API, the plugin server, tests) ask the controller to do. These
 * are already-parsed, typed requests; wire formats are translated at the API edge.
 */

/** One --subnet/--ip-range/--gateway/--aux-address group. */
export interface IpamConfigInput {
  readonly subnet?: string;
  readonly ipRange?: string;
  readonly gateway?: string;
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

export interface CreateNetworkInput {
  readonly name: string;
  /** "bridge" unless set. */
  readonly driver?: string;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly enableIpv4?: boolean;
  readonly enableIpv6?: boolean;
  readonly options?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ipam?: {
    readonly driver?: string;
    readonly options?: Readonly<Record<string, string>>;
    readonly config?: readonly IpamConfigInput[];
  };
}

/** Attaching a sandbox to a network (docker network connect / --network on run). */
export interface EndpointInput {
  readonly network: string;
  readonly ipv4Address?: string;
  readonly ipv6Address?: string;
  readonly aliases?: readonly string[];
  readonly macAddress?: string;
  readonly driverOptions?: Readonly<Record<string, string>>;
  /** `-p` publications (`[ip:][hostPort:]containerPort[/proto]`) on this endpoint. */
  readonly publish?: readonly string[];
}

export interface ConnectInput extends EndpointInput {
  /** Sandbox id, id prefix or name. */
  readonly sandbox: string;
}

export interface DisconnectInput {
  readonly network: string;
  readonly sandbox: string;
  /** Disconnect even if the driver fails to tear down (stale endpoints). */
  readonly force?: boolean;
}

export interface CreateSandboxInput {
  /** Unique; generated ("berth-<adjective>") when absent. */
  readonly name?: string;
  readonly hostname?: string;
  /** Networks to attach in order (eth0, eth1...). Empty: loopback only. The "host" network shares the host's namespace. */
  readonly networks?: readonly EndpointInput[];
  readonly dns?: { readonly servers?: readonly string[]; readonly search?: readonly string[]; readonly options?: readonly string[] };
  /** "name:ip" entries for /etc/hosts. */
  readonly extraHosts?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** `-p` publications, on the sandbox's first network. */
  readonly ports?: readonly string[];
}

export interface RemoveSandboxInput {
  readonly sandbox: string;
  readonly force?: boolean;
}
