/** A permanent ARP/NDP entry: `ip` reached at `mac` over `link`. */
export interface NeighbourEntry {
  readonly link: string;
  readonly ip: string;
  readonly mac: string;
}

/** A bridge/vxlan forwarding entry: frames for `mac` go out `link` (to VTEP `destination` for vxlan). */
export interface FdbEntry {
  readonly link: string;
  readonly mac: string;
  /** Remote VTEP IP, for vxlan links. */
  readonly destination?: string;
  /**
   * Add this destination next to the entry's others instead of replacing them: the all-zeros
   * MAC of a vxlan holds one destination per remote VTEP (flooding), like `bridge fdb append`.
   */
  readonly append?: boolean;
}

export interface NeighbourOps {
  /** Adds or replaces a permanent neighbour entry. */
  ensure(entry: NeighbourEntry): Promise<void>;
  /** Succeeds when it is already gone. */
  remove(entry: Pick<NeighbourEntry, 'link' | 'ip'>): Promise<void>;
  list(link?: string): Promise<readonly NeighbourEntry[]>;
}

export interface FdbOps {
  /** Adds or replaces a static FDB entry (NTF_SELF on the device). */
  ensure(entry: FdbEntry): Promise<void>;
  /** Succeeds when it is already gone. */
  remove(entry: FdbEntry): Promise<void>;
  list(link: string): Promise<readonly FdbEntry[]>;
}
