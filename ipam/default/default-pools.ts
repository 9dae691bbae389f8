import { createHash } from 'node:crypto';
import { BerthError } from '../../src/errors/index.js';
import { familyBits, formatAddress, parsePrefix } from './cidr.js';
import type { Prefix } from './cidr.js';

/** A `--default-address-pool`: a base prefix split into subnets of `size` bits. */
export interface DefaultPool {
  readonly base: string;
  readonly size: number;
}

/** A validated DefaultPool. */
export interface ParsedDefaultPool {
  readonly base: Prefix;
  readonly size: number;
}

/**
 * Docker's local default pools (libnetwork ipamutils/utils.go `localScopeDefaultNetworks`):
 * 172.17–172.31 as /16s, then 192.168.0.0/16 in /20s.
 */
export const DOCKER_DEFAULT_POOLS: readonly DefaultPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Docker's global-scope default pool (ipamutils `globalScopeDefaultNetworks`): 10.0.0.0/8 in /24s. */
export const DOCKER_GLOBAL_DEFAULT_POOLS: readonly DefaultPool[] = [{ base: '10.0.0.0/8', size: 24 }];

/** berth's ULA /48 for dynamic IPv6 pools when neither a prefix nor a host id is given. */
export const DEFAULT_IPV6_ULA_PREFIX = 'fd00:b3a7::/48';

/** Dynamic IPv6 pools: the default ULA /48 split into /64s. */
export const DEFAULT_IPV6_POOLS: readonly DefaultPool[] = [{ base: DEFAULT_IPV6_ULA_PREFIX, size: 64 }];

function invalidPool(text: string, reason: string): BerthError {
  return new BerthError(
    'INVALID_ARGUMENT',
    `invalid default-address-pool ${JSON.stringify(text)}: ${reason}`,
    {
      object: text,
      operation: 'parse default-address-pool',
    },
  );
}

/** Validates a DefaultPool: canonical base, size between the base's length and the family's width. */
export function checkDefaultPool(pool: DefaultPool): ParsedDefaultPool {
  const base = parsePrefix(pool.base, { field: 'default-address-pool base', strict: true });
  const bits = familyBits(base.family);
  if (!Number.isInteger(pool.size) || pool.size < base.length || pool.size > bits) {
    throw invalidPool(
      `base=${pool.base},size=${String(pool.size)}`,
      `size must be between ${base.length} and ${bits}`,
    );
  }
  return { base, size: pool.size };
}

/** Parses `base=CIDR,size=N` (Docker's `--default-address-pool` syntax). */
export function parseDefaultAddressPool(text: string): DefaultPool {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    const key = at < 0 ? part.trim() : part.slice(0, at).trim();
    if (at < 0 || (key !== 'base' && key !== 'size'))
      throw invalidPool(text, `unknown field ${JSON.stringify(key)}; expected base=CIDR,size=N`);
    if (fields.has(key)) throw invalidPool(text, `${key} given twice; expected base=CIDR,size=N`);
    fields.set(key, part.slice(at + 1).trim());
  }
  const base = fields.get('base');
  const sizeText = fields.get('size');
  if (base === undefined || base === '')
    throw invalidPool(text, 'base is missing; expected base=CIDR,size=N');
  if (sizeText === undefined || !/^\d+$/.test(sizeText))
    throw invalidPool(text, 'size must be a whole number of prefix bits; expected base=CIDR,size=N');
  const parsed = checkDefaultPool({ base, size: Number(sizeText) });
  return { base: parsed.base.text, size: parsed.size };
}

/**
 * A per-host ULA /48 as Docker derives it (moby daemon/daemon.go `deriveULABaseNetwork`): the 40
 * low bits of the first 8 bytes of sha256(hostId) become the global id after fd00::/8.
 */
export function deriveUlaPrefix(hostId: string): string {
  const digest = createHash('sha256').update(hostId).digest();
  const globalId = digest.readBigUInt64BE(0) & ((1n << 40n) - 1n);
  const start = (0xfdn << 120n) | (globalId << 80n);
  return `${formatAddress(6, start)}/48`;
}
