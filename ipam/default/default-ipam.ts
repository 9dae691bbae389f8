import { BerthError } from '../../src/errors/index.js';
import type { AddressRequest, IpamDriver, PoolAllocation, PoolRequest } from '../../src/driver-api/index.js';
import { contains, formatAddress, overlaps, parseAddress, parsePrefix, subnets } from './cidr.js';
import type { Prefix } from './cidr.js';
import { DEFAULT_IPV6_POOLS, DOCKER_DEFAULT_POOLS } from './default-pools.js';
import type { DefaultPool } from './default-pools.js';
import { AddressPool } from './address-pool.js';

const ADDRESS_SPACE = 'LocalDefault';

export interface DefaultIpamOptions {
  /** IPv4 pools for networks without --subnet (Docker's defaults unless set). */
  readonly defaultPools?: readonly DefaultPool[];
  readonly ipv6DefaultPools?: readonly DefaultPool[];
}

/**
 * The built-in `default` IPAM (libnetwork ipams/defaultipam): pools never overlap; a network
 * without --subnet gets the first free default pool that overlaps no allocated pool and no
 * excluded prefix (host routes); addresses are handed out after the last one given, so a
 * just-released address is reused last.
 */
export class DefaultIpam implements IpamDriver {
  readonly name = 'default';
  readonly #pools = new Map<string, AddressPool>();
  readonly #defaults4: readonly DefaultPool[];
  readonly #defaults6: readonly DefaultPool[];

  constructor(options: DefaultIpamOptions = {}) {
    this.#defaults4 = options.defaultPools ?? DOCKER_DEFAULT_POOLS;
    this.#defaults6 = options.ipv6DefaultPools ?? DEFAULT_IPV6_POOLS;
  }

  async requestPool(request: PoolRequest): Promise<PoolAllocation> {
    if (request.addressSpace !== undefined && request.addressSpace !== ADDRESS_SPACE) {
      throw new BerthError('INVALID_ARGUMENT', `invalid address space ${JSON.stringify(request.addressSpace)} (the default IPAM has ${ADDRESS_SPACE})`, { object: request.addressSpace });
    }
    const prefix = request.pool === undefined ? this.#pickDefault(request) : this.#checkRequested(request.pool, request.v6);
    const range = request.subPool === undefined ? prefix : parsePrefix(request.subPool, { field: 'ip-range', strict: true });
    if (!contains(prefix, range)) {
      throw new BerthError('INVALID_ARGUMENT', `ip-range ${range.text} is not inside subnet ${prefix.text}`, { object: request.subPool });
    }
    const poolId = `${ADDRESS_SPACE}/${prefix.text}${request.subPool === undefined ? '' : `/${range.text}`}`;
    this.#pools.set(poolId, new AddressPool(prefix, range));
    return { poolId, pool: prefix.text, meta: {} };
  }

  #checkRequested(pool: string, v6: boolean): Prefix {
    const prefix = parsePrefix(pool, { field: 'subnet', strict: true });
    if ((prefix.family === 6) !== v6) {
      throw new BerthError('INVALID_ARGUMENT', `subnet ${pool} is not an IPv${v6 ? 6 : 4} subnet`, { object: pool });
    }
    const clash = [...this.#pools.values()].find((other) => overlaps(other.prefix, prefix));
    if (clash !== undefined) {
      throw new BerthError('POOL_OVERLAP', `Pool overlaps with other one on this address space (${prefix.text} overlaps ${clash.prefix.text})`, { object: pool });
    }
    return prefix;
  }

  #pickDefault(request: PoolRequest): Prefix {
    const excluded = (request.exclude ?? []).flatMap((cidr) => {
      try {
        return [parsePrefix(cidr, { field: 'excluded prefix' })];
      } catch {
        return [];
      }
    });
    const taken = [...this.#pools.values()].map((pool) => pool.prefix);
    for (const base of request.v6 ? this.#defaults6 : this.#defaults4) {
      for (const candidate of subnets(parsePrefix(base.base), base.size)) {
        if (taken.some((prefix) => overlaps(prefix, candidate)) || excluded.some((prefix) => overlaps(prefix, candidate))) continue;
        return candidate;
      }
    }
    throw new BerthError('NO_POOL_AVAILABLE', `could not find an available, non-overlapping IPv${request.v6 ? 6 : 4} address pool among the defaults to assign to the network`, {
      operation: 'request pool',
    });
  }

  async releasePool(poolId: string): Promise<void> {
    this.#pools.delete(poolId);
  }

  async requestAddress(poolId: string, request: AddressRequest = {}): Promise<string> {
    const pool = this.#pools.get(poolId);
    if (pool === undefined) throw new BerthError('POOL_NOT_FOUND', `pool ${poolId} not found`, { object: poolId });
    const value = request.address === undefined ? pool.allocateNext({ gateway: request.gateway === true }) : pool.allocate(this.#specific(pool, request));
    return `${formatAddress(pool.prefix.family, value)}/${pool.prefix.length}`;
  }

  #specific(pool: AddressPool, request: AddressRequest & { readonly address?: string }): bigint {
    const address = request.address ?? '';
    const { family, value } = parseAddress(address);
    if (family !== pool.prefix.family || value < pool.prefix.start || value > pool.prefix.end) {
      throw new BerthError('ADDRESS_OUT_OF_RANGE', `requested address ${address} is out of range (subnet ${pool.prefix.text})`, { object: address });
    }
    if (request.gateway !== true && (value < pool.range.start || value > pool.range.end)) {
      throw new BerthError('ADDRESS_OUT_OF_RANGE', `requested address ${address} is out of range (ip-range ${pool.range.text})`, { object: address });
    }
    if (pool.isReserved(value)) {
      throw new BerthError('ADDRESS_OUT_OF_RANGE', `requested address ${address} is the ${value === pool.prefix.start ? 'network' : 'broadcast'} address of ${pool.prefix.text}`, { object: address });
    }
    return value;
  }

  async releaseAddress(poolId: string, address: string): Promise<void> {
    this.#pools.get(poolId)?.release(parseAddress(address).value);
  }
}
