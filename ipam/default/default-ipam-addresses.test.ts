import { describe, expect, test } from 'vitest';
import { DefaultIpam } from './default-ipam.js';

async function poolOf(request: {
  readonly pool: string;
  readonly subPool?: string;
  readonly v6?: boolean;
}): Promise<{ ipam: DefaultIpam; poolId: string }> {
  const ipam = new DefaultIpam();
  const { poolId } = await ipam.requestPool({ ...request, v6: request.v6 ?? false });
  return { ipam, poolId };
}

describe('default IPAM: dynamic addresses', () => {
  test("gateway is the first usable; others follow in order with the pool's prefix length", async () => {
    const { ipam, poolId } = await poolOf({ pool: '10.0.0.0/24' });
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('10.0.0.1/24');
    expect([await ipam.requestAddress(poolId), await ipam.requestAddress(poolId)]).toEqual([
      '10.0.0.2/24',
      '10.0.0.3/24',
    ]);
  });

  test('the most recently released address is reused last: .2 .3 .4, release .3, then .5 … and .3 after wrapping', async () => {
    const { ipam, poolId } = await poolOf({ pool: '10.0.0.0/29' });
    await ipam.requestAddress(poolId, { gateway: true });
    const first = [
      await ipam.requestAddress(poolId),
      await ipam.requestAddress(poolId),
      await ipam.requestAddress(poolId),
    ];
    expect(first).toEqual(['10.0.0.2/29', '10.0.0.3/29', '10.0.0.4/29']);
    await ipam.releaseAddress(poolId, '10.0.0.3');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.5/29');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.6/29');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.3/29');
    const full = ipam.requestAddress(poolId);
    await expect(full).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
    await expect(full).rejects.toThrow('no available addresses on this pool: pool 10.0.0.0/29 is full');
    await ipam.releaseAddress(poolId, '10.0.0.2');
    await ipam.releaseAddress(poolId, '10.0.0.2');
    expect(await ipam.requestAddress(poolId)).toBe('10.0.0.2/29');
  });

  test("the ip-range bounds dynamic addresses, including its first address; the gateway stays at the pool's first usable", async () => {
    const { ipam, poolId } = await poolOf({ pool: '10.5.0.0/24', subPool: '10.5.0.128/30' });
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('10.5.0.1/24');
    const inRange = [];
    for (let i = 0; i < 4; i += 1) inRange.push(await ipam.requestAddress(poolId));
    expect(inRange).toEqual(['10.5.0.128/24', '10.5.0.129/24', '10.5.0.130/24', '10.5.0.131/24']);
    await expect(ipam.requestAddress(poolId)).rejects.toThrow(
      'no available addresses on this pool: ip-range 10.5.0.128/30 of pool 10.5.0.0/24 is full',
    );
  });

  test('an ip-range at the start of the pool skips the network address; at the end, the broadcast', async () => {
    const { ipam, poolId } = await poolOf({ pool: '10.6.0.0/24', subPool: '10.6.0.0/30' });
    const start = [
      await ipam.requestAddress(poolId),
      await ipam.requestAddress(poolId),
      await ipam.requestAddress(poolId),
    ];
    expect(start).toEqual(['10.6.0.1/24', '10.6.0.2/24', '10.6.0.3/24']);
    await expect(ipam.requestAddress(poolId)).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
    const end = (await ipam.requestPool({ v6: false, pool: '10.6.1.0/24', subPool: '10.6.1.254/31' })).poolId;
    expect(await ipam.requestAddress(end)).toBe('10.6.1.254/24');
    await expect(ipam.requestAddress(poolId)).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
  });

  test('a taken first address sends the gateway to the next free one', async () => {
    const { ipam, poolId } = await poolOf({ pool: '10.8.0.0/24' });
    await ipam.requestAddress(poolId, { address: '10.8.0.1' });
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('10.8.0.2/24');
  });

  test('/31 and /32 (and /127, /128) have no reserved addresses', async () => {
    const { ipam, poolId: p31 } = await poolOf({ pool: '10.9.0.0/31' });
    expect([await ipam.requestAddress(p31, { gateway: true }), await ipam.requestAddress(p31)]).toEqual([
      '10.9.0.0/31',
      '10.9.0.1/31',
    ]);
    await expect(ipam.requestAddress(p31)).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
    const p32 = (await ipam.requestPool({ v6: false, pool: '10.9.1.7/32' })).poolId;
    expect(await ipam.requestAddress(p32)).toBe('10.9.1.7/32');
    await expect(ipam.requestAddress(p32)).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
    const p127 = (await ipam.requestPool({ v6: true, pool: 'fd00:9::/127' })).poolId;
    expect([await ipam.requestAddress(p127), await ipam.requestAddress(p127)]).toEqual([
      'fd00:9::/127',
      'fd00:9::1/127',
    ]);
    const p128 = (await ipam.requestPool({ v6: true, pool: 'fd00:9::5/128' })).poolId;
    expect(await ipam.requestAddress(p128, { gateway: true })).toBe('fd00:9::5/128');
    const p30 = (await ipam.requestPool({ v6: false, pool: '10.9.2.0/30' })).poolId;
    expect([await ipam.requestAddress(p30), await ipam.requestAddress(p30)]).toEqual([
      '10.9.2.1/30',
      '10.9.2.2/30',
    ]);
    await expect(ipam.requestAddress(p30)).rejects.toMatchObject({ code: 'NO_ADDRESS_AVAILABLE' });
  });

  test('IPv6: a dynamic /64 from the ULA, in order; no broadcast; big pools stay sparse', async () => {
    const ipam = new DefaultIpam();
    const { poolId, pool } = await ipam.requestPool({ v6: true });
    expect(pool).toBe('fd00:b3a7::/64');
    expect(await ipam.requestAddress(poolId, { gateway: true })).toBe('fd00:b3a7::1/64');
    expect(await ipam.requestAddress(poolId)).toBe('fd00:b3a7::2/64');
    expect(await ipam.requestAddress(poolId, { address: 'fd00:b3a7::ffff:ffff:ffff:ffff' })).toBe(
      'fd00:b3a7::ffff:ffff:ffff:ffff/64',
    );
    await expect(ipam.requestAddress(poolId, { address: 'fd00:b3a7::' })).rejects.toThrow(
      /is the network address/,
    );
    const wide = (await ipam.requestPool({ v6: false, pool: '10.0.0.0/8' })).poolId;
    for (let i = 0; i < 1000; i += 1) await ipam.requestAddress(wide);
    expect(await ipam.requestAddress(wide)).toBe('10.0.3.233/8');
  });

  test('unknown pools are POOL_NOT_FOUND; bad address text is INVALID_ARGUMENT', async () => {
    const { ipam, poolId } = await poolOf({ pool: '10.0.0.0/24' });
    await expect(ipam.requestAddress('LocalDefault/10.1.0.0/24')).rejects.toMatchObject({
      code: 'POOL_NOT_FOUND',
    });
    await expect(ipam.requestAddress(poolId, { address: '10.0.0.300' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(ipam.requestAddress(poolId, { address: '10.0.0.3/24' })).rejects.toThrow(
      /invalid address "10.0.0.3\/24": not an IP address/,
    );
    await ipam.releaseAddress('LocalDefault/10.1.0.0/24', '10.1.0.5');
    await ipam.releaseAddress(poolId, 'fd00::1');
  });
});
