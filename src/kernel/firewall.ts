import type { Netns } from './netns.js';

/**
 * Firewall state is kept in berth's own tables/chains only; a backend never flushes or rewrites
 * anything it does not own. Rule text is backend-specific and built by pure functions above this
 * layer (drivers); the backend applies it atomically and reads berth's own state back.
 */
export type FirewallBackendName = 'nftables' | 'iptables' | 'none';

/** One atomic change: nft script text (for nftables) or iptables-restore input per family. */
export type FirewallBatch =
  | { readonly backend: 'nftables'; readonly script: string }
  | { readonly backend: 'iptables'; readonly ipv4?: string; readonly ipv6?: string };

export interface FirewallBackend {
  readonly name: FirewallBackendName;
  /** How changes reach the kernel: 'libnftables' (in-process), 'nft-exec', 'iptables-restore'. */
  readonly transport: string;
  /** Applies one batch atomically inside `netns`: all of it or nothing (FIREWALL_FAILURE). */
  apply(netns: Netns, batch: FirewallBatch): Promise<void>;
  /** berth's own state in `netns` as text (nft ruleset of berth tables / iptables-save of BERTH chains). */
  listOwn(netns: Netns): Promise<string>;
  /** Removes every table/chain berth owns in `netns` (found by owner marker); idempotent. */
  removeOwn(netns: Netns): Promise<void>;
  /**
   * Deletes conntrack entries of `protocol` to destination `port` in `netns`: a UDP flow seen before a
   * port was published would otherwise keep bypassing the new DNAT mapping. Fine when there are none.
   */
  flushConntrack(netns: Netns, flow: { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly port: number }): Promise<void>;
  /** Releases in-process resources (libnftables contexts). */
  close(): void;
}
