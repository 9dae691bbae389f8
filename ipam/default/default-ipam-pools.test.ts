import { describe, expect, test } from 'vitest';
import { DefaultIpam } from './default-ipam.js';
import { parseDefaultAddressPool } from './default-pools.js';

async function dynamicPools(ipam: DefaultIpam, count: number): Promise<string[]> {
  const pools: string[] = [];
  for (let i = 0; i < count; i += 1) pools.push((await ipam.requestPool({ v6: false })).pool);
  return pools;
}

describe('default IPAM: dynamic pools', () => {
  test("follow Docker's list order: 172.17–172.31 as /16s, then 192.168.x.0/20", async () => {
    const ipam = new DefaultIpam();
    const pools = await dynamicPools(ipam, 31);
    expect(pools.slice(0, 4)).toEqual(['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16', '172.20.0.0/16']);
    expect(pools.slice(12, 17)).toEqual([
      '172.29.0.0/16',
      '172.30.0.0/16',
      '172.31.0.0/16',
      '192.168.0.0/20',
      '192.168.16.0/20',
    ]);
    expect(pools[30]).toBe('192.168.240.0/20');
    expect(new Set(pools).size).toBe(31);
    await expect(ipam.requestPool({ v6: false })).rejects.toMatchObject({ code: 'NO_POOL_AVAILABLE' });
  });

  test('the explicitly requested bridge subnet is skipped by later dynamic requests; the pool id names the subnet', async () => {
    const ipam = new DefaultIpam();
    const bridge = await ipam.requestPool({ v6: false, pool: '172.17.0.0/16' });
    expect(bridge).toEqual({ poolId: 'LocalDefault/172.17.0.0/16', pool: '172.17.0.0/16', meta: {} });
    expect(await dynamicPools(ipam, 2)).toEqual(['172.18.0.0/16', '172.19.0.0/16']);
  });

  test('skip host routes and nameservers given in exclude, and user subnets', async () => {
    const ipam = new DefaultIpam();
    await ipam.requestPool({ v6: false, pool: '172.18.5.0/24' });
    const pool = await ipam.requestPool({
      v6: false,
      exclude: ['172.17.0.0/16', '172.19.0.53', '172.20.1.0/24', 'fd00::/8'],
    });
    expect(pool.pool).toBe('172.21.0.0/16');
    expect((await ipam.requestPool({ v6: false, exclude: ['172.16.0.0/12'] })).pool).toBe('192.168.0.0/20');
    await expect(ipam.requestPool({ v6: false, exclude: ['not-a-route'] })).rejects.toThrow(
      /invalid excluded prefix "not-a-route"/,
    );
  });

  test('a released pool is handed out again; releasing twice is fine', async () => {
    const ipam = new DefaultIpam();
    const first = await ipam.requestPool({ v6: false });
    await ipam.requestPool({ v6: false });
    await ipam.releasePool(first.poolId);
    await ipam.releasePool(first.poolId);
    expect((await ipam.requestPool({ v6: false })).pool).toBe('172.17.0.0/16');
    await ipam.releasePool('LocalDefault/10.99.0.0/16');
  });

  test("--default-address-pool replaces the defaults; exhaustion is NO_POOL_AVAILABLE with Docker's text", async () => {
    const ipam = new DefaultIpam({
      defaultPools: [
        parseDefaultAddressPool('base=10.10.0.0/23,size=24'),
        { base: '10.20.0.0/16', size: 16 },
      ],
    });
    expect(await dynamicPools(ipam, 3)).toEqual(['10.10.0.0/24', '10.10.1.0/24', '10.20.0.0/16']);
    const exhausted = ipam.requestPool({ v6: false });
    await expect(exhausted).rejects.toMatchObject({ code: 'NO_POOL_AVAILABLE' });
    await expect(exhausted).rejects.toThrow(
      'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
    );
    expect(() => new DefaultIpam({ defaultPools: [{ base: '10.0.0.0/8', size: 4 }] })).toThrow(
      /size must be between 8 and 32/,
    );
  });

  test('exclusions covering a whole base are jumped over, not walked subnet by subnet', async () => {
    const ipam = new DefaultIpam({
      defaultPools: [
        { base: '10.0.0.0/8', size: 30 },
        { base: '11.0.0.0/8', size: 30 },
      ],
    });
    expect(
      (await ipam.requestPool({ v6: false, exclude: ['10.0.0.0/9', '10.128.0.0/9', '11.0.0.0/30'] })).pool,
    ).toBe('11.0.0.4/30');
    const ipv6 = new DefaultIpam({ ipv6DefaultPools: [{ base: 'fd00::/8', size: 64 }] });
    await expect(ipv6.requestPool({ v6: true, exclude: ['fd00::/9', 'fd80::/9'] })).rejects.toThrow(
      /non-overlapping IPv6 address pool/,
    );
  });
});

