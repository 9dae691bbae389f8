import { describe, expect, test } from 'vitest';
import { DefaultIpam } from './default-ipam.js';
import { parseDefaultAddressPool } from './default-pools.js';

describe('default IPAM pools', () => {
  test('dynamic pools follow Docker\'s order and never overlap', async () => {
    const ipam = new DefaultIpam();
    const pools = [];
    for (let i = 0; i < 16; i += 1) pools.push((await ipam.requestPool({ v6: false })).pool);
    expect(pools.slice(0, 4)).toEqual(['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16', '172.20.0.0/16']);
    expect(pools[14]).toBe('172.31.0.0/16');
    expect(pools[15]).toBe('192.168.0.0/20');
  });

  test('dynamic pools skip host routes and user subnets; a user subnet may not overlap', async () => {
    const ipam = new DefaultIpam();
    await ipam.requestPool({ v6: false, pool: '172.18.5.0/24' });
    expect((await ipam.requestPool({ v6: false, exclude: ['172.17.0.0/16'] })).pool).toBe('172.19.0.0/16');
    await expect(ipam.requestPool({ v6: false, pool: '172.19.0.0/24' })).rejects.toMatchObject({ code: 'POOL_OVERLAP' });
    await expect(ipam.requestPool({ v6: false, pool: '172.0.0.0/8' })).rejects.toThrow(/Pool overlaps with other one on this address space/);
  });

  test('--default-address-pool replaces the defaults; exhaustion is a clear error', async () => {
    const ipam = new DefaultIpam({ defaultPools: [parseDefaultAddressPool('base=10.10.0.0/23,size=24')] });
    expect((await ipam.requestPool({ v6: false })).pool).toBe('10.10.0.0/24');
    expect((await ipam.requestPool({ v6: false })).pool).toBe('10.10.1.0/24');
    await expect(ipam.requestPool({ v6: false })).rejects.toMatchObject({ code: 'NO_POOL_AVAILABLE' });
    await expect(ipam.requestPool({ v6: false })).rejects.toThrow('non-overlapping IPv4 address pool');
    expect(() => parseDefaultAddressPool('base=10.10.0.0/23')).toThrow(/expected base=CIDR,size=N/);
    expect(() => parseDefaultAddressPool('base=10.10.0.0/23,size=20')).toThrow(/size must be between 23 and 32/);
    expect(() => parseDefaultAddressPool('base=10.10.1.0/23,size=24')).toThrow(/it should be 10.10.0.0\/23/);
  });

  test('subnet and ip-range validation names the field', async () => {
    const ipam = new DefaultIpam();
    await expect(ipam.requestPool({ v6: false, pool: '10.1.2.3/16' })).rejects.toThrow('invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16');
    await expect(ipam.requestPool({ v6: false, pool: 'fd00::/64' })).rejects.toThrow(/not an IPv4 subnet/);
    await expect(ipam.requestPool({ v6: false, pool: '10.1.0.0/16', subPool: '10.2.0.0/24' })).rejects.toThrow('ip-range 10.2.0.0/24 is not inside subnet 10.1.0.0/16');
  });
});

describe('default IPAM addresses', () => {
  test('gateway is the first usable; others in order; the most recently released is reused last', async () => {
    const ipam = new DefaultIpam();
    const { poolId } = await ipam.requestPool({ v6: false, pool: '10.0.0.0/29' });
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('10.0.0.1/29');
    const first = [await ipam.requestAddress(poolId), await ipam.requestAddress(poolId), await ipam.requestAddress(poolId)];
    expect(first).toEqual(['10.0.0.2/29', '10.0.0.3/29', '10.0.0.4/29']);
    await ipam.releaseAddress(poolId, '10.0.0.3');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.5/29');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.6/29');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.3/29');
    await expect(ipam.requestAddress(poolId)).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
  });

  test('ip-range bounds dynamic and static addresses, not the gateway; in-use and out-of-range are typed', async () => {
    const ipam = new DefaultIpam();
    const { poolId } = await ipam.requestPool({ v6: false, pool: '10.5.0.0/24', subPool: '10.5.0.128/25' });
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('10.5.0.1/24');
    expect(await ipam.requestAddress(poolId)).toBe('10.5.0.129/24');
    expect(await ipam.requestAddress(poolId, { address: '10.5.0.200' })).toBe('10.5.0.200/24');
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.200' })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE', message: 'Address already in use' });
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.9' })).rejects.toMatchObject({ code: 'ADDRESS_OUT_OF_RANGE' });
    await expect(ipam.requestAddress(poolId, { address: '10.6.0.9' })).rejects.toMatchObject({ code: 'ADDRESS_OUT_OF_RANGE' });
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.255', gateway: true })).rejects.toThrow(/broadcast address/);
  });

  test('/31 and /32 have no reserved addresses', async () => {
    const ipam = new DefaultIpam();
    const p31 = (await ipam.requestPool({ v6: false, pool: '10.9.0.0/31' })).poolId;
    expect([await ipam.requestAddress(p31, { gateway: true }), await ipam.requestAddress(p31)]).toEqual(['10.9.0.0/31', '10.9.0.1/31']);
    const p32 = (await ipam.requestPool({ v6: false, pool: '10.9.1.7/32' })).poolId;
    expect(await ipam.requestAddress(p32)).toBe('10.9.1.7/32');
  });

  test('IPv6: a dynamic /64 from the ULA pool, addresses in order, no bitmap', async () => {
    const ipam = new DefaultIpam();
    const { poolId, pool } = await ipam.requestPool({ v6: true });
    expect(pool).toBe('fd00:b3a7::/64');
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('fd00:b3a7::1/64');
    expect(await ipam.requestAddress(poolId)).toBe('fd00:b3a7::2/64');
    expect(await ipam.requestAddress(poolId, { address: 'fd00:b3a7::ffff:1' })).toBe('fd00:b3a7::ffff:1/64');
  });

  test('50 parallel requests get 50 distinct addresses; replay re-reserves exactly', async () => {
    const ipam = new DefaultIpam();
    const { poolId } = await ipam.requestPool({ v6: false, pool: '10.7.0.0/24' });
    const addresses = await Promise.all(Array.from({ length: 50 }, () => ipam.requestAddress(poolId)));
    expect(new Set(addresses).size).toBe(50);
    const replay = new DefaultIpam();
    const again = await replay.requestPool({ v6: false, pool: '10.7.0.0/24' });
    expect(again.poolId).toBe(poolId);
    for (const address of addresses) await replay.requestAddress(poolId, { address: address.split('/')[0] ?? '' });
    await expect(replay.requestAddress(poolId, { address: '10.7.0.1' })).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    await replay.releasePool(poolId);
    await replay.releasePool(poolId);
  });
});
