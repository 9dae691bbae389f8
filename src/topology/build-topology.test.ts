import { describe, expect, test } from 'vitest';
import { buildTopology } from './build-topology.js';
import { describeDevice, networkDevice } from './network-device.js';

const FRONT = 'f'.repeat(12) + '0'.repeat(52);
const BACK = 'b'.repeat(12) + '1'.repeat(52);
const HOST = 'h'.repeat(64);

function network(fields: { id: string; name: string; driver: string; options?: Record<string, string>; subnet?: string; gateway?: string }): unknown {
  return {
    Id: fields.id, Name: fields.name, Driver: fields.driver, Scope: 'local', Internal: false, Options: fields.options ?? {},
    IPAM: { Driver: 'default', Config: fields.subnet === undefined ? [] : [{ Subnet: fields.subnet, Gateway: fields.gateway }] },
  };
}

const WEB = {
  Id: 'a'.repeat(64), Name: '/web', State: { Status: 'running' },
  NetworkSettings: {
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': null },
    Networks: {
      front: { NetworkID: FRONT, IPAddress: '10.90.0.2', GlobalIPv6Address: '', MacAddress: '02:42:0a:5a:00:02' },
      back: { NetworkID: BACK, IPAddress: '10.91.0.2', GlobalIPv6Address: 'fd00:91::2', MacAddress: '02:42:0a:5b:00:02' },
    },
  },
};

describe('buildTopology', () => {
  test('networks with devices and subnets, sandboxes with ethN by order, ports; host/none only when used', () => {
    const topology = buildTopology({
      networks: [
        network({ id: FRONT, name: 'front', driver: 'bridge', subnet: '10.90.0.0/24', gateway: '10.90.0.1' }),
        network({ id: BACK, name: 'back', driver: 'macvlan', options: { parent: 'eth0.100' }, subnet: '10.91.0.0/24' }),
        network({ id: HOST, name: 'host', driver: 'host' }),
      ],
      sandboxes: [WEB, { Id: 'c'.repeat(64), Name: '/idle', NetworkSettings: { Networks: {} } }],
    });
    expect(topology.networks.map((entry) => entry.name)).toEqual(['back', 'front']);
    expect(topology.networks[1]).toEqual({
      id: FRONT, name: 'front', driver: 'bridge', scope: 'local', internal: false,
      subnets: [{ subnet: '10.90.0.0/24', gateway: '10.90.0.1' }], device: { kind: 'bridge', name: 'br-ffffffffffff' },
    });
    expect(topology.networks[0]?.device).toEqual({ kind: 'parent', name: 'eth0.100', mode: undefined, vlan: { link: 'eth0', id: 100 } });
    expect(topology.sandboxes.map((entry) => entry.name)).toEqual(['idle', 'web']);
    expect(topology.sandboxes[1]).toEqual({
      id: 'a'.repeat(64), name: 'web', status: 'running',
      endpoints: [
        { networkId: FRONT, networkName: 'front', interfaceName: 'eth0', ipv4: '10.90.0.2', ipv6: undefined, mac: '02:42:0a:5a:00:02' },
        { networkId: BACK, networkName: 'back', interfaceName: 'eth1', ipv4: '10.91.0.2', ipv6: 'fd00:91::2', mac: '02:42:0a:5b:00:02' },
      ],
      ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    });
    expect(topology.sandboxes[0]?.status).toBe('created');
  });

  test('a sandbox on the host network keeps that network in the picture', () => {
    const onHost = { Id: 'd'.repeat(64), Name: '/h', NetworkSettings: { Networks: { host: { NetworkID: HOST, IPAddress: '' } } } };
    expect(buildTopology({ networks: [network({ id: HOST, name: 'host', driver: 'host' })], sandboxes: [onHost] }).networks.map((entry) => entry.name)).toEqual(['host']);
  });

  test('a reply without Docker\'s shape is a clear error', () => {
    expect(() => buildTopology({ networks: ['nope'], sandboxes: [] })).toThrow('unexpected reply from berthd: network is not an object');
    expect(() => buildTopology({ networks: [{ Id: 1 }], sandboxes: [] })).toThrow('Id is not a string');
  });
});

describe('networkDevice', () => {
  const id = '0123456789abcdef';
  test.each([
    [{ driver: 'bridge', options: {} }, 'bridge br-0123456789ab'],
    [{ driver: 'bridge', options: { 'com.docker.network.bridge.name': 'berth0' } }, 'bridge berth0'],
    [{ driver: 'macvlan', options: { parent: 'eth1', macvlan_mode: 'bridge' } }, 'parent eth1, bridge mode'],
    [{ driver: 'ipvlan', options: { parent: 'eth0.200', ipvlan_mode: 'l2' } }, 'parent eth0.200 (VLAN 200 on eth0, l2 mode)'],
    [{ driver: 'macvlan', options: {} }, 'parent dm-0123456789ab'],
    [{ driver: 'macvlan', options: { parent: 'eth0' }, internal: true }, 'parent dm-0123456789ab'],
    [{ driver: 'overlay', options: {} }, 'bridge ov-0123456789ab, vxlan vx-0123456789ab'],
    [{ driver: 'overlay', options: { 'com.docker.network.driver.overlay.vxlanid_list': '4242' } }, 'bridge ov-0123456789ab, vxlan vx-0123456789ab VNI 4242'],
    [{ driver: 'null', options: {} }, 'no device'],
  ])('%o → %s', (source, described) => {
    expect(describeDevice(networkDevice({ id, internal: false, ...source }))).toBe(described);
  });
});
