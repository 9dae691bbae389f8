/**
 * nftables rules of bridge networks, as pure functions of their settings. Everything lives in
 * table `inet berth`. Per-network work is O(1) in the number of networks: the forward base
 * chain dispatches through verdict maps keyed by bridge name (as Docker 29's nftabler does),
 * and masquerading matches a set of subnets, so adding a network adds map/set elements and
 * two small chains, in one transaction.
 *
 *   forward (hook forward, priority filter):
 *     jump user                     ← admins' chain, created empty, never touched by berth
 *     ct state invalid drop
 *     iifname vmap @fwd-in          ← traffic leaving a network: icc / isolation / internal
 *     oifname vmap @fwd-out         ← traffic entering a network: replies and published ports only
 *   postrouting (hook postrouting, priority srcnat):
 *     ip saddr @masq4 oifname != @bridges masquerade   (and ip6 / @masq6)
 *     ip saddr @subnets4 ct status dnat masquerade     (a sandbox reaching a published port; and ip6)
 *
 * Published ports are public: a sandbox on any network but an internal one reaches them through
 * a host address, even its own (hairpin) and even across networks (as through Docker's default
 * userland proxy); the sandbox behind the port sees the bridge's address as the source.
 */
import type { PublishedPort } from './published-port.js';
import { portFamily } from './published-port.js';
import { SPOOF_SETS, NFT_SPOOF_TABLE, addGuardRules, spoofBaseRuleset } from './nft-spoof.js';
import type { EndpointGuard } from './nft-spoof.js';

export const NFT_TABLE = 'inet berth';

/** What the rules of one bridge network depend on. */
export interface BridgeFirewallSpec {
  readonly networkId: string;
  readonly bridgeName: string;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  readonly internal: boolean;
  readonly subnets4: readonly string[];
  readonly subnets6: readonly string[];
}

function quote(name: string): string {
  return JSON.stringify(name);
}

/** Chain names of a network: short, derived from its id. */
export function networkChains(networkId: string): { readonly inbound: string; readonly outbound: string } {
  const id = networkId.slice(0, 12);
  return { inbound: `in-${id}`, outbound: `out-${id}` };
}

/** Creates the table, sets, maps and base chains if missing, and (re)writes the base chains' rules. */
export function baseRuleset(): string {
  const t = NFT_TABLE;
  return [
    `add table ${t} { comment "berth"; }`,
    `add set ${t} bridges { type ifname; }`,
    `add set ${t} masq4 { type ipv4_addr; flags interval; }`,
    `add set ${t} masq6 { type ipv6_addr; flags interval; }`,
    // Every bridge network's subnets, masqueraded or not: where sandboxes' own traffic comes from.
    `add set ${t} subnets4 { type ipv4_addr; flags interval; }`,
    `add set ${t} subnets6 { type ipv6_addr; flags interval; }`,
    `add map ${t} fwd-in { type ifname : verdict; }`,
    `add map ${t} fwd-out { type ifname : verdict; }`,
    `add chain ${t} user`,
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${t} forward`,
    `add rule ${t} forward jump user comment "BERTH-USER: admins' rules, evaluated first"`,
    `add rule ${t} forward ct state invalid drop`,
    `add rule ${t} forward iifname vmap @fwd-in`,
    `add rule ${t} forward oifname vmap @fwd-out`,
    `add chain ${t} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `flush chain ${t} postrouting`,
    `add rule ${t} postrouting ip saddr @masq4 oifname != @bridges masquerade`,
    `add rule ${t} postrouting ip6 saddr @masq6 oifname != @bridges masquerade`,
    // Published ports reached from the host's loopback, or from a sandbox through a host address
    // (its own port too: hairpin): the sandbox behind the port must answer through the host, so the
    // source becomes the bridge address. Matched by source address, not input interface: with
    // br_netfilter a bridged packet has no input interface in postrouting.
    `add rule ${t} postrouting ip saddr 127.0.0.0/8 ct status dnat masquerade`,
    `add rule ${t} postrouting ip saddr @subnets4 ct status dnat masquerade`,
    `add rule ${t} postrouting ip6 saddr @subnets6 ct status dnat masquerade`,
    // Port publishing: one map element per published port, whatever their number (O(1) changes).
    // Each family has its own maps: the DNAT target's address family must match the packet's.
    `add map ${t} publish4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add map ${t} publish4-any { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add map ${t} publish6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }`,
    `add map ${t} publish6-any { type inet_proto . inet_service : ipv6_addr . inet_service; }`,
    ...['prerouting', 'output'].flatMap((hook) => [
      `add chain ${t} ${hook} { type nat hook ${hook} priority -100; policy accept; }`,
      `flush chain ${t} ${hook}`,
      `add rule ${t} ${hook} fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @publish4`,
      `add rule ${t} ${hook} meta nfproto ipv4 fib daddr type local dnat ip to meta l4proto . th dport map @publish4-any`,
      `add rule ${t} ${hook} fib daddr type local dnat ip6 to ip6 daddr . meta l4proto . th dport map @publish6`,
      `add rule ${t} ${hook} meta nfproto ipv6 fib daddr type local dnat ip6 to meta l4proto . th dport map @publish6-any`,
    ]),
    '',
  ].join('\n');
}

