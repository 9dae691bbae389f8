/** berth's own route protocol number (rtm_protocol), its owner marker on routes. */
export const BERTH_ROUTE_PROTOCOL = 0x62; // 'b'

export interface RouteSpec {
  /** Destination CIDR, or "default" / "default6". */
  readonly destination: string;
  readonly gateway?: string;
  /** Output link name. */
  readonly link?: string;
  readonly metric?: number;
  readonly table?: number;
  /** Route scope: 'link' for on-link routes without a gateway. */
  readonly scope?: 'universe' | 'link' | 'host';
}

export interface RouteInfo {
  readonly destination: string;
  readonly gateway: string | undefined;
  readonly link: string | undefined;
  readonly metric: number | undefined;
  readonly table: number;
  readonly protocol: number;
  readonly family: 4 | 6;
}

export interface RouteOps {
  /** Adds a route tagged with BERTH_ROUTE_PROTOCOL; ROUTE_EXISTS if present. */
  add(route: RouteSpec): Promise<void>;
  /** Adds a route, replacing one to the same destination (one netlink call). */
  replace(route: RouteSpec): Promise<void>;
  /** Removes a route; succeeds when it is already gone. */
  remove(route: RouteSpec): Promise<void>;
  /** Routes of the main table (or `table`). */
  list(options?: { readonly family?: 4 | 6; readonly table?: number }): Promise<readonly RouteInfo[]>;
}
