import { BerthError } from '../../src/errors/index.js';
import type { AddressRequest, IpamDriver, PoolAllocation, PoolRequest } from '../../src/driver-api/index.js';
import { formatAddress, parseAddress, parsePrefix, prefixContains } from './cidr.js';
import type { Family, Prefix } from './cidr.js';
import {
  DEFAULT_IPV6_ULA_PREFIX,
  DOCKER_DEFAULT_POOLS,
  DOCKER_GLOBAL_DEFAULT_POOLS,
  checkDefaultPool,
  deriveUlaPrefix,
} from './default-pools.js';
import type { DefaultPool, ParsedDefaultPool } from './default-pools.js';
import { AddressPool } from './address-pool.js';
import { PoolSet } from './pool-set.js';

const LOCAL_SPACE = 'LocalDefault';
const GLOBAL_SPACE = 'GlobalDefault';

export interface DefaultIpamOptions {
  /**
   * Pools for networks without --subnet (`--default-address-pool`); Docker's local defaults unless
   * set. IPv6 entries here serve IPv6 requests when `ipv6DefaultPools` is not set.
   */
  readonly defaultPools?: readonly DefaultPool[];
  /** IPv6 pools for networks without an IPv6 --subnet; the ULA /48 split into /64s unless set. */
  readonly ipv6DefaultPools?: readonly DefaultPool[];
  /** The ULA /48 behind the dynamic IPv6 pools; derived from `hostId` if that is given, else fd00:b3a7::/48. */
  readonly ipv6UlaPrefix?: string;
  /** A stable host id from which the ULA /48 is derived as Docker does. */
  readonly hostId?: string;
}

interface SpaceDefaults {
  readonly 4: readonly ParsedDefaultPool[];
  readonly 6: readonly ParsedDefaultPool[];
}

function ulaPools(options: DefaultIpamOptions): readonly DefaultPool[] {
  const ula =
    options.ipv6UlaPrefix ??
    (options.hostId === undefined ? DEFAULT_IPV6_ULA_PREFIX : deriveUlaPrefix(options.hostId));
  return [{ base: ula, size: 64 }];
}

/** Explicit IPv6 pools, else the IPv6 entries of --default-address-pool, else the ULA /48 (moby daemon.go). */
function ipv6Defaults(
  options: DefaultIpamOptions,
  configured: readonly ParsedDefaultPool[],
): ParsedDefaultPool[] {
  if (options.ipv6DefaultPools !== undefined) {
    const pools = options.ipv6DefaultPools.map(checkDefaultPool);
    if (pools.some((pool) => pool.base.family !== 6)) {
      throw new BerthError(
        'INVALID_ARGUMENT',
        'invalid ipv6 default pools: every base must be an IPv6 prefix',
        {
          operation: 'configure default IPAM',
        },
      );
    }
    return pools;
  }
  const configured6 = configured.filter((pool) => pool.base.family === 6);
  return configured6.length > 0 ? configured6 : ulaPools(options).map(checkDefaultPool);
}

function buildDefaults(options: DefaultIpamOptions): {
  readonly local: SpaceDefaults;
  readonly global: SpaceDefaults;
} {
  const configured = (options.defaultPools ?? DOCKER_DEFAULT_POOLS).map(checkDefaultPool);
  const v6 = ipv6Defaults(options, configured);
  return {
    local: { 4: configured.filter((pool) => pool.base.family === 4), 6: v6 },
    global: { 4: DOCKER_GLOBAL_DEFAULT_POOLS.map(checkDefaultPool), 6: v6 },
  };
}

function poolNotFound(poolId: string): BerthError {
  return new BerthError('POOL_NOT_FOUND', `cannot find address pool for pool id ${poolId}`, {
    object: poolId,
    operation: 'request address',
  });
}

/**
 * The built-in `default` IPAM (moby daemon/libnetwork/ipams/defaultipam): pools of one address
 * space never overlap; a network without --subnet gets the first default subnet that overlaps no
 * allocated pool and no excluded prefix; addresses are handed out serially after the last one
 * given, so a just-released address is reused last. Methods are async for the contract but run
 * synchronously, so concurrent callers never interleave inside one.
 */
export class DefaultIpam implements IpamDriver {
  readonly name = 'default';
  readonly #pools = new PoolSet();
  readonly #defaults: { readonly local: SpaceDefaults; readonly global: SpaceDefaults };

  constructor(options: DefaultIpamOptions = {}) {
    this.#defaults = buildDefaults(options);
  }

