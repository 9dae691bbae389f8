import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { checkDefaultPool, deriveUlaPrefix, parseDefaultAddressPool } from './default-pools.js';

describe('--default-address-pool parsing', () => {
  test('base=CIDR,size=N in either order, spaces tolerated, IPv6 too', () => {
    expect(parseDefaultAddressPool('base=10.10.0.0/16,size=24')).toEqual({ base: '10.10.0.0/16', size: 24 });
    expect(parseDefaultAddressPool(' size=24 , base=10.10.0.0/16 ')).toEqual({
      base: '10.10.0.0/16',
      size: 24,
    });
    expect(parseDefaultAddressPool('base=fd01::/48,size=64')).toEqual({ base: 'fd01::/48', size: 64 });
  });

  test('errors name the pool and the reason', () => {
    expect(() => parseDefaultAddressPool('base=10.10.0.0/23')).toThrow(
      /size must be a whole number.*expected base=CIDR,size=N/,
    );
    expect(() => parseDefaultAddressPool('size=24')).toThrow(/base is missing/);
    expect(() => parseDefaultAddressPool('base=10.10.0.0/16,size=24,scope=local')).toThrow(
      /unknown field "scope"/,
    );
    expect(() => parseDefaultAddressPool('10.10.0.0/16')).toThrow(/unknown field "10.10.0.0\/16"/);
    expect(() => parseDefaultAddressPool('base=10.0.0.0/8,base=11.0.0.0/8,size=16')).toThrow(
      /base given twice/,
    );
    expect(() => parseDefaultAddressPool('base=10.10.0.0/23,size=20')).toThrow(
      /size must be between 23 and 32/,
    );
    expect(() => parseDefaultAddressPool('base=10.10.0.0/23,size=33')).toThrow(
      /size must be between 23 and 32/,
    );
    expect(() => parseDefaultAddressPool('base=10.10.0.0/23,size=2x')).toThrow(/whole number/);
    expect(() => parseDefaultAddressPool('base=10.10.1.0/23,size=24')).toThrow(
      'invalid default-address-pool base 10.10.1.0/23: it should be 10.10.0.0/23',
    );
    expect(() => parseDefaultAddressPool('base=banana,size=24')).toThrow(/not a CIDR/);
    expect(() => checkDefaultPool({ base: 'fd00::/48', size: 129 })).toThrow(/between 48 and 128/);
  });
});

describe('ULA prefix from a host id', () => {
  test('fd00::/8 plus the 40 low bits of the first 8 sha256 bytes, as a /48', () => {
    const prefix = deriveUlaPrefix('host-1');
    const globalId = createHash('sha256').update('host-1').digest().readBigUInt64BE(0) & 0xff_ffff_ffffn;
    const hex = globalId.toString(16).padStart(10, '0');
    const groups = [`fd${hex.slice(0, 2)}`, hex.slice(2, 6), hex.slice(6, 10)].map((group) =>
      group.replace(/^0+(?=.)/, ''),
    );
    expect(prefix).toBe(`${groups.join(':')}::/48`);
    expect(deriveUlaPrefix('host-1')).toBe(prefix);
    expect(deriveUlaPrefix('host-2')).not.toBe(prefix);
  });
});
