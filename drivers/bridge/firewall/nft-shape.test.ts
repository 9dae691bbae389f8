import { describe, expect, test } from 'vitest';
import { fullRuleset } from './nft-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import type { EndpointGuard } from './nft-spoof.js';
import { listingShape, scriptShape, shapeDrift } from './nft-shape.js';

const front: BridgeFirewallSpec = {
  networkId: 'a'.repeat(64), bridgeName: 'br-aaaaaaaaaaaa', enableIcc: true, enableIpMasquerade: true, internal: false, subnets4: ['10.1.0.0/24'], subnets6: ['fd00:1::/64'],
};
const back: BridgeFirewallSpec = { ...front, networkId: 'b'.repeat(64), bridgeName: 'br,odd', internal: true, subnets4: ['10.2.0.0/24'], subnets6: [] };
const port: PublishedPort = { hostIp: undefined, protocol: 'tcp', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 };
const guard: EndpointGuard = { hostVeth: 'vethaaaaaaa', macAddress: '02:42:0a:01:00:02', ipv4: '10.1.0.2', ipv6: 'fd00:1::2' };

/** What `nft list table inet berth` prints for fullRuleset({ networks: [front, back], ports: [port] }) (nft 1.0.6). */
const LISTING = `table inet berth {
\tcomment "berth"
\tset bridges {
\t\ttype ifname
\t\telements = { "br-aaaaaaaaaaaa",
\t\t\t     "br,odd" }
\t}

\tset masq4 {
\t\ttype ipv4_addr
\t\tflags interval
\t\telements = { 10.1.0.0/24 }
\t}

\tset masq6 {
\t\ttype ipv6_addr
\t\tflags interval
\t\telements = { fd00:1::/64 }
\t}

\tset subnets4 {
\t\ttype ipv4_addr
\t\tflags interval
\t\telements = { 10.1.0.0/24, 10.2.0.0/24 }
\t}

\tset subnets6 {
\t\ttype ipv6_addr
\t\tflags interval
\t\telements = { fd00:1::/64 }
\t}

\tmap fwd-in {
\t\ttype ifname : verdict
\t\telements = { "br-aaaaaaaaaaaa" : jump in-aaaaaaaaaaaa, "br,odd" : jump in-bbbbbbbbbbbb }
\t}

\tmap fwd-out {
\t\ttype ifname : verdict
\t\telements = { "br-aaaaaaaaaaaa" : jump out-aaaaaaaaaaaa, "br,odd" : jump out-bbbbbbbbbbbb }
\t}

\tmap publish4 {
\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
\t}

\tmap publish4-any {
\t\ttype inet_proto . inet_service : ipv4_addr . inet_service
\t\telements = { tcp . 8080 : 10.1.0.2 . 80 }
\t}

\tmap publish6 {
\t\ttype ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
\t}

\tmap publish6-any {
\t\ttype inet_proto . inet_service : ipv6_addr . inet_service
\t}

\tchain user {
\t\tip saddr 192.0.2.1 drop
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tjump user comment "BERTH-USER: admins' rules, evaluated first"
\t\tct state invalid drop
\t\tiifname vmap @fwd-in
\t\toifname vmap @fwd-out
\t}

\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr @masq4 oifname != @bridges masquerade
\t\tip6 saddr @masq6 oifname != @bridges masquerade
\t\tip saddr 127.0.0.0/8 ct status dnat masquerade
\t\tip saddr @subnets4 ct status dnat masquerade
\t\tip6 saddr @subnets6 ct status dnat masquerade
\t}
${['prerouting', 'output'].map((hook) => `
\tchain ${hook} {
\t\ttype nat hook ${hook} priority dstnat; policy accept;
\t\tfib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @publish4
\t\tmeta nfproto ipv4 fib daddr type local dnat ip to meta l4proto . th dport map @publish4-any
\t\tfib daddr type local dnat ip6 to ip6 daddr . meta l4proto . th dport map @publish6
\t\tmeta nfproto ipv6 fib daddr type local dnat ip6 to meta l4proto . th dport map @publish6-any
\t}
`).join('')}
\tchain in-aaaaaaaaaaaa {
\t\tct status dnat accept comment "PUBLISHED PORTS"
\t\toifname "br-aaaaaaaaaaaa" accept comment "ICC"
\t\toifname @bridges drop comment "ISOLATION"
\t\taccept
\t}

\tchain out-aaaaaaaaaaaa {
\t\tct state established,related accept
\t\tct status dnat accept comment "PUBLISHED PORTS"
\t\tdrop comment "DROP DIRECT ACCESS"
\t}

\tchain in-bbbbbbbbbbbb {
\t\toifname "br,odd" accept comment "ICC"
\t\tdrop comment "INTERNAL"
\t}

\tchain out-bbbbbbbbbbbb {
\t\tct state established,related accept
\t\tdrop comment "DROP DIRECT ACCESS"
\t}
}
`;

