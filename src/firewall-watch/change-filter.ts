import type { NftChange } from '../kernel/linux/index.js';

/**
 * Decides which nf_tables transactions may have touched berth's rules. Notifications come one
 * per object, then a generation message naming the process that committed the transaction; a
 * transaction is suspect when it deleted anything (a flush of the ruleset or of a table or
 * chain shows up as deletions, and iptables' own tables hold BERTH chains and the jumps to
 * them), or created anything in a berth table or BERTH chain (a rewrite). berth's own
 * in-process (libnftables) transactions carry berth's pid and are skipped.
 */
export class TransactionFilter {
  readonly #selfPid: number;
  #suspect = false;

  constructor(init: { readonly selfPid: number }) {
    this.#selfPid = init.selfPid;
  }

  /** Feeds one notification; true when it closed a suspect transaction made by another process. */
  feed(change: NftChange): boolean {
    if (change.object !== 'generation') {
      if (change.verb === 'del' || change.table?.startsWith('berth') === true || change.chain?.startsWith('BERTH') === true) this.#suspect = true;
      return false;
    }
    const suspect = this.#suspect;
    this.#suspect = false;
    return suspect && change.pid !== this.#selfPid;
  }
}
