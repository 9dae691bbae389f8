import type { Logger } from '../controller/index.js';
import { FirewallHealer, TransactionFilter } from '../firewall-watch/index.js';
import type { HealTarget } from '../firewall-watch/index.js';
import { monitorNftables } from '../kernel/linux/index.js';
import type { FirewallBackendName } from '../kernel/index.js';

/** Backstop checks: iptables-legacy sends no nf_tables notifications, so check it often. */
const INTERVAL_MS: Readonly<Record<Exclude<FirewallBackendName, 'none'>, number>> = { iptables: 5000, nftables: 30_000 };

/** The running watch: its counters, and `close` for shutdown. */
export interface FirewallHealing {
  readonly healer: FirewallHealer;
  close(): void;
}

/**
 * Watches berthd's own namespace for firewall changes by other programs and restores berth's
 * rules (docs/reliability.md): nf_tables notifications (a NETLINK_NETFILTER socket, as `nft
 * monitor` uses; iptables-nft changes arrive there too) plus a periodic check.
 */
export function startFirewallHealing(init: {
  readonly backend: FirewallBackendName;
  readonly target: HealTarget;
  readonly netnsPath: string;
  readonly log: Logger;
}): FirewallHealing | undefined {
  if (init.backend === 'none') return undefined;
  const healer = new FirewallHealer({ target: init.target, log: init.log, intervalMs: INTERVAL_MS[init.backend] });
  const filter = new TransactionFilter({ selfPid: process.pid });
  let monitor: { close(): void } | undefined;
  try {
    monitor = monitorNftables({
      netnsPath: init.netnsPath,
      onChange: (change) => { if (filter.feed(change)) healer.notify('nf_tables change by another program'); },
      onLost: (error) => {
        init.log.warn({ error: error.message }, 'nf_tables notifications lost; checking the firewall');
        healer.notify('lost notifications');
      },
    });
  } catch (error) {
    init.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'cannot watch nf_tables notifications; relying on the periodic firewall check');
  }
  healer.start();
  return { healer, close: () => { healer.stop(); monitor?.close(); } };
}
