import { describe, expect, test } from 'vitest';
import { iptablesRuleset, readExisting } from './iptables-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';

const red: BridgeFirewallSpec = { networkId: 'aaaaaaaaaaaa1111', bridgeName: 'br-aaaaaaaaaaaa', enableIcc: true, enableIpMasquerade: true, internal: false, subnets4: ['10.1.0.0/24'], subnets6: [] };
const inner: BridgeFirewallSpec = { networkId: 'bbbbbbbbbbbb2222', bridgeName: 'br-bbbbbbbbbbbb', enableIcc: false, enableIpMasquerade: true, internal: true, subnets4: ['10.2.0.0/24'], subnets6: ['fd00:2::/64'] };

describe('iptables rules for bridge networks', () => {
  test('first apply creates jumps and BERTH-USER; later applies keep them and delete stale chains', async () => {
    const empty = readExisting('');
    const first = iptablesRuleset({ networks: [red, inner], existing: empty, family: 4 });
    await expect(first).toMatchFileSnapshot('./__snapshots__/bridge-rules.iptables');
    const existing = readExisting(`*filter\n:BERTH-USER - [0:0]\n:BERTH-IN-bbbbbbbbbbbb - [0:0]\n:BERTH-OUT-bbbbbbbbbbbb - [0:0]\n-A FORWARD -j BERTH-FORWARD\nCOMMIT\n*nat\n-A POSTROUTING -j BERTH-POSTROUTING\nCOMMIT\n`);
    expect(existing).toEqual({ forwardJump: true, postroutingJump: true, userChain: true, networkChains: ['BERTH-IN-bbbbbbbbbbbb', 'BERTH-OUT-bbbbbbbbbbbb'] });
    const later = iptablesRuleset({ networks: [red], existing, family: 4 });
    expect(later).not.toContain(':BERTH-USER');
    expect(later).not.toContain('-I FORWARD');
    expect(later).toContain('-X BERTH-IN-bbbbbbbbbbbb');
    expect(later).toContain('-A BERTH-POSTROUTING -s 10.1.0.0/24 ! -o br-aaaaaaaaaaaa -j MASQUERADE');
    expect(iptablesRuleset({ networks: [inner], existing: empty, family: 6 })).not.toContain('MASQUERADE');
  });
});
