import { describe, expect, test } from 'vitest';
import { iptablesRuleset, readExisting } from './iptables-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';

const red: BridgeFirewallSpec = { networkId: 'aaaaaaaaaaaa1111', bridgeName: 'br-aaaaaaaaaaaa', enableIcc: true, enableIpMasquerade: true, internal: false, subnets4: ['10.1.0.0/24'], subnets6: ['fd00:1::/64'] };
const inner: BridgeFirewallSpec = { networkId: 'bbbbbbbbbbbb2222', bridgeName: 'br-bbbbbbbbbbbb', enableIcc: false, enableIpMasquerade: true, internal: true, subnets4: ['10.2.0.0/24'], subnets6: ['fd00:2::/64'] };
const ports: PublishedPort[] = [
  { hostIp: undefined, hostPort: 8080, protocol: 'tcp', containerIp: '10.1.0.2', containerPort: 80 },
  { hostIp: '127.0.0.1', hostPort: 9090, protocol: 'tcp', containerIp: '10.1.0.2', containerPort: 80 },
  { hostIp: undefined, hostPort: 8080, protocol: 'tcp', containerIp: 'fd00:1::2', containerPort: 80 },
  { hostIp: '2001:db8::1', hostPort: 5353, protocol: 'udp', containerIp: 'fd00:1::2', containerPort: 53 },
];

describe('iptables rules for bridge networks', () => {
  test('first apply creates jumps and BERTH-USER; later applies keep them and delete stale chains', async () => {
    const empty = readExisting('');
    const first = iptablesRuleset({ networks: [red, inner], ports: [], existing: empty, family: 4 });
    await expect(first).toMatchFileSnapshot('./__snapshots__/bridge-rules.iptables');
    const existing = readExisting(`*filter\n:BERTH-USER - [0:0]\n:BERTH-IN-bbbbbbbbbbbb - [0:0]\n:BERTH-OUT-bbbbbbbbbbbb - [0:0]\n-A FORWARD -j BERTH-FORWARD\nCOMMIT\n*nat\n-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-DNAT\n-A POSTROUTING -j BERTH-POSTROUTING\nCOMMIT\n`);
    expect(existing).toEqual({ forwardJump: true, postroutingJump: true, preroutingJump: true, outputJump: false, userChain: true, networkChains: ['BERTH-IN-bbbbbbbbbbbb', 'BERTH-OUT-bbbbbbbbbbbb'] });
    const later = iptablesRuleset({ networks: [red], ports: [], existing, family: 4 });
    expect(later).not.toContain(':BERTH-USER');
    expect(later).not.toContain('-I FORWARD');
    expect(later).not.toContain('-A PREROUTING');
    expect(later).toContain('-A OUTPUT -m addrtype --dst-type LOCAL -j BERTH-DNAT');
    expect(later).toContain('-X BERTH-IN-bbbbbbbbbbbb');
    expect(later).toContain('-A BERTH-POSTROUTING -s 10.1.0.0/24 ! -o br-aaaaaaaaaaaa -j MASQUERADE');
    expect(iptablesRuleset({ networks: [inner], ports: [], existing: empty, family: 6 })).not.toContain('MASQUERADE');
  });

  test('published ports: one DNAT rule each, per family, sorted; hairpin and loopback SNAT', async () => {
    const empty = readExisting('');
    const v4 = iptablesRuleset({ networks: [red, inner], ports, existing: empty, family: 4 });
    const v6 = iptablesRuleset({ networks: [red, inner], ports: [...ports].reverse(), existing: empty, family: 6 });
    await expect(`${v4}---\n${v6}`).toMatchFileSnapshot('./__snapshots__/bridge-ports.iptables');
    expect(v4).toContain('-A BERTH-DNAT -d 127.0.0.1/32 -p tcp -m tcp --dport 9090 -j DNAT --to-destination 10.1.0.2:80');
    expect(v4).not.toContain('fd00:1::2');
    expect(v6).toContain('-A BERTH-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:1::2]:80');
    expect(v6).not.toContain('127.0.0.0/8');
    // The same ports in another order give the same text (a restart restores them in any order).
    expect(iptablesRuleset({ networks: [red, inner], ports: [...ports].reverse(), existing: empty, family: 4 })).toBe(v4);
    expect(v4).not.toContain('-o br-bbbbbbbbbbbb -m conntrack --ctstate DNAT');
  });
});
