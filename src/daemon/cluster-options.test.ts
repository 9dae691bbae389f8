import { describe, expect, test } from 'vitest';
import { daemonCommand, toDaemonOptions } from './options.js';

function parse(args: readonly string[]): ReturnType<typeof toDaemonOptions> {
  const command = daemonCommand('0.0.0').exitOverride();
  command.parse([...args], { from: 'user' });
  return toDaemonOptions(command.opts());
}

describe('berthd --cluster-store', () => {
  test('off by default', () => {
    expect(parse([]).cluster).toBeUndefined();
  });

  test('etcd endpoints, advertise address and lease TTL', () => {
    expect(parse(['--cluster-store', 'etcd://198.18.0.1:2379,198.18.0.9:2379', '--advertise-addr', '198.18.0.2']).cluster).toEqual({
      endpoints: ['http://198.18.0.1:2379', 'http://198.18.0.9:2379'], advertiseAddress: '198.18.0.2', leaseTtl: 15,
    });
    expect(parse(['--cluster-store', 'etcd://etcd:2379', '--advertise-addr', '10.0.0.1', '--cluster-lease-ttl', '2']).cluster?.leaseTtl).toBe(2);
  });

  test.each([
    [['--cluster-store', 'consul://x:8500', '--advertise-addr', '10.0.0.1'], /etcd:\/\/HOST:PORT/],
    [['--cluster-store', 'etcd://x', '--advertise-addr', '10.0.0.1'], /etcd:\/\/HOST:PORT/],
    [['--cluster-store', 'etcd://x:2379'], /--advertise-addr/],
    [['--cluster-store', 'etcd://x:2379', '--advertise-addr', 'eth0'], /--advertise-addr/],
    [['--advertise-addr', '10.0.0.1'], /needs --cluster-store/],
    [['--cluster-store', 'etcd://x:2379', '--advertise-addr', '10.0.0.1', '--cluster-lease-ttl', '1'], /cluster-lease-ttl/],
  ])('%j is refused', (args, message) => {
    expect(() => parse(args)).toThrow(message);
  });
});
