import { describe, expect, test } from 'vitest';
import { bipConfig, predefinedNetworks } from './predefined-networks.js';

describe('predefined networks', () => {
  test('bridge, host and none; --bip sets the default bridge subnet and gateway', () => {
    expect(predefinedNetworks().map((network) => network.name)).toEqual(['bridge', 'host', 'none']);
    expect(predefinedNetworks()[0]?.ipam).toBeUndefined();
    expect(predefinedNetworks({ bip: '10.99.0.1/24' })[0]?.ipam).toEqual({ config: [{ subnet: '10.99.0.0/24', gateway: '10.99.0.1' }] });
  });

  test('--bip errors name the flag and the reason', () => {
    expect(() => bipConfig('10.99.0.1')).toThrow(/--bip 10.99.0.1: expected/);
    expect(() => bipConfig('10.99.0.0/24')).toThrow(/network address/);
    expect(() => bipConfig('nonsense/8')).toThrow(/--bip/);
    expect(() => bipConfig('10.0.0.1/31')).toThrow(/at most \/30/);
  });
});
