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