function portElement(port: PublishedPort): { map: string; element: string } {
  const target = `${port.containerIp} . ${port.containerPort}`;
  return port.hostIp === undefined
    ? { map: `publish${portFamily(port)}-any`, element: `${port.protocol} . ${port.hostPort} : ${target}` }
    : { map: `publish${portFamily(port)}`, element: `${port.hostIp} . ${port.protocol} . ${port.hostPort} : ${target}` };
}

/** Adds port mappings: one element each. */
export function addPortRules(ports: readonly PublishedPort[]): string {
  return ports.map((port) => {
    const { map, element } = portElement(port);
    return `add element ${NFT_TABLE} ${map} { ${element} }\n`;
  }).join('');
}

/** Removes port mappings; idempotent (add, then delete, in one transaction). */
export function removePortRules(ports: readonly PublishedPort[]): string {
  return ports.map((port) => {
    const { map, element } = portElement(port);
    const key = element.slice(0, element.indexOf(' : '));
    return `add element ${NFT_TABLE} ${map} { ${element} }\ndelete element ${NFT_TABLE} ${map} { ${key} }\n`;
  }).join('');
}

function masqueraded(spec: BridgeFirewallSpec): boolean {
  return spec.enableIpMasquerade && !spec.internal;
}

/** Adds (or rewrites) one network's chains and elements. Idempotent. */
export function addNetworkRules(spec: BridgeFirewallSpec): string {
  const t = NFT_TABLE;
  const bridge = quote(spec.bridgeName);
  const { inbound, outbound } = networkChains(spec.networkId);
  const lines = [
    `add chain ${t} ${inbound}`,
    `flush chain ${t} ${inbound}`,
    // Published ports are reached from every network but internal ones, whatever ICC says.
    ...(spec.internal ? [] : [`add rule ${t} ${inbound} ct status dnat accept comment "PUBLISHED PORTS"`]),
    `add rule ${t} ${inbound} oifname ${bridge} ${spec.enableIcc ? 'accept' : 'drop'} comment "ICC"`,
    ...(spec.internal
      ? [`add rule ${t} ${inbound} drop comment "INTERNAL"`]
      : [`add rule ${t} ${inbound} oifname @bridges drop comment "ISOLATION"`, `add rule ${t} ${inbound} accept`]),
    `add chain ${t} ${outbound}`,
    `flush chain ${t} ${outbound}`,
    `add rule ${t} ${outbound} ct state established,related accept`,
    ...(spec.internal ? [] : [`add rule ${t} ${outbound} ct status dnat accept comment "PUBLISHED PORTS"`]),
    `add rule ${t} ${outbound} drop comment "DROP DIRECT ACCESS"`,
    `add element ${t} bridges { ${bridge} }`,
    `add element ${t} fwd-in { ${bridge} : jump ${inbound} }`,
    `add element ${t} fwd-out { ${bridge} : jump ${outbound} }`,
  ];
  for (const subnet of spec.subnets4) lines.push(`add element ${t} subnets4 { ${subnet} }`);
  for (const subnet of spec.subnets6) lines.push(`add element ${t} subnets6 { ${subnet} }`);
  if (masqueraded(spec)) {
    for (const subnet of spec.subnets4) lines.push(`add element ${t} masq4 { ${subnet} }`);
    for (const subnet of spec.subnets6) lines.push(`add element ${t} masq6 { ${subnet} }`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Removes one network's chains and elements. Idempotent without `destroy` (nft < 1.0.8): each
 * element is added before it is deleted, and each chain flushed before it is deleted, in one
 * transaction, so a half-removed network is removed cleanly.
 */
export function removeNetworkRules(spec: BridgeFirewallSpec): string {
  const t = NFT_TABLE;
  const bridge = quote(spec.bridgeName);
  const { inbound, outbound } = networkChains(spec.networkId);
  const lines = [
    `add chain ${t} ${inbound}`,
    `add chain ${t} ${outbound}`,
    `add element ${t} fwd-in { ${bridge} : jump ${inbound} }`,
    `delete element ${t} fwd-in { ${bridge} }`,
    `add element ${t} fwd-out { ${bridge} : jump ${outbound} }`,
    `delete element ${t} fwd-out { ${bridge} }`,
    `add element ${t} bridges { ${bridge} }`,
    `delete element ${t} bridges { ${bridge} }`,
  ];
  for (const subnet of spec.subnets4) lines.push(`add element ${t} masq4 { ${subnet} }`, `delete element ${t} masq4 { ${subnet} }`);
  for (const subnet of spec.subnets6) lines.push(`add element ${t} masq6 { ${subnet} }`, `delete element ${t} masq6 { ${subnet} }`);
  for (const subnet of spec.subnets4) lines.push(`add element ${t} subnets4 { ${subnet} }`, `delete element ${t} subnets4 { ${subnet} }`);
  for (const subnet of spec.subnets6) lines.push(`add element ${t} subnets6 { ${subnet} }`, `delete element ${t} subnets6 { ${subnet} }`);
  for (const chain of [inbound, outbound]) lines.push(`flush chain ${t} ${chain}`, `delete chain ${t} ${chain}`);
  return `${lines.join('\n')}\n`;
}

/** Every set and map of the table, which a full restore empties before writing them again. */
const ELEMENT_SETS = [
  'set bridges', 'set masq4', 'set masq6', 'set subnets4', 'set subnets6', 'map fwd-in', 'map fwd-out', 'map publish4', 'map publish4-any', 'map publish6', 'map publish6-any',
] as const;

/**
 * The whole desired table in one transaction: base chains rewritten, every set and map emptied and
 * filled again from the networks, ports and endpoint guards given (the anti-spoofing table
 * `bridge berth` too, see nft-spoof.ts). Used after someone else changed berth's tables, so stray
 * elements go too; the admins' chain `user` is kept as it is.
 */
export function fullRuleset(init: { readonly networks: readonly BridgeFirewallSpec[]; readonly ports: readonly PublishedPort[]; readonly guards?: readonly EndpointGuard[] }): string {
  return [
    baseRuleset(),
    spoofBaseRuleset(),
    ...ELEMENT_SETS.map((set) => `flush ${set.replace(' ', ` ${NFT_TABLE} `)}\n`),
    ...SPOOF_SETS.map((set) => `flush set ${NFT_SPOOF_TABLE} ${set}\n`),
    ...init.networks.map((spec) => addNetworkRules(spec)),
    addPortRules(init.ports),
    addGuardRules(init.guards ?? []),
  ].join('');
}
