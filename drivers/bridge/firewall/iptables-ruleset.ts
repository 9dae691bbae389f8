/**
 * iptables rules of bridge networks, for `--firewall iptables`: the same policy as the
 * nftables rules (nft-ruleset.ts), in BERTH* chains. iptables has no verdict maps, so
 * BERTH-FORWARD dispatches with one rule per bridge, and it is rewritten whole on every change
 * (one iptables-restore --noflush run per family, atomic per table). BERTH-USER is created once
 * and never flushed: admins' rules there are evaluated first.
 */
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import { dnatRules, publishSnatRules } from './iptables-ports.js';

/** What already exists in the kernel, read from iptables-save before building a change. */
export interface IptablesExisting {
  readonly forwardJump: boolean;
  readonly postroutingJump: boolean;
  /** PREROUTING and OUTPUT (nat) jump to BERTH-DNAT. */
  readonly preroutingJump: boolean;
  readonly outputJump: boolean;
  readonly userChain: boolean;
  /** BERTH-IN-* / BERTH-OUT-* chains present now. */
  readonly networkChains: readonly string[];
}

/** Reads the parts of `iptables-save` output (one family) that decide how to build the change. */
export function readExisting(save: string): IptablesExisting {
  const lines = save.split('\n');
  return {
    forwardJump: lines.some((line) => /^-A FORWARD .*-j BERTH-FORWARD\b/.test(line)),
    postroutingJump: lines.some((line) => /^-A POSTROUTING .*-j BERTH-POSTROUTING\b/.test(line)),
    preroutingJump: lines.some((line) => /^-A PREROUTING .*-j BERTH-DNAT\b/.test(line)),
    outputJump: lines.some((line) => /^-A OUTPUT .*-j BERTH-DNAT\b/.test(line)),
    userChain: lines.some((line) => line.startsWith(':BERTH-USER ')),
    networkChains: lines.flatMap((line) => /^:(BERTH-(?:IN|OUT)-[0-9a-f]+) /.exec(line)?.[1] ?? []),
  };
}

function chains(networkId: string): { readonly inbound: string; readonly outbound: string } {
  const id = networkId.slice(0, 12);
  return { inbound: `BERTH-IN-${id}`, outbound: `BERTH-OUT-${id}` };
}

function networkRules(spec: BridgeFirewallSpec): string[] {
  const { inbound, outbound } = chains(spec.networkId);
  const bridge = spec.bridgeName;
  return [
    // Published ports are reached from every network but internal ones, whatever ICC says (nft-ruleset.ts).
    ...(spec.internal ? [] : [`-A ${inbound} -m conntrack --ctstate DNAT -j ACCEPT`]),
    `-A ${inbound} -o ${bridge} -j ${spec.enableIcc ? 'ACCEPT' : 'DROP'}`,
    ...(spec.internal ? [`-A ${inbound} -j DROP`] : [`-A ${inbound} -j BERTH-ISOLATE`, `-A ${inbound} -j ACCEPT`]),
    `-A ${outbound} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    ...(spec.internal ? [] : [`-A ${outbound} -m conntrack --ctstate DNAT -j ACCEPT`]),
    `-A ${outbound} -j DROP`,
  ];
}

/** The iptables-restore input for one family, given every current network, published port and what exists. */
export function iptablesRuleset(init: { readonly networks: readonly BridgeFirewallSpec[]; readonly ports: readonly PublishedPort[]; readonly existing: IptablesExisting; readonly family: 4 | 6 }): string {
  const { networks, existing, family } = init;
  const wanted = new Set(networks.flatMap((spec) => Object.values(chains(spec.networkId))));
  const stale = existing.networkChains.filter((chain) => !wanted.has(chain));
  const filter = [
    '*filter',
    ':BERTH-FORWARD - [0:0]',
    ':BERTH-ISOLATE - [0:0]',
    ...(existing.userChain ? [] : [':BERTH-USER - [0:0]']),
    ...[...wanted, ...stale].map((chain) => `:${chain} - [0:0]`),
    ...(existing.forwardJump ? [] : ['-I FORWARD 1 -j BERTH-FORWARD']),
    '-A BERTH-FORWARD -j BERTH-USER',
    '-A BERTH-FORWARD -m conntrack --ctstate INVALID -j DROP',
    ...networks.map((spec) => `-A BERTH-FORWARD -i ${spec.bridgeName} -j ${chains(spec.networkId).inbound}`),
    ...networks.map((spec) => `-A BERTH-FORWARD -o ${spec.bridgeName} -j ${chains(spec.networkId).outbound}`),
    ...networks.map((spec) => `-A BERTH-ISOLATE -o ${spec.bridgeName} -j DROP`),
    ...networks.flatMap(networkRules),
    ...stale.map((chain) => `-X ${chain}`),
    'COMMIT',
  ];
  const masquerade = networks.flatMap((spec) =>
    spec.enableIpMasquerade && !spec.internal ? (family === 4 ? spec.subnets4 : spec.subnets6).map((subnet) => `-A BERTH-POSTROUTING -s ${subnet} ! -o ${spec.bridgeName} -j MASQUERADE`) : [],
  );
  const nat = [
    '*nat',
    ':BERTH-POSTROUTING - [0:0]',
    ':BERTH-DNAT - [0:0]',
    ...(existing.postroutingJump ? [] : ['-A POSTROUTING -j BERTH-POSTROUTING']),
    ...(existing.preroutingJump ? [] : ['-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-DNAT']),
    ...(existing.outputJump ? [] : ['-A OUTPUT -m addrtype --dst-type LOCAL -j BERTH-DNAT']),
    ...masquerade,
    ...publishSnatRules(networks, family),
    ...dnatRules(init.ports, family),
    'COMMIT',
  ];
  return `${[...filter, ...nat].join('\n')}\n`;
}
