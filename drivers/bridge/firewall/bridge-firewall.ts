import type { FirewallBackend, Netns } from '../../../src/kernel/index.js';
import { addNetworkRules, addPortRules, baseRuleset, removeNetworkRules, removePortRules } from './nft-ruleset.js';
import type { PublishedPort } from './nft-ruleset.js';
import { BerthError } from '../../../src/errors/index.js';
import { iptablesRuleset, readExisting } from './iptables-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';

/**
 * Applies bridge networks' rules through the configured backend, each change as one atomic
 * batch that also re-asserts the base table (so a flushed ruleset heals on the next change).
 */
export class BridgeFirewall {
  readonly #backend: FirewallBackend;
  readonly #netns: Netns;
  /** Every network's spec: iptables rules are rebuilt whole from them on each change. */
  readonly #networks = new Map<string, BridgeFirewallSpec>();

  constructor(init: { readonly backend: FirewallBackend; readonly netns: Netns }) {
    this.#backend = init.backend;
    this.#netns = init.netns;
  }

  async #apply(change: { readonly nft: string; readonly update: (networks: Map<string, BridgeFirewallSpec>) => void }): Promise<void> {
    const next = new Map(this.#networks);
    change.update(next);
    switch (this.#backend.name) {
      case 'none':
        break;
      case 'nftables':
        await this.#backend.apply(this.#netns, { backend: 'nftables', script: `${baseRuleset()}${change.nft}` });
        break;
      case 'iptables': {
        const own = await this.#backend.listOwn(this.#netns);
        const [ipv4Save = '', ipv6Save = ''] = splitFamilies(own);
        const networks = [...next.values()];
        await this.#backend.apply(this.#netns, {
          backend: 'iptables',
          ipv4: iptablesRuleset({ networks, existing: readExisting(ipv4Save), family: 4 }),
          ipv6: iptablesRuleset({ networks, existing: readExisting(ipv6Save), family: 6 }),
        });
        break;
      }
    }
    this.#networks.clear();
    for (const [id, spec] of next) this.#networks.set(id, spec);
  }

  /** Adds (or re-asserts) a network's rules. */
  addNetwork(spec: BridgeFirewallSpec): Promise<void> {
    return this.#apply({ nft: addNetworkRules(spec), update: (networks) => networks.set(spec.networkId, spec) });
  }

  /** Adds port mappings (nftables only, for now). */
  async addPorts(ports: readonly PublishedPort[]): Promise<void> {
    await this.#applyPorts(addPortRules(ports));
  }

  /** Forgets conntrack flows to a newly published UDP port, so they take the new mapping. */
  async flushFlows(protocol: 'tcp' | 'udp' | 'sctp', port: number): Promise<void> {
    await this.#backend.flushConntrack(this.#netns, { protocol, port });
  }

  /** Removes port mappings; idempotent. */
  async removePorts(ports: readonly PublishedPort[]): Promise<void> {
    await this.#applyPorts(removePortRules(ports));
  }

  async #applyPorts(script: string): Promise<void> {
    if (this.#backend.name === 'none' || script === '') return;
    if (this.#backend.name === 'iptables') {
      throw new BerthError('NOT_IMPLEMENTED', 'port publishing with --firewall iptables is not supported yet: use nftables (the default)', { object: 'ports' });
    }
    await this.#backend.apply(this.#netns, { backend: 'nftables', script: `${baseRuleset()}${script}` });
  }

  /** Removes a network's rules; idempotent. */
  removeNetwork(spec: BridgeFirewallSpec): Promise<void> {
    return this.#apply({ nft: removeNetworkRules(spec), update: (networks) => networks.delete(spec.networkId) });
  }
}

/** Splits IptablesFirewall.listOwn output ("# ipv4\n...# ipv6\n...") into the two families' text. */
function splitFamilies(own: string): [string, string] {
  const ipv6At = own.indexOf('# ipv6\n');
  return ipv6At === -1 ? [own, ''] : [own.slice(0, ipv6At), own.slice(ipv6At)];
}
