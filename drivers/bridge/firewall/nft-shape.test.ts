import { describe, expect, test } from 'vitest';
import { fullRuleset } from './nft-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import { listingShape, scriptShape, shapeDrift } from './nft-shape.js';

const front: BridgeFirewallSpec = {
  networkId: 'a'.repeat(64), bridgeName: 'br-aaaaaaaaaaaa', enableIcc: true, enableIpMasquerade: true, internal: false, subnets4: ['10.1.0.0/24'], subnets6: ['fd00:1::/64'],
};
const back: BridgeFirewallSpec = { ...front, networkId: 'b'.repeat(64), bridgeName: 'br,odd', internal: true, subnets4: ['10.2.0.0/24'], subnets6: [] };
const port: PublishedPort = { hostIp: undefined, protocol: 'tcp', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 };

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
\t\tiifname @bridges oifname @bridges ct status dnat masquerade
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

const desired = scriptShape(fullRuleset({ networks: [front, back], ports: [port] }));

describe('nft shape: what berth wants against what the kernel lists', () => {
  test('the full ruleset and its listing have the same shape (admins\' rules in chain user are not judged)', () => {
    expect(desired.sets.get('bridges')).toBe(2);
    expect(desired.sets.get('publish4-any')).toBe(1);
    expect(desired.chains.get('forward')).toBe(4);
    expect(desired.chains.get('in-bbbbbbbbbbbb')).toBe(2);
    expect(shapeDrift({ desired, listed: listingShape(LISTING) })).toEqual([]);
  });

  test('a flushed ruleset, a deleted element and a flushed chain are drift', () => {
    expect(shapeDrift({ desired, listed: listingShape('table ip other {\n}\n') })).toEqual(['table inet berth is missing']);
    const noPort = LISTING.replace('\t\telements = { tcp . 8080 : 10.1.0.2 . 80 }\n', '');
    expect(shapeDrift({ desired, listed: listingShape(noPort) })).toEqual(['set publish4-any has 0 elements, not 1']);
    const flushed = LISTING.replace(/\t\tct state established,related accept\n\t\tct status dnat accept comment "PUBLISHED PORTS"\n\t\tdrop comment "DROP DIRECT ACCESS"\n/, '');
    expect(shapeDrift({ desired, listed: listingShape(flushed) })).toEqual(['chain out-aaaaaaaaaaaa has 0 rules, not 3']);
  });

  test('an extra rule in a berth chain (a rewrite) is drift; removing elements in the script counts', () => {
    const rewritten = LISTING.replace('\t\tct state invalid drop\n', '\t\tct state invalid drop\n\t\taccept\n');
    expect(shapeDrift({ desired, listed: listingShape(rewritten) })).toEqual(['chain forward has 5 rules, not 4']);
    const shape = scriptShape('add map inet berth m { type inet_service : inet_service; }\nadd element inet berth m { 1 : 2, 3 : 4 }\ndelete element inet berth m { 1 }\n');
    expect(shape.sets.get('m')).toBe(1);
  });
});
