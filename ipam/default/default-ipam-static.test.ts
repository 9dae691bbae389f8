import { describe, expect, test } from 'vitest';
import { DefaultIpam } from './default-ipam.js';

async function rangedPool(): Promise<{ ipam: DefaultIpam; poolId: string }> {
  const ipam = new DefaultIpam();
  const { poolId } = await ipam.requestPool({ v6: false, pool: '10.5.0.0/24', subPool: '10.5.0.128/25' });
  return { ipam, poolId };
}

describe('default IPAM: specific addresses', () => {
  test('static and aux addresses inside the ip-range are reserved; dynamic allocation steps over them', async () => {
    const { ipam, poolId } = await rangedPool();
    expect(await ipam.requestAddress(poolId, { address: '10.5.0.128' })).toBe('10.5.0.128/24');
    expect(await ipam.requestAddress(poolId, { address: '10.5.0.130' })).toBe('10.5.0.130/24');
    expect([await ipam.requestAddress(poolId), await ipam.requestAddress(poolId)]).toEqual([
      '10.5.0.129/24',
      '10.5.0.131/24',
    ]);
  });

  test("in use is ADDRESS_IN_USE with Docker's text; network and broadcast addresses count as in use", async () => {
    const { ipam, poolId } = await rangedPool();
    await ipam.requestAddress(poolId, { address: '10.5.0.200' });
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.200' })).rejects.toMatchObject({
      code: 'ADDRESS_IN_USE',
      message: 'Address already in use: 10.5.0.200 in pool 10.5.0.0/24',
      object: '10.5.0.200',
    });
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.255' })).rejects.toMatchObject({
      code: 'ADDRESS_IN_USE',
      message: 'Address already in use: 10.5.0.255 is the broadcast address of 10.5.0.0/24',
    });
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.0', gateway: true })).rejects.toThrow(
      /10.5.0.0 is the network address/,
    );
  });

  test('outside the subnet, or (except for the gateway) outside the ip-range, is ADDRESS_OUT_OF_RANGE', async () => {
    const { ipam, poolId } = await rangedPool();
    await expect(ipam.requestAddress(poolId, { address: '10.6.0.9' })).rejects.toMatchObject({
      code: 'ADDRESS_OUT_OF_RANGE',
      message: 'requested address is out of range: 10.6.0.9 is not in subnet 10.5.0.0/24',
    });
    await expect(ipam.requestAddress(poolId, { address: '10.6.0.9', gateway: true })).rejects.toMatchObject({
      code: 'ADDRESS_OUT_OF_RANGE',
    });
    await expect(ipam.requestAddress(poolId, { address: '10.5.0.9' })).rejects.toThrow(
      'requested address is out of range: 10.5.0.9 is not in ip-range 10.5.0.128/25',
    );
    await expect(ipam.requestAddress(poolId, { address: 'fd00::9' })).rejects.toMatchObject({
      code: 'ADDRESS_OUT_OF_RANGE',
    });
    expect(await ipam.requestAddress(poolId, { address: '10.5.0.9', gateway: true })).toBe('10.5.0.9/24');
  });

  test('a released static address can be requested again; release is idempotent', async () => {
    const { ipam, poolId } = await rangedPool();
    await ipam.requestAddress(poolId, { address: '10.5.0.140' });
    await ipam.releaseAddress(poolId, '10.5.0.140');
    await ipam.releaseAddress(poolId, '10.5.0.140');
    expect(await ipam.requestAddress(poolId, { address: '10.5.0.140' })).toBe('10.5.0.140/24');
  });
});

describe('default IPAM: concurrency and replay', () => {
  test('50 parallel requests on one pool get 50 distinct addresses', async () => {
    const ipam = new DefaultIpam();
    const { poolId } = await ipam.requestPool({ v6: false, pool: '10.7.0.0/24' });
    const addresses = await Promise.all(Array.from({ length: 50 }, () => ipam.requestAddress(poolId)));
    expect(new Set(addresses).size).toBe(50);
    const pools = await Promise.all(Array.from({ length: 10 }, () => ipam.requestPool({ v6: false })));
    expect(new Set(pools.map((pool) => pool.pool)).size).toBe(10);
  });

  test('replay on a fresh instance: same pool ids, gateway outside the ip-range, addresses in use again', async () => {
    const before = new DefaultIpam();
    const pool = await before.requestPool({ v6: false, pool: '10.7.0.0/24', subPool: '10.7.0.64/26' });
    const gateway = await before.requestAddress(pool.poolId, { gateway: true });
    const endpoints = await Promise.all(Array.from({ length: 5 }, () => before.requestAddress(pool.poolId)));
    const v6 = await before.requestPool({ v6: true });
    const v6Gateway = await before.requestAddress(v6.poolId, { gateway: true });

    const after = new DefaultIpam();
    const again = await after.requestPool({ v6: false, pool: pool.pool, subPool: '10.7.0.64/26' });
    expect(again.poolId).toBe(pool.poolId);
    expect(
      await after.requestAddress(again.poolId, { address: gateway.split('/')[0] ?? '', gateway: true }),
    ).toBe('10.7.0.1/24');
    for (const address of endpoints)
      expect(await after.requestAddress(again.poolId, { address: address.split('/')[0] ?? '' })).toBe(
        address,
      );
    expect((await after.requestPool({ v6: true, pool: v6.pool })).poolId).toBe(v6.poolId);
    await after.requestAddress(v6.poolId, { address: v6Gateway.split('/')[0] ?? '', gateway: true });

    await expect(after.requestAddress(again.poolId, { address: '10.7.0.65' })).rejects.toMatchObject({
      code: 'ADDRESS_IN_USE',
    });
    await expect(
      after.requestAddress(v6.poolId, { gateway: true, address: 'fd00:b3a7::1' }),
    ).rejects.toMatchObject({ code: 'ADDRESS_IN_USE' });
    expect(await after.requestAddress(again.poolId)).toBe('10.7.0.69/24');
    expect((await after.requestPool({ v6: true })).pool).toBe('fd00:b3a7:0:1::/64');
  });
});
