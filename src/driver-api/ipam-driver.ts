/**
 * The IPAM contract (libnetwork ipamapi/contract.go, made typed). Pools and addresses are
 * CIDR/IP strings; a pool id is opaque to the controller ("LocalDefault/172.18.0.0/16").
 */
export interface PoolRequest {
  /** "LocalDefault" or "GlobalDefault" (the driver's default when absent). */
  readonly addressSpace?: string;
  /** The subnet the user asked for (--subnet); absent: the driver picks from its default pools. */
  readonly pool?: string;
  /** Allocate only inside this range of the pool (--ip-range). */
  readonly subPool?: string;
  /** --ipam-opt key=value. */
  readonly options?: Readonly<Record<string, string>>;
  readonly v6: boolean;
  /** Prefixes a dynamically chosen pool must not overlap (host routes, nameservers). */
  readonly exclude?: readonly string[];
}

export interface PoolAllocation {
  readonly poolId: string;
  /** The pool's CIDR, e.g. "172.18.0.0/16". */
  readonly pool: string;
  readonly meta: Readonly<Record<string, string>>;
}

export interface AddressRequest {
  /** A specific address (static --ip, the gateway, an aux address); absent: the next free one. */
  readonly address?: string;
  /** The request is for the network's gateway (RequestAddressType=com.docker.network.gateway). */
  readonly gateway?: boolean;
}

/** An IPAM driver: allocates pools and addresses inside them. */
export interface IpamDriver {
  readonly name: string;
  /** Reserves a pool; POOL_OVERLAP if it overlaps an allocated one, NO_POOL_AVAILABLE if none is left. */
  requestPool(request: PoolRequest): Promise<PoolAllocation>;
  /** Frees a pool; succeeds when it is already gone. */
  releasePool(poolId: string): Promise<void>;
  /**
   * Reserves an address in a pool and returns it with the pool's prefix ("172.18.0.2/16");
   * ADDRESS_IN_USE, ADDRESS_OUT_OF_RANGE, NO_ADDRESS_AVAILABLE.
   */
  requestAddress(poolId: string, request?: AddressRequest): Promise<string>;
  /** Frees an address; succeeds when it is already free. */
  releaseAddress(poolId: string, address: string): Promise<void>;
}
