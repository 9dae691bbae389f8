import { BerthError } from '../../src/errors/index.js';

/** Who holds a parent interface. */
export interface ParentHolder {
  readonly networkId: string;
  readonly networkName: string;
  readonly driver: string;
}

/**
 * Which berth network uses which parent interface, shared by the macvlan and ipvlan drivers:
 * a parent serves one network at a time (Docker refuses a second macvlan network on a parent,
 * and the kernel cannot mix macvlan and ipvlan children on one device). Kept in memory and
 * rebuilt from the store at start (restoreNetwork) and on every create, so the pure plan step
 * can check it without touching the kernel.
 */
export class ParentRegistry {
  readonly #holders = new Map<string, ParentHolder>();

  /** PARENT_IN_USE when another network holds `parent`. */
  check(parent: string, networkId: string): void {
    const holder = this.#holders.get(parent);
    if (holder === undefined || holder.networkId === networkId) return;
    throw new BerthError('PARENT_IN_USE', `parent interface ${parent} is already used by ${holder.driver} network ${holder.networkName} (${holder.networkId.slice(0, 12)}); a parent serves one network at a time (use a VLAN sub-interface such as ${parent}.10 for another network)`, { object: parent });
  }

  claim(parent: string, holder: ParentHolder): void {
    this.check(parent, holder.networkId);
    this.#holders.set(parent, holder);
  }

  /** Forgets whatever `networkId` held; idempotent. */
  release(networkId: string): void {
    for (const [parent, holder] of this.#holders) if (holder.networkId === networkId) this.#holders.delete(parent);
  }
}
