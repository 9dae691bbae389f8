import { BerthError } from '../../../src/errors/index.js';
import type { FirewallBackend, Netns } from '../../../src/kernel/index.js';
import { addNetworkRules, baseRuleset, removeNetworkRules } from './nft-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';

/**
 * Applies bridge networks' rules through the configured backend, each change as one atomic
 * batch that also re-asserts the base table (so a flushed ruleset heals on the next change).
 */
export class BridgeFirewall {
  readonly #backend: FirewallBackend;
  readonly #netns: Netns;

  constructor(init: { readonly backend: FirewallBackend; readonly netns: Netns }) {
    this.#backend = init.backend;
    this.#netns = init.netns;
  }

  async #apply(script: string): Promise<void> {
    switch (this.#backend.name) {
      case 'none':
        return;
      case 'nftables':
        await this.#backend.apply(this.#netns, { backend: 'nftables', script: `${baseRuleset()}${script}` });
        return;
      case 'iptables':
        throw new BerthError('KERNEL_UNSUPPORTED', 'bridge networks with --firewall iptables are not supported yet: use nftables (the default) or none', {
          operation: 'program bridge firewall',
        });
    }
  }

  /** Adds (or re-asserts) a network's rules. */
  addNetwork(spec: BridgeFirewallSpec): Promise<void> {
    return this.#apply(addNetworkRules(spec));
  }

  /** Removes a network's rules; idempotent. */
  removeNetwork(spec: BridgeFirewallSpec): Promise<void> {
    return this.#apply(removeNetworkRules(spec));
  }
}
