import { familyBits, prefixAt, prefixesOverlap } from './cidr.js';
import type { Family, Prefix } from './cidr.js';
import type { ParsedDefaultPool } from './default-pools.js';
import type { AddressPool } from './address-pool.js';

/** One allocated pool and the address space it belongs to. */
export interface PoolEntry {
  readonly addressSpace: string;
  readonly pool: AddressPool;
}

/** What a dynamic pool is chosen from and what it must avoid. */
export interface PickOptions {
  readonly addressSpace: string;
  readonly family: Family;
  readonly defaults: readonly ParsedDefaultPool[];
  /** Prefixes the pool must not overlap besides allocated pools (host routes, nameservers). */
  readonly exclude: readonly Prefix[];
}

/** The allocated pools of every address space, by pool id. Pools of one space never overlap. */
export class PoolSet {
  readonly #entries = new Map<string, PoolEntry>();

  get(poolId: string): PoolEntry | undefined {
    return this.#entries.get(poolId);
  }

  add(poolId: string, entry: PoolEntry): void {
    this.#entries.set(poolId, entry);
  }

  /** Removes a pool; succeeds when it is already gone. */
  remove(poolId: string): void {
    this.#entries.delete(poolId);
  }

  /** The first allocated pool of the space that overlaps `prefix`. */
  findOverlap(addressSpace: string, prefix: Prefix): Prefix | undefined {
    for (const entry of this.#entries.values()) {
      if (entry.addressSpace === addressSpace && prefixesOverlap(entry.pool.prefix, prefix))
        return entry.pool.prefix;
    }
    return undefined;
  }

  /**
   * The first subnet of the default pools, in list order, that overlaps neither an allocated pool
   * of the space nor an excluded prefix (moby ipams/defaultipam/address_space.go `allocatePredefinedPool`).
   */
  pickDefault(options: PickOptions): Prefix | undefined {
    const blockers = [...this.#entries.values()]
      .filter((entry) => entry.addressSpace === options.addressSpace)
      .map((entry) => entry.pool.prefix)
      .concat(options.exclude)
      .filter((prefix) => prefix.family === options.family);
    for (const pool of options.defaults) {
      if (pool.base.family !== options.family) continue;
      const found = firstFreeSubnet(pool, blockers);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/**
 * Walks `pool.base` in steps of `pool.size`; on a clash it jumps to the first subnet after the
 * blocking prefix, so the walk costs O(blockers) even for an IPv6 base split into 2^56 subnets.
 */
function firstFreeSubnet(pool: ParsedDefaultPool, blockers: readonly Prefix[]): Prefix | undefined {
  const { base, size } = pool;
  const step = 1n << BigInt(familyBits(base.family) - size);
  let start = base.start;
  while (start + step - 1n <= base.end) {
    const candidate = prefixAt({ family: base.family, start, length: size });
    const blocker = blockers.find((prefix) => prefixesOverlap(prefix, candidate));
    if (blocker === undefined) return candidate;
    const pastBlocker = ((blocker.end + 1n - base.start + step - 1n) / step) * step + base.start;
    start = pastBlocker > start ? pastBlocker : start + step;
  }
  return undefined;
}
