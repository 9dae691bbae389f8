/** Link kinds berth creates. */
export type LinkKind = 'veth' | 'bridge' | 'macvlan' | 'ipvlan' | 'vlan' | 'vxlan' | 'dummy';

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru';

/** ipvlan modes (IPVLAN_MODE_L2/L3/L3S); children share the parent's MAC. */
export type IpvlanMode = 'l2' | 'l3' | 'l3s';

/** Settings any created link may carry. */
export interface LinkCommon {
  readonly name: string;
  readonly mtu?: number;
  /** MAC address, "aa:bb:cc:dd:ee:ff". */
  readonly mac?: string;
  /** Owner marker, conventionally `berth:<network-id>[:<endpoint-id>]`. */
  readonly alias?: string;
  /** Name of a bridge (in the same namespace) to enslave the link to. */
  readonly master?: string;
  readonly up?: boolean;
}

/** What to create: a discriminated union, one member per kind. */
export type LinkSpec =
  | (LinkCommon & {
      readonly kind: 'veth';
      /** The other end; `netnsPath` creates it straight in another namespace. */
      readonly peer: { readonly name: string; readonly netnsPath?: string; readonly mac?: string; readonly mtu?: number };
    })
  | (LinkCommon & { readonly kind: 'bridge' })
  | (LinkCommon & { readonly kind: 'dummy' })
  | (LinkCommon & {
      readonly kind: 'macvlan';
      readonly parent: string;
      readonly mode: MacvlanMode;
      /** Create the link straight in another namespace (the parent stays here). */
      readonly netnsPath?: string;
    })
  | (LinkCommon & {
      readonly kind: 'ipvlan';
      readonly parent: string;
      readonly mode: IpvlanMode;
      /** Create the link straight in another namespace (the parent stays here). */
      readonly netnsPath?: string;
    })
  | (LinkCommon & { readonly kind: 'vlan'; readonly parent: string; readonly vlanId: number })
  | (LinkCommon & {
      readonly kind: 'vxlan';
      readonly vni: number;
      /** Local VTEP address (IPv4 or IPv6). */
      readonly local?: string;
      /** UDP destination port, 4789 unless set. */
      readonly port?: number;
      /** Underlay device. */
      readonly parent?: string;
      /** MAC learning; berth programs FDB entries itself, so it defaults to false. */
      readonly learning?: boolean;
    });

/** A link as read back from the kernel. */
export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** IFLA_INFO_KIND, e.g. "veth", "bridge"; undefined for physical/loopback links. */
  readonly kind: string | undefined;
  readonly mtu: number;
  readonly mac: string | undefined;
  readonly alias: string | undefined;
  /** Index of the bridge this link is a port of. */
  readonly masterIndex: number | undefined;
  /** Index of the lower device (vlan/macvlan parent, veth peer). */
  readonly parentIndex: number | undefined;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Operationally up (RFC 2863 operstate UP): carrier is on and the device transmits. */
  readonly operUp: boolean;
  readonly vlanId?: number;
  readonly vni?: number;
  readonly macvlanMode?: MacvlanMode;
  readonly ipvlanMode?: IpvlanMode;
}

/** Changes to an existing link; only the fields present are changed. */
export interface LinkChange {
  readonly up?: boolean;
  readonly mtu?: number;
  readonly mac?: string;
  readonly alias?: string;
  /** Bridge name to enslave to, or null to release from its bridge. */
  readonly master?: string | null;
  readonly name?: string;
  /**
   * Bridge port hairpin mode: the bridge may send a frame back out of the port it came in on
   * (a sandbox reaching its own published port). Only for a link already on a bridge.
   */
  readonly hairpin?: boolean;
}

export interface LinkOps {
  /** Creates a link; LINK_EXISTS if the name is taken. */
  create(spec: LinkSpec): Promise<LinkInfo>;
  /** Deletes a link; LINK_NOT_FOUND if there is none. */
  delete(name: string): Promise<void>;
  /** Deletes a link; succeeds when it is already gone. */
  remove(name: string): Promise<void>;
  /** LINK_NOT_FOUND if there is none. */
  get(name: string): Promise<LinkInfo>;
  find(name: string): Promise<LinkInfo | undefined>;
  list(): Promise<readonly LinkInfo[]>;
  set(name: string, change: LinkChange): Promise<void>;
  /** Moves a link into another namespace, optionally renaming it there. */
  moveToNetns(name: string, target: { readonly netnsPath: string; readonly newName?: string }): Promise<void>;
}
