import { BerthError } from '../../src/errors/index.js';
import { parsePrefix } from './cidr.js';

/** A `--default-address-pool`: a base prefix split into subnets of `size` bits. */
export interface DefaultPool {
  readonly base: string;
  readonly size: number;
}

/** Docker's local default pools (libnetwork ipamutils): 172.17–31/16, then 192.168.0.0/16 in /20s. */
export const DOCKER_DEFAULT_POOLS: readonly DefaultPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** berth's IPv6 dynamic pool: a ULA /48 split into /64s (Docker derives one from the host id). */
export const DEFAULT_IPV6_POOLS: readonly DefaultPool[] = [{ base: 'fd00:b3a7:0::/48', size: 64 }];

/** Parses `base=CIDR,size=N` (Docker's `--default-address-pool` syntax). */
export function parseDefaultAddressPool(text: string): DefaultPool {
  const fields = new Map(text.split(',').map((part) => {
    const [key, ...rest] = part.split('=');
    return [key?.trim() ?? '', rest.join('=').trim()] as const;
  }));
  const base = fields.get('base');
  const sizeText = fields.get('size');
  if (base === undefined || base === '' || sizeText === undefined || [...fields.keys()].some((key) => key !== 'base' && key !== 'size')) {
    throw new BerthError('INVALID_ARGUMENT', `--default-address-pool ${JSON.stringify(text)}: expected base=CIDR,size=N`, { object: text });
  }
  const prefix = parsePrefix(base, { field: 'default-address-pool base', strict: true });
  const size = Number(sizeText);
  const bits = prefix.family === 4 ? 32 : 128;
  if (!Number.isInteger(size) || size < prefix.length || size > bits) {
    throw new BerthError('INVALID_ARGUMENT', `--default-address-pool ${JSON.stringify(text)}: size must be between ${prefix.length} and ${bits}`, { object: text });
  }
  return { base: prefix.text, size };
}
