import { describe, expect, test } from 'vitest';
import { etcdKeys, parseEtcdKey } from './etcd-keys.js';
import { parseRemotePeer } from './etcd-peer-codec.js';

describe('etcd key layout', () => {
  test('record keys parse back to what they name; others are ignored', () => {
    expect(parseEtcdKey(etcdKeys.network('n1'))).toEqual({ kind: 'network', networkId: 'n1' });
    expect(parseEtcdKey(etcdKeys.endpoint('n1', 'e1'))).toEqual({ kind: 'endpoint', networkId: 'n1', endpointId: 'e1' });
    expect(parseEtcdKey(etcdKeys.peer('n1', 'e1'))).toEqual({ kind: 'peer', networkId: 'n1', endpointId: 'e1' });
    for (const key of [etcdKeys.host('h'), etcdKeys.networkRef('n1'), etcdKeys.claim('vni/4096'), 'network/n1/extra', 'endpoint/n1']) {
      expect(parseEtcdKey(key)).toBeUndefined();
    }
  });

  test('peers are checked field by field', () => {
    const peer = { networkId: 'n', endpointId: 'e', hostId: 'h', vtep: '198.18.0.2', sandboxId: 's', sandboxName: 'web', aliases: ['api'], mac: '02:00:00:00:00:01', ipv4: '10.0.0.2' };
    expect(parseRemotePeer(peer)).toEqual(peer);
    expect(() => parseRemotePeer({ ...peer, vtep: 7 })).toThrow(/vtep/);
    expect(() => parseRemotePeer({ ...peer, aliases: [1] })).toThrow(/aliases/);
    expect(() => parseRemotePeer(null)).toThrow(/not an object/);
  });
});
