import type { FirewallBackend, Netns } from '../../../src/kernel/index.js';
import { addNetworkRules, addPortRules, baseRuleset, removeNetworkRules, removePortRules } from './nft-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import { iptablesRuleset, readExisting } from './iptables-ruleset.js';
import { portKey } from './iptables-ports.js';

/** What iptables rules are rebuilt from: every network and every published port. */
interface FirewallModel {
  readonly networks: Map<string, BridgeFirewallSpec>;
  readonly ports: Map<string, PublishedPort>;
}

/**
 * Applies bridge networks' rules through the configured backend, each change as one atomic
 * batch that also re-asserts the base table (so a flushed ruleset heals on the next change).
 * nftables changes are deltas (map elements); iptables rules are rebuilt whole from the model.
 */
export class BridgeFirewall {
  readonly #backend: FirewallBackend;
  readonly #netns: Netns;
  readonly #model: FirewallModel = { networks: new Map(), ports: new Map() };

  constructor(init: { readonly backend: FirewallBackend; readonly netns: Netns }) {
    this.#backend = init.backend;
    this.#netns = init.netns;
  }

  async #apply(change: { readonly nft: string; readonly update: (model: FirewallModel) => void }): Promise<void> {
    const next: FirewallModel = { networks: new Map(this.#model.networks), ports: new Map(this.#model.ports) };
    change.update(next);
    switch (this.#backend.name) {
      case 'none':
        break;
      case 'nftables':
        if (change.nft !== '') await this.#backend.apply(this.#netns, { backend: 'nftables', script: `${baseRuleset()}${change.nft}` });
        break;
      case 'iptables': {
        const own = await this.#backend.listOwn(this.#netns);
        const [ipv4Save = '', ipv6Save = ''] = splitFamilies(own);
        const networks = [...next.networks.values()];
        const ports = [...next.ports.values()];
        await this.#backend.apply(this.#netns, {
          backend: 'iptables',
          ipv4: iptablesRuleset({ networks, ports, existing: readExisting(ipv4Save), family: 4 }),
          ipv6: iptablesRuleset({ networks, ports, existing: readExisting(ipv6Save), family: 6 }),
        });
        break;
      }
    }
    for (const part of ['networks', 'ports'] as const) {
      const target: Map<string, unknown> = this.#model[part];
      target.clear();
      for (const [id, value] of next[part]) target.set(id, value);
    }
  }

  /** Adds (or re-asserts) a network's rules. */
  addNetwork(spec: BridgeFirewallSpec): Promise<void> {
    return this.#apply({ nft: addNetworkRules(spec), update: (model) => model.networks.set(spec.networkId, spec) });
  }

  /** Removes a network's rules; idempotent. */
  removeNetwork(spec: BridgeFirewallSpec): Promise<void> {
    return this.#apply({ nft: removeNetworkRules(spec), update: (model) => model.networks.delete(spec.networkId) });
  }

  /** Adds (or re-asserts) port mappings: nft map elements, or iptables DNAT rules. */
  addPorts(ports: readonly PublishedPort[]): Promise<void> {
    return this.#apply({ nft: addPortRules(ports), update: (model) => { for (const port of ports) model.ports.set(portKey(port), port); } });
  }

  /** Removes port mappings; idempotent. */
  removePorts(ports: readonly PublishedPort[]): Promise<void> {
    return this.#apply({ nft: removePortRules(ports), update: (model) => { for (const port of ports) model.ports.delete(portKey(port)); } });
  }

  /** Forgets conntrack flows to a newly published UDP port, so they take the new mapping. */
  async flushFlows(protocol: 'tcp' | 'udp' | 'sctp', port: number): Promise<void> {
    await this.#backend.flushConntrack(this.#netns, { protocol, port });
  }
}

/** Splits IptablesFirewall.listOwn output ("# ipv4\n...# ipv6\n...") into the two families' text. */
function splitFamilies(own: string): [string, string] {
  const ipv6At = own.indexOf('# ipv6\n');
  return ipv6At === -1 ? [own, ''] : [own.slice(0, ipv6At), own.slice(ipv6At)];
}