describe('default IPAM: IPv6 dynamic pools', () => {
  test('the ULA /48 (default, option, or derived from the host id) is split into /64s', async () => {
    const ipam = new DefaultIpam();
    expect((await ipam.requestPool({ v6: true })).pool).toBe('fd00:b3a7::/64');
    expect((await ipam.requestPool({ v6: true })).pool).toBe('fd00:b3a7:0:1::/64');
    expect((await ipam.requestPool({ v6: false })).pool).toBe('172.17.0.0/16');
    const custom = new DefaultIpam({ ipv6UlaPrefix: 'fd12:3456:789a::/48' });
    expect((await custom.requestPool({ v6: true })).pool).toBe('fd12:3456:789a::/64');
    const derived = await new DefaultIpam({ hostId: 'host-1' }).requestPool({ v6: true });
    expect(derived.pool).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/64$/);
  });

  test('IPv6 bases in --default-address-pool serve IPv6 requests; IPv4-only lists keep the ULA', async () => {
    const mixed = new DefaultIpam({
      defaultPools: [
        { base: '10.1.0.0/16', size: 24 },
        { base: 'fd99::/56', size: 64 },
      ],
    });
    expect((await mixed.requestPool({ v6: true })).pool).toBe('fd99::/64');
    expect((await mixed.requestPool({ v6: false })).pool).toBe('10.1.0.0/24');
    const v4Only = new DefaultIpam({ defaultPools: [{ base: '10.1.0.0/16', size: 24 }] });
    expect((await v4Only.requestPool({ v6: true })).pool).toBe('fd00:b3a7::/64');
    expect(() => new DefaultIpam({ ipv6DefaultPools: [{ base: '10.0.0.0/8', size: 16 }] })).toThrow(
      /must be an IPv6 prefix/,
    );
  });
});

describe('default IPAM: requested subnets', () => {
  test('validation names the field and the reason', async () => {
    const ipam = new DefaultIpam();
    await expect(ipam.requestPool({ v6: false, pool: '10.1.2.3/16' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16',
    });
    await expect(ipam.requestPool({ v6: false, pool: 'fd00::/64' })).rejects.toThrow(
      'invalid subnet fd00::/64: not an IPv4 subnet',
    );
    await expect(ipam.requestPool({ v6: true, pool: '10.0.0.0/8' })).rejects.toThrow(
      'invalid subnet 10.0.0.0/8: not an IPv6 subnet',
    );
    await expect(ipam.requestPool({ v6: false, pool: '10.1.0.0' })).rejects.toThrow(
      /invalid subnet "10.1.0.0": not a CIDR/,
    );
    await expect(
      ipam.requestPool({ v6: false, pool: '10.1.0.0/16', subPool: '10.2.0.0/24' }),
    ).rejects.toThrow('invalid ip-range 10.2.0.0/24: it is not inside subnet 10.1.0.0/16');
    await expect(
      ipam.requestPool({ v6: false, pool: '10.1.0.0/16', subPool: '10.1.0.1/24' }),
    ).rejects.toThrow('invalid ip-range 10.1.0.1/24: it should be 10.1.0.0/24');
    await expect(ipam.requestPool({ v6: false, pool: '10.1.0.0/16', subPool: '10.0.0.0/8' })).rejects.toThrow(
      /not inside subnet/,
    );
    await expect(ipam.requestPool({ v6: false, addressSpace: 'Elsewhere' })).rejects.toThrow(
      /invalid address space "Elsewhere"/,
    );
  });

  test('overlap with any allocated pool is POOL_OVERLAP, also for the same subnet twice', async () => {
    const ipam = new DefaultIpam();
    await ipam.requestPool({ v6: false, pool: '10.50.0.0/24', subPool: '10.50.0.128/25' });
    for (const pool of ['10.50.0.0/24', '10.50.0.0/16', '10.50.0.64/26', '0.0.0.0/0']) {
      await expect(ipam.requestPool({ v6: false, pool })).rejects.toMatchObject({ code: 'POOL_OVERLAP' });
    }
    await expect(ipam.requestPool({ v6: false, pool: '10.0.0.0/8' })).rejects.toThrow(
      'Pool overlaps with other one on this address space: 10.0.0.0/8 overlaps 10.50.0.0/24',
    );
    expect((await ipam.requestPool({ v6: false, pool: '10.50.1.0/24' })).poolId).toBe(
      'LocalDefault/10.50.1.0/24',
    );
  });

  test('the pool id carries the ip-range; the global space is separate and uses 10.0.0.0/8 in /24s', async () => {
    const ipam = new DefaultIpam();
    const ranged = await ipam.requestPool({ v6: false, pool: '10.0.0.0/16', subPool: '10.0.4.0/22' });
    expect(ranged).toEqual({ poolId: 'LocalDefault/10.0.0.0/16/10.0.4.0/22', pool: '10.0.0.0/16', meta: {} });
    const global = await ipam.requestPool({ v6: false, addressSpace: 'GlobalDefault' });
    expect(global.poolId).toBe('GlobalDefault/10.0.0.0/24');
    expect((await ipam.requestPool({ v6: false, addressSpace: 'GlobalDefault' })).pool).toBe('10.0.1.0/24');
  });
});
