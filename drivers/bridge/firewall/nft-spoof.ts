/**
 * Anti-spoofing for bridge endpoints (Docker has none): a sandbox may only send frames with its
 * own MAC and its own IPv4/IPv6 source addresses (ARP included), so it cannot pose as another
 * sandbox on its bridge, nor towards the host and beyond.
 *
 * Traffic between two sandboxes of one bridge is bridged, never routed, so the `inet` hooks
 * see it only with br_netfilter (which berth does not load: it would send every bridged frame of
 * every bridge on the host through iptables/nft's inet hooks). A table in the `bridge` family
 * sees every frame entering the bridge from a port, bridged or bound for the host, without
 * br_netfilter; `iifname` there is the port, the endpoint's host veth.
 *
 *   prerouting (bridge, hook prerouting):  iifname @guarded jump spoof-check
 *   spoof-check: the frame's (veth . source MAC), (veth . ARP sender MAC/IP), (veth . IPv4
 *     source) and (veth . IPv6 source) must be elements of guard-mac / guard-ip4 / guard-ip6;
 *     IPv6 link-local sources (ND, RA/RS) and the unspecified address with ICMPv6 (DAD) pass;
 *     other ether types are dropped.
 *
 * Sets keyed by veth name keep a connect or disconnect at a few element changes, whatever the
 * number of endpoints. Ports not in @guarded (other programs' bridges, endpoints made before
 * berth stored their addresses) are left alone.
 */

export const NFT_SPOOF_TABLE = 'bridge berth';

/** What an endpoint may send as: its host veth, its MAC and its addresses (without prefix length). */
export interface EndpointGuard {
  readonly hostVeth: string;
  readonly macAddress: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

/** The bridge-family table, its sets and chains, with the chains' rules (re)written. */
export function spoofBaseRuleset(): string {
  const t = NFT_SPOOF_TABLE;
  const check = (rule: string): string => `add rule ${t} spoof-check ${rule}`;
  return [
    `add table ${t} { comment "berth"; }`,
    `add set ${t} guarded { type ifname; }`,
    `add set ${t} guard-mac { type ifname . ether_addr; }`,
    `add set ${t} guard-ip4 { type ifname . ipv4_addr; }`,
    `add set ${t} guard-ip6 { type ifname . ipv6_addr; }`,
    `add chain ${t} spoof-check`,
    `flush chain ${t} spoof-check`,
    check('iifname . ether saddr != @guard-mac drop comment "MAC SPOOF"'),
    check('ether type arp iifname . arp saddr ether != @guard-mac drop comment "ARP MAC SPOOF"'),
    check('ether type arp arp saddr ip 0.0.0.0 accept comment "ARP PROBE"'),
    check('ether type arp iifname . arp saddr ip != @guard-ip4 drop comment "ARP IP SPOOF"'),
    check('ether type ip iifname . ip saddr != @guard-ip4 drop comment "IPV4 SPOOF"'),
    check('ether type ip6 ip6 saddr fe80::/10 accept comment "IPV6 LINK-LOCAL"'),
    check('ether type ip6 ip6 saddr :: meta l4proto ipv6-icmp accept comment "IPV6 DAD"'),
    check('ether type ip6 iifname . ip6 saddr != @guard-ip6 drop comment "IPV6 SPOOF"'),
    check('ether type != { ip, ip6, arp } drop comment "OTHER PROTOCOLS"'),
    `add chain ${t} prerouting { type filter hook prerouting priority -300; policy accept; }`,
    `flush chain ${t} prerouting`,
    `add rule ${t} prerouting iifname @guarded jump spoof-check`,
    '',
  ].join('\n');
}

/** The set elements of one endpoint. */
function guardElements(guard: EndpointGuard): { readonly set: string; readonly element: string }[] {
  const veth = JSON.stringify(guard.hostVeth);
  return [
    { set: 'guard-mac', element: `${veth} . ${guard.macAddress}` },
    ...(guard.ipv4 === undefined ? [] : [{ set: 'guard-ip4', element: `${veth} . ${guard.ipv4}` }]),
    ...(guard.ipv6 === undefined ? [] : [{ set: 'guard-ip6', element: `${veth} . ${guard.ipv6}` }]),
    // Last: the port is checked only once its allowed addresses are in (one transaction anyway).
    { set: 'guarded', element: veth },
  ];
}

/** Adds (or re-asserts) endpoints' guards. */
export function addGuardRules(guards: readonly EndpointGuard[]): string {
  return guards.flatMap(guardElements).map(({ set, element }) => `add element ${NFT_SPOOF_TABLE} ${set} { ${element} }\n`).join('');
}

/** Removes endpoints' guards; idempotent (add, then delete, in one transaction). */
export function removeGuardRules(guards: readonly EndpointGuard[]): string {
  return guards.flatMap(guardElements).map(({ set, element }) => `add element ${NFT_SPOOF_TABLE} ${set} { ${element} }\ndelete element ${NFT_SPOOF_TABLE} ${set} { ${element} }\n`).join('');
}

/** The sets a full restore empties before filling them again. */
export const SPOOF_SETS = ['guarded', 'guard-mac', 'guard-ip4', 'guard-ip6'] as const;
