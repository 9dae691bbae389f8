import type { FirewallBackend, FirewallBackendName } from '../../firewall.js';
import { IptablesFirewall } from './iptables-firewall.js';
import { NftablesFirewall } from './nftables-firewall.js';
import { NoFirewall } from '../../no-firewall.js';
import type { NftTransportChoice } from './nftables-firewall.js';

export { NftablesFirewall } from './nftables-firewall.js';
export type { NftablesFirewallOptions, NftTransportChoice } from './nftables-firewall.js';
export { IptablesFirewall } from './iptables-firewall.js';
export { BERTH_OWNER_COMMENT, BERTH_TABLE_PREFIX } from './nft-ownership.js';
export { BERTH_CHAIN_PREFIX, BERTH_RULE_COMMENT } from './iptables-save-filter.js';

/** Options for createFirewall. */
export interface FirewallOptions {
  readonly backend: FirewallBackendName;
  /** Receives warnings, e.g. the fallback from libnftables to exec'ing nft. */
  readonly log?: (message: string) => void;
  /** nftables only: force a transport ('auto' unless set). */
  readonly nftTransport?: NftTransportChoice;
}

/** Builds the firewall backend the daemon was configured with. */
export function createFirewall(options: FirewallOptions): FirewallBackend {
  switch (options.backend) {
    case 'nftables':
      return new NftablesFirewall({
        ...(options.log === undefined ? {} : { log: options.log }),
        ...(options.nftTransport === undefined ? {} : { transport: options.nftTransport }),
      });
    case 'iptables':
      return new IptablesFirewall();
    case 'none':
      return new NoFirewall();
  }
}
