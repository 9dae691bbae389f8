/**
 * iptables nat rules of published ports, for `--firewall iptables`: one DNAT rule per mapping in
 * chain BERTH-DNAT, which PREROUTING and OUTPUT jump to for local destinations. iptables has no
 * maps, so a packet walks the chain (O(n) in published ports) and every change rewrites it: fine
 * for iptables' users; nftables (the default) uses O(1) maps instead (nft-ruleset.ts).
 */
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import { portFamily } from './published-port.js';

/** A stable order (and identity) for port rules, so a rewrite after a restart is the same text. */
export function portKey(port: PublishedPort): string {
  return `${portFamily(port)}/${port.protocol}/${port.hostIp ?? '*'}/${port.hostPort}`;
}

function destination(port: PublishedPort): string {
  return portFamily(port) === 6 ? `[${port.containerIp}]:${port.containerPort}` : `${port.containerIp}:${port.containerPort}`;
}

/** The DNAT rules of one family's published ports, sorted. */
export function dnatRules(ports: readonly PublishedPort[], family: 4 | 6): string[] {
  const hostMask = family === 6 ? 128 : 32;
  return ports
    .filter((port) => portFamily(port) === family)
    .sort((a, b) => portKey(a).localeCompare(portKey(b)))
    .map((port) => [
      '-A BERTH-DNAT',
      ...(port.hostIp === undefined ? [] : [`-d ${port.hostIp}/${hostMask}`]),
      `-p ${port.protocol} -m ${port.protocol} --dport ${port.hostPort}`,
      `-j DNAT --to-destination ${destination(port)}`,
    ].join(' '));
}

/**
 * Source NAT that published ports need, per family: a sandbox reaching a published port through a
 * host address (its own too: hairpin; or one on another network) must be answered through the
 * host, so its source becomes the bridge's address; and, for IPv4, 127.0.0.1 (route_localnet lets
 * it reach the bridge; the sandbox could not answer a loopback source). No `-o`: with
 * br_netfilter a bridged packet's output is the bridge port's bridge anyway, and the DNAT target
 * is always a sandbox.
 */
export function publishSnatRules(networks: readonly BridgeFirewallSpec[], family: 4 | 6): string[] {
  const hairpin = networks.flatMap((spec) =>
    spec.internal ? [] : (family === 4 ? spec.subnets4 : spec.subnets6).map((subnet) => `-A BERTH-POSTROUTING -s ${subnet} -m conntrack --ctstate DNAT -j MASQUERADE`),
  );
  return [...hairpin, ...(family === 4 ? ['-A BERTH-POSTROUTING -s 127.0.0.0/8 -m conntrack --ctstate DNAT -j MASQUERADE'] : [])];
}
