import { Address4 } from 'ip-address';
import { BerthError } from '../../src/errors/index.js';
import type { AddressRequest, IpamDriver, PoolAllocation, PoolRequest } from '../../src/driver-api/index.js';

/** A minimal IPv4-only IPAM test double: lowest free address, overlap checks, no defaults beyond 10.200.x.0/24. */
export class SimpleIpam implements IpamDriver {
  readonly name = 'default';
  readonly #pools = new Map<string, { cidr: Address4; range: Address4; used: Set<bigint> }>();
  #next = 0;

  requestPool(request: PoolRequest): Promise<PoolAllocation> {
    const pool = request.pool ?? `10.200.${this.#next++}.0/24`;
    const cidr = new Address4(pool);
    if (cidr.startAddress().correctForm() !== cidr.addressMinusSuffix) throw new BerthError('INVALID_ARGUMENT', `invalid subnet ${pool}`);
    for (const other of this.#pools.values()) {
      if (cidr.isInSubnet(other.cidr) || other.cidr.isInSubnet(cidr)) throw new BerthError('POOL_OVERLAP', 'Pool overlaps with other one on this address space');
    }
    const poolId = `LocalDefault/${pool}${request.subPool === undefined ? '' : `/${request.subPool}`}`;
    this.#pools.set(poolId, { cidr, range: new Address4(request.subPool ?? pool), used: new Set() });
    return Promise.resolve({ poolId, pool, meta: {} });
  }

  releasePool(poolId: string): Promise<void> {
    this.#pools.delete(poolId);
    return Promise.resolve();
  }

  requestAddress(poolId: string, request: AddressRequest = {}): Promise<string> {
    const pool = this.#pools.get(poolId);
    if (pool === undefined) throw new BerthError('POOL_NOT_FOUND', `pool ${poolId} not found`);
    const bits = pool.cidr.subnetMask;
    if (request.address !== undefined) {
      const address = new Address4(request.address);
      const within = request.gateway === true ? pool.cidr : pool.range;
      if (!address.isInSubnet(within)) return Promise.reject(new BerthError('ADDRESS_OUT_OF_RANGE', 'requested address is out of range'));
      if (pool.used.has(address.bigInt())) return Promise.reject(new BerthError('ADDRESS_IN_USE', 'Address already in use'));
      pool.used.add(address.bigInt());
      return Promise.resolve(`${request.address}/${bits}`);
    }
    const source = request.gateway === true ? pool.cidr : pool.range;
    for (let candidate = source.startAddress().bigInt() + 1n; candidate < source.endAddress().bigInt(); candidate += 1n) {
      if (!pool.used.has(candidate)) {
        pool.used.add(candidate);
        return Promise.resolve(`${Address4.fromBigInt(candidate).correctForm()}/${bits}`);
      }
    }
    return Promise.reject(new BerthError('NO_ADDRESS_AVAILABLE', 'no available addresses on this pool'));
  }

  releaseAddress(poolId: string, address: string): Promise<void> {
    this.#pools.get(poolId)?.used.delete(new Address4(address).bigInt());
    return Promise.resolve();
  }
}