  async requestPool(request: PoolRequest): Promise<PoolAllocation> {
    const space = request.addressSpace ?? LOCAL_SPACE;
    if (space !== LOCAL_SPACE && space !== GLOBAL_SPACE) {
      throw new BerthError(
        'INVALID_ARGUMENT',
        `invalid address space ${JSON.stringify(space)}: the default IPAM has ${LOCAL_SPACE} and ${GLOBAL_SPACE}`,
        {
          object: space,
          operation: 'request pool',
        },
      );
    }
    const family: Family = request.v6 ? 6 : 4;
    const prefix =
      request.pool === undefined
        ? this.#pickDefault({ request, space, family })
        : this.#checkRequested({ pool: request.pool, space, family });
    const range = request.subPool === undefined ? prefix : this.#checkSubPool(prefix, request.subPool);
    const poolId = `${space}/${prefix.text}${request.subPool === undefined ? '' : `/${range.text}`}`;
    this.#pools.add(poolId, { addressSpace: space, pool: new AddressPool({ prefix, range }) });
    return { poolId, pool: prefix.text, meta: {} };
  }

  #checkRequested(options: {
    readonly pool: string;
    readonly space: string;
    readonly family: Family;
  }): Prefix {
    const prefix = parsePrefix(options.pool, { field: 'subnet', strict: true });
    if (prefix.family !== options.family) {
      throw new BerthError(
        'INVALID_ARGUMENT',
        `invalid subnet ${options.pool}: not an IPv${options.family} subnet`,
        { object: options.pool, operation: 'request pool' },
      );
    }
    const clash = this.#pools.findOverlap(options.space, prefix);
    if (clash !== undefined) {
      throw new BerthError(
        'POOL_OVERLAP',
        `Pool overlaps with other one on this address space: ${prefix.text} overlaps ${clash.text}`,
        {
          object: options.pool,
          operation: 'request pool',
        },
      );
    }
    return prefix;
  }

  #checkSubPool(prefix: Prefix, subPool: string): Prefix {
    const range = parsePrefix(subPool, { field: 'ip-range', strict: true });
    if (!prefixContains(prefix, range)) {
      throw new BerthError(
        'INVALID_ARGUMENT',
        `invalid ip-range ${range.text}: it is not inside subnet ${prefix.text}`,
        { object: subPool, operation: 'request pool' },
      );
    }
    return range;
  }

  #pickDefault(options: {
    readonly request: PoolRequest;
    readonly space: string;
    readonly family: Family;
  }): Prefix {
    const { request, space, family } = options;
    const exclude = (request.exclude ?? []).map((cidr) =>
      parsePrefix(cidr, { field: 'excluded prefix', allowAddress: true }),
    );
    const defaults = space === GLOBAL_SPACE ? this.#defaults.global : this.#defaults.local;
    const found = this.#pools.pickDefault({
      addressSpace: space,
      family,
      defaults: defaults[family],
      exclude,
    });
    if (found !== undefined) return found;
    throw new BerthError(
      'NO_POOL_AVAILABLE',
      `could not find an available, non-overlapping IPv${family} address pool among the defaults to assign to the network`,
      {
        operation: 'request pool',
      },
    );
  }

  async releasePool(poolId: string): Promise<void> {
    this.#pools.remove(poolId);
  }

  async requestAddress(poolId: string, request: AddressRequest = {}): Promise<string> {
    const pool = this.#pools.get(poolId)?.pool;
    if (pool === undefined) throw poolNotFound(poolId);
    const value =
      request.address === undefined
        ? allocateDynamic(pool, request.gateway === true)
        : pool.allocate(checkSpecific(pool, { address: request.address, gateway: request.gateway === true }));
    return `${formatAddress(pool.prefix.family, value)}/${pool.prefix.length}`;
  }

  async releaseAddress(poolId: string, address: string): Promise<void> {
    const { family, value } = parseAddress(address);
    const pool = this.#pools.get(poolId)?.pool;
    if (pool?.prefix.family === family) pool.release(value);
  }
}

/** The gateway goes to the pool's first usable address, anything else to the next free one of the range. */
function allocateDynamic(pool: AddressPool, gateway: boolean): bigint {
  return gateway ? pool.allocateGateway() : pool.allocateNext();
}

/**
 * A specific address must lie in the subnet and, unless it is the gateway, in the ip-range (Docker
 * lets the gateway and aux addresses sit outside --ip-range; the controller ignores the aux case).
 */
function checkSpecific(
  pool: AddressPool,
  request: { readonly address: string; readonly gateway: boolean },
): bigint {
  const { address } = request;
  const { family, value } = parseAddress(address, request.gateway ? 'gateway' : 'address');
  const outside = (where: string): BerthError =>
    new BerthError(
      'ADDRESS_OUT_OF_RANGE',
      `requested address is out of range: ${address} is not in ${where}`,
      { object: address, operation: 'request address' },
    );
  if (family !== pool.prefix.family || value < pool.prefix.start || value > pool.prefix.end)
    throw outside(`subnet ${pool.prefix.text}`);
  if (!request.gateway && (value < pool.range.start || value > pool.range.end))
    throw outside(`ip-range ${pool.range.text}`);
  return value;
}
