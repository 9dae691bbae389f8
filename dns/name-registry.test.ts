import { describe, expect, test } from 'vitest';
import { NameRegistry, addressOfPtrName } from './name-registry.js';
import type { DnsEndpoint } from './name-registry.js';

const SANDBOX_A = 'a'.repeat(64);
const SANDBOX_B = 'b'.repeat(64);
const SANDBOX_C = 'c'.repeat(64);

function endpoint(fields: Partial<DnsEndpoint> & Pick<DnsEndpoint, 'endpointId' | 'sandboxId' | 'sandboxName'>): DnsEndpoint {
  return { networkId: 'n1', networkName: 'front', aliases: [], ...fields };
}

function registry(): NameRegistry {
  const names = new NameRegistry();
  names.put(endpoint({ endpointId: 'e1', sandboxId: SANDBOX_A, sandboxName: 'web', aliases: ['api'], ipv4: '10.1.0.2', ipv6: 'fd00::2' }));
  names.put(endpoint({ endpointId: 'e2', sandboxId: SANDBOX_B, sandboxName: 'Db', aliases: ['api'], ipv4: '10.1.0.3' }));
  names.put(endpoint({ endpointId: 'e3', sandboxId: SANDBOX_C, sandboxName: 'secret', networkId: 'n2', networkName: 'back', ipv4: '10.2.0.2' }));
  return names;
}

describe('name registry', () => {
  test('A and AAAA for the name, name.network and the short id, case-insensitive, trailing dot ignored', () => {
    const names = registry().namesFor(SANDBOX_B);
    expect(names.lookup({ name: 'WEB.', type: 'A' })).toEqual({ kind: 'records', records: [{ type: 'A', name: 'web', address: '10.1.0.2' }] });
    expect(names.lookup({ name: 'web.front', type: 'AAAA' })).toEqual({ kind: 'records', records: [{ type: 'AAAA', name: 'web.front', address: 'fd00::2' }] });
    expect(names.lookup({ name: SANDBOX_A.slice(0, 12), type: 'A' })).toMatchObject({ kind: 'records', records: [{ address: '10.1.0.2' }] });
    expect(names.lookup({ name: 'db', type: 'A' })).toMatchObject({ kind: 'records', records: [{ address: '10.1.0.3' }] });
  });

  test('a shared alias returns every address, shuffled', () => {
    const names = registry().namesFor(SANDBOX_A);
    const orders = new Set<string>();
    for (let round = 0; round < 64; round += 1) {
      const answer = names.lookup({ name: 'api', type: 'A' });
      if (answer.kind !== 'records') throw new Error('expected records');
      expect(answer.records.map((record) => (record.type === 'A' ? record.address : '')).sort()).toEqual(['10.1.0.2', '10.1.0.3']);
      orders.add(answer.records.map((record) => (record.type === 'A' ? record.address : '')).join());
    }
    expect(orders.size).toBe(2);
  });

  test('other types of a known name: NOERROR with no records; unknown names are not ours', () => {
    const names = registry().namesFor(SANDBOX_A);
    expect(names.lookup({ name: 'db', type: 'MX' })).toEqual({ kind: 'records', records: [] });
    expect(names.lookup({ name: 'db', type: 'AAAA' })).toEqual({ kind: 'records', records: [] });
    expect(names.lookup({ name: 'example.com', type: 'A' })).toEqual({ kind: 'not-ours' });
  });

  test('scoping: names on networks the sandbox is not attached to are not visible', () => {
    const names = registry();
    expect(names.namesFor(SANDBOX_A).lookup({ name: 'secret', type: 'A' })).toEqual({ kind: 'not-ours' });
    expect(names.namesFor(SANDBOX_C).lookup({ name: 'web', type: 'A' })).toEqual({ kind: 'not-ours' });
    expect(names.namesFor(SANDBOX_C).lookup({ name: 'secret', type: 'A' })).toMatchObject({ kind: 'records' });
    expect(names.namesFor('unknown').lookup({ name: 'web', type: 'A' })).toEqual({ kind: 'not-ours' });
  });

  test('PTR answers name.network for IPv4 and IPv6 addresses on visible networks', () => {
    const names = registry().namesFor(SANDBOX_B);
    expect(names.lookup({ name: '2.0.1.10.in-addr.arpa', type: 'PTR' })).toEqual({ kind: 'records', records: [{ type: 'PTR', name: '2.0.1.10.in-addr.arpa', target: 'web.front' }] });
    const v6 = `2.${'0.'.repeat(29)}d.f.ip6.arpa`;
    expect(names.lookup({ name: v6, type: 'PTR' })).toMatchObject({ kind: 'records', records: [{ target: 'web.front' }] });
    expect(names.lookup({ name: '2.0.2.10.in-addr.arpa', type: 'PTR' })).toEqual({ kind: 'not-ours' });
  });

  test('remove forgets every name and address at once; removing twice is harmless', () => {
    const names = registry();
    names.remove('e2');
    names.remove('e2');
    const view = names.namesFor(SANDBOX_A);
    expect(view.lookup({ name: 'db', type: 'A' })).toEqual({ kind: 'not-ours' });
    expect(view.lookup({ name: 'api', type: 'A' })).toMatchObject({ kind: 'records', records: [{ address: '10.1.0.2' }] });
    expect(view.lookup({ name: '3.0.1.10.in-addr.arpa', type: 'PTR' })).toEqual({ kind: 'not-ours' });
    expect(names.serves(SANDBOX_B)).toBe(false);
    expect(names.size).toBe(2);
  });

  test('PTR names: malformed ones are not addresses', () => {
    expect(addressOfPtrName('4.3.2.1.in-addr.arpa')).toBe('1.2.3.4');
    expect(addressOfPtrName('4.3.2.in-addr.arpa')).toBeUndefined();
    expect(addressOfPtrName('400.3.2.1.in-addr.arpa')).toBeUndefined();
    expect(addressOfPtrName('x.ip6.arpa')).toBeUndefined();
  });
});
