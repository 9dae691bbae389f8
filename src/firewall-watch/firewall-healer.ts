import type { Logger } from '../controller/index.js';

/** What the healer checks and restores: berth's own firewall state (BridgeFirewall). */
export interface HealTarget {
  /** What drifted from what berth applied; empty when intact. */
  check(): Promise<readonly string[]>;
  /** Writes berth's whole desired state again, touching nothing else. */
  reapply(): Promise<void>;
}

/** What the healer has done so far (for logs now, a metric later). */
export interface HealCounters {
  readonly checks: number;
  readonly heals: number;
  readonly failures: number;
}

/**
 * Keeps berth's firewall rules in place when another program flushes or rewrites them
 * (`nft flush ruleset`, `iptables -F`, a firewalld reload): a check runs shortly after a
 * suspect nf_tables transaction (`notify`) and every `intervalMs` as a backstop (iptables-legacy
 * sends no notifications, and notifications can be lost); when the check finds drift, the whole
 * desired state is applied again (moby's ReapplyNetworkLevelRules, on its own instead of on a
 * firewalld D-Bus signal). Checks never overlap; a notification during a check runs one more.
 */
export class FirewallHealer {
  readonly #target: HealTarget;
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #debounceMs: number;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again: string | undefined;
  #stopped = false;
  #checks = 0;
  #heals = 0;
  #failures = 0;

  constructor(init: { readonly target: HealTarget; readonly log: Logger; readonly intervalMs: number; readonly debounceMs?: number }) {
    this.#target = init.target;
    this.#log = init.log;
    this.#intervalMs = init.intervalMs;
    this.#debounceMs = init.debounceMs ?? 50;
  }

  /** Counts of checks, restores and failed attempts since start. */
  get counters(): HealCounters {
    return { checks: this.#checks, heals: this.#heals, failures: this.#failures };
  }

  /** Starts the periodic check. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => this.notify('periodic check'), this.#intervalMs);
    this.#timer.unref();
  }

  /** Asks for a check soon (coalescing bursts of notifications into one). */
  notify(reason: string): void {
    if (this.#stopped || this.#soon !== undefined) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      void this.checkNow(reason);
    }, this.#debounceMs);
    this.#soon.unref();
  }

  /** Checks now (after a running check, if any), restoring on drift; never throws. */
  checkNow(reason: string): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = reason;
      return this.#running;
    }
    const run = this.#run(reason).finally(() => {
      this.#running = undefined;
      const again = this.#again;
      this.#again = undefined;
      if (again !== undefined && !this.#stopped) void this.checkNow(again);
    });
    this.#running = run;
    return run;
  }

  async #run(reason: string): Promise<void> {
    this.#checks += 1;
    try {
      const drift = await this.#target.check();
      if (drift.length === 0) return;
      const started = Date.now();
      await this.#target.reapply();
      this.#heals += 1;
      this.#log.warn({ reason, drift, heals: this.#heals, ms: Date.now() - started }, 'firewall rules changed by another program: restored berth\'s rules');
    } catch (error) {
      this.#failures += 1;
      this.#log.error({ reason, error: error instanceof Error ? error.message : String(error) }, 'firewall self-heal failed; retrying at the next check');
    }
  }

  /** Stops the timers; a running check finishes. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#soon !== undefined) clearTimeout(this.#soon);
  }
}
