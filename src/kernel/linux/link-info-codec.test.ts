import { describe, expect, test } from 'vitest';
import { decodeLinkInfo, encodeLinkInfo } from './link-info-codec.js';
import { parseAttributes, readCstring } from './nlattr.js';

describe('IFLA_LINKINFO encoding', () => {
  test('vlan: kind "vlan", id 100 (u16) and protocol 802.1Q (be16)', () => {
    const encoded = encodeLinkInfo({ kind: 'vlan', name: 'eth0.100', parent: 'eth0', vlanId: 100 });
    // IFLA_INFO_KIND "vlan\0" (len 9, padded to 12) + IFLA_INFO_DATA (nested flag) { VLAN_ID=100, PROTOCOL=0x8100 }
    expect(encoded.toString('hex')).toBe('09000100766c616e000000001400028006000100640000000600050081000000');
    expect(decodeLinkInfo(encoded)).toEqual({ kind: 'vlan', vlanId: 100 });
  });

  test('macvlan modes round-trip', () => {
    for (const mode of ['private', 'vepa', 'bridge', 'passthru'] as const) {
      expect(decodeLinkInfo(encodeLinkInfo({ kind: 'macvlan', name: 'm', parent: 'eth0', mode }))).toEqual({ kind: 'macvlan', macvlanMode: mode });
    }
  });

  test('ipvlan: mode is a u16 (l2 0, l3 1, l3s 2) and round-trips', () => {
    const encoded = encodeLinkInfo({ kind: 'ipvlan', name: 'i', parent: 'eth0', mode: 'l3' });
    const data = parseAttributes(parseAttributes(encoded).get(2) ?? Buffer.alloc(0));
    expect(data.get(1)?.length).toBe(2);
    expect(data.get(1)?.readUInt16LE(0)).toBe(1);
    for (const mode of ['l2', 'l3', 'l3s'] as const) {
      expect(decodeLinkInfo(encodeLinkInfo({ kind: 'ipvlan', name: 'i', parent: 'eth0', mode }))).toEqual({ kind: 'ipvlan', ipvlanMode: mode });
    }
  });

  test('vxlan: vni, port 4789 big-endian, learning off by default, local address', () => {
    const encoded = encodeLinkInfo({ kind: 'vxlan', name: 'vx', vni: 4096, local: '198.18.0.2' }, { parentIndex: 7 });
    const data = parseAttributes(parseAttributes(encoded).get(2) ?? Buffer.alloc(0));
    expect(data.get(1)?.readUInt32LE(0)).toBe(4096);
    expect(data.get(15)?.readUInt16BE(0)).toBe(4789);
    expect(data.get(7)?.[0]).toBe(0);
    expect([...(data.get(4) ?? [])]).toEqual([198, 18, 0, 2]);
    expect(data.get(3)?.readUInt32LE(0)).toBe(7);
    expect(decodeLinkInfo(encoded)).toEqual({ kind: 'vxlan', vni: 4096 });
  });

  test('veth peer carries an ifinfomsg, the peer name and the target namespace fd', () => {
    const encoded = encodeLinkInfo({ kind: 'veth', name: 'a', peer: { name: 'eth0', mac: '02:00:00:00:00:01' } }, { peerNetnsFd: 42 });
    const peer = parseAttributes(parseAttributes(encoded).get(2) ?? Buffer.alloc(0)).get(1) ?? Buffer.alloc(0);
    const attributes = parseAttributes(peer.subarray(16));
    expect(readCstring(attributes.get(3) ?? Buffer.alloc(0))).toBe('eth0');
    expect(attributes.get(28)?.readUInt32LE(0)).toBe(42);
    expect(attributes.get(1)?.toString('hex')).toBe('020000000001');
  });

  test('bridge and dummy have a kind only; unknown input decodes without throwing', () => {
    expect(decodeLinkInfo(encodeLinkInfo({ kind: 'bridge', name: 'b' }))).toEqual({ kind: 'bridge' });
    expect(decodeLinkInfo(encodeLinkInfo({ kind: 'dummy', name: 'd' }))).toEqual({ kind: 'dummy' });
    expect(decodeLinkInfo(undefined)).toEqual({ kind: undefined });
    expect(decodeLinkInfo(Buffer.from([1, 2, 3]))).toEqual({ kind: undefined });
  });
});