/** What `nft list table bridge berth` prints for the same ruleset with guards: [guard] (nft 1.0.6). */
const BRIDGE_LISTING = `table bridge berth {
\tcomment "berth"
\tset guarded {
\t\ttype ifname
\t\telements = { "vethaaaaaaa" }
\t}

\tset guard-mac {
\t\ttype ifname . ether_addr
\t\telements = { "vethaaaaaaa" . 02:42:0a:01:00:02 }
\t}

\tset guard-ip4 {
\t\ttype ifname . ipv4_addr
\t\telements = { "vethaaaaaaa" . 10.1.0.2 }
\t}

\tset guard-ip6 {
\t\ttype ifname . ipv6_addr
\t\telements = { "vethaaaaaaa" . fd00:1::2 }
\t}

\tchain spoof-check {
\t\tiifname . ether saddr != @guard-mac drop comment "MAC SPOOF"
\t\tiifname . arp saddr ether != @guard-mac drop comment "ARP MAC SPOOF"
\t\tarp saddr ip 0.0.0.0 accept comment "ARP PROBE"
\t\tiifname . arp saddr ip != @guard-ip4 drop comment "ARP IP SPOOF"
\t\tiifname . ip saddr != @guard-ip4 drop comment "IPV4 SPOOF"
\t\tip6 saddr fe80::/10 accept comment "IPV6 LINK-LOCAL"
\t\tip6 saddr :: meta l4proto ipv6-icmp accept comment "IPV6 DAD"
\t\tiifname . ip6 saddr != @guard-ip6 drop comment "IPV6 SPOOF"
\t\tether type != { ip, arp, ip6 } drop comment "OTHER PROTOCOLS"
\t}

\tchain prerouting {
\t\ttype filter hook prerouting priority dstnat; policy accept;
\t\tiifname @guarded jump spoof-check
\t}
}
`;

const desired = scriptShape(fullRuleset({ networks: [front, back], ports: [port], guards: [guard] }));

describe('nft shape: what berth wants against what the kernel lists', () => {
  test('the full ruleset and its listing have the same shape (admins\' rules in chain user are not judged)', () => {
    expect(desired.sets.get('bridges')).toBe(2);
    expect(desired.sets.get('publish4-any')).toBe(1);
    expect(desired.chains.get('forward')).toBe(4);
    expect(desired.chains.get('in-bbbbbbbbbbbb')).toBe(2);
    expect(desired.sets.get('bridge/guard-ip6')).toBe(1);
    expect(desired.chains.get('bridge/spoof-check')).toBe(9);
    expect(shapeDrift({ desired, listed: listingShape(LISTING + BRIDGE_LISTING) })).toEqual([]);
  });

  test('the anti-spoofing table deleted, a guard element deleted or its chain flushed are drift', () => {
    expect(shapeDrift({ desired, listed: listingShape(LISTING) })).toEqual([
      'chain bridge/spoof-check is missing', 'chain bridge/prerouting is missing',
      'set bridge/guarded is missing', 'set bridge/guard-mac is missing', 'set bridge/guard-ip4 is missing', 'set bridge/guard-ip6 is missing',
    ]);
    const noGuard = BRIDGE_LISTING.replace('\t\telements = { "vethaaaaaaa" . 02:42:0a:01:00:02 }\n', '');
    expect(shapeDrift({ desired, listed: listingShape(LISTING + noGuard) })).toEqual(['set bridge/guard-mac has 0 elements, not 1']);
    const flushed = BRIDGE_LISTING.replace('\t\tiifname @guarded jump spoof-check\n', '');
    expect(shapeDrift({ desired, listed: listingShape(LISTING + flushed) })).toEqual(['chain bridge/prerouting has 0 rules, not 1']);
  });

  test('a flushed ruleset, a deleted element and a flushed chain are drift', () => {
    expect(shapeDrift({ desired, listed: listingShape('table ip other {\n}\n') })).toEqual(['table inet berth is missing']);
    const noPort = LISTING.replace('\t\telements = { tcp . 8080 : 10.1.0.2 . 80 }\n', '');
    expect(shapeDrift({ desired, listed: listingShape(noPort + BRIDGE_LISTING) })).toEqual(['set publish4-any has 0 elements, not 1']);
    const flushed = LISTING.replace(/\t\tct state established,related accept\n\t\tct status dnat accept comment "PUBLISHED PORTS"\n\t\tdrop comment "DROP DIRECT ACCESS"\n/, '');
    expect(shapeDrift({ desired, listed: listingShape(flushed + BRIDGE_LISTING) })).toEqual(['chain out-aaaaaaaaaaaa has 0 rules, not 3']);
  });

  test('an extra rule in a berth chain (a rewrite) is drift; removing elements in the script counts', () => {
    const rewritten = LISTING.replace('\t\tct state invalid drop\n', '\t\tct state invalid drop\n\t\taccept\n');
    expect(shapeDrift({ desired, listed: listingShape(rewritten + BRIDGE_LISTING) })).toEqual(['chain forward has 5 rules, not 4']);
    const shape = scriptShape('add map inet berth m { type inet_service : inet_service; }\nadd element inet berth m { 1 : 2, 3 : 4 }\ndelete element inet berth m { 1 }\n');
    expect(shape.sets.get('m')).toBe(1);
  });
});
