import type { FirewallBackend, Netns } from '../../../src/kernel/index.js';
import { addNetworkRules, addPortRules, baseRuleset, fullRuleset, removeNetworkRules, removePortRules } from './nft-ruleset.js';
import type { BridgeFirewallSpec } from './nft-ruleset.js';
import type { PublishedPort } from './published-port.js';
import { iptablesRuleset, readExisting } from './iptables-ruleset.js';
import { portKey } from './iptables-ports.js';
import { listingShape, scriptShape, shapeDrift } from './nft-shape.js';
import { addGuardRules, removeGuardRules, spoofBaseRuleset } from './nft-spoof.js';
import type { EndpointGuard } from './nft-spoof.js';

/** What a full restore (and iptables' every change) is rebuilt from: networks, published ports, endpoint guards by host veth. */
interface FirewallModel {
  readonly networks: Map<string, BridgeFirewallSpec>;
  readonly ports: Map<string, PublishedPort>;
  readonly guards: Map<string, EndpointGuard>;
}

const MODEL_PARTS = ['networks', 'ports', 'guards'] as const;

/**
 * Applies bridge networks' rules through the configured backend, each change as one atomic
 * batch that also re-asserts the base table (so a flushed ruleset heals on the next change).
 * nftables changes are deltas (map elements); iptables rules are rebuilt whole from the model.
 */
export class BridgeFirewall {
  readonly #backend: FirewallBackend;
  readonly #netns: Netns;
  readonly #model: FirewallModel = { networks: new Map(), ports: new Map(), guards: new Map() };
  /** Changes and checks run one at a time, so a check never sees half of berth's own change. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Something was applied: from then on, berth's rules are expected in the kernel. */
  #applied = false;
  /** iptables: berth's own rules as listed right after its last change (see `check`). */
  #iptablesBaseline: string | undefined;

  constructor(init: { readonly backend: FirewallBackend; readonly netns: Netns }) {
    this.#backend = init.backend;
    this.#netns = init.netns;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #apply(change: { readonly nft: string; readonly update: (model: FirewallModel) => void }): Promise<void> {
    return this.#serial(() => this.#applyNow(change));
  }

  async #applyNow(change: { readonly nft: string; readonly update: (model: FirewallModel) => void }): Promise<void> {
    const next: FirewallModel = { networks: new Map(this.#model.networks), ports: new Map(this.#model.ports), guards: new Map(this.#model.guards) };
    change.update(next);
    switch (this.#backend.name) {
      case 'none':
        break;
      case 'nftables':
        if (change.nft !== '') await this.#backend.apply(this.#netns, { backend: 'nftables', script: `${baseRuleset()}${spoofBaseRuleset()}${change.nft}` });
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
        // iptables has no cheap shape to compare with; its own listing is read on every change anyway.
        this.#iptablesBaseline = withoutUserRules(await this.#backend.listOwn(this.#netns));
        break;
      }
    }
    for (const part of MODEL_PARTS) {
      const target: Map<string, unknown> = this.#model[part];
      target.clear();
      for (const [id, value] of next[part]) target.set(id, value);
    }
    if (this.#backend.name !== 'none') this.#applied = true;
  }

  /**
   * Compares berth's rules in the kernel with what berth applied: nftables by shape (rules per
   * chain, elements per set, see nft-shape.ts), iptables by its listing after berth's last change.
   * Returns what drifted; empty when intact or when nothing was applied yet.
   */
  check(): Promise<readonly string[]> {
    return this.#serial(async () => {
      if (!this.#applied) return [];
      switch (this.#backend.name) {
        case 'none':
          return [];
        case 'nftables': {
          const desired = scriptShape(this.#fullRuleset());
          return shapeDrift({ desired, listed: listingShape(await this.#backend.listOwn(this.#netns)) });
        }
        case 'iptables': {
          const now = withoutUserRules(await this.#backend.listOwn(this.#netns));
          return now === this.#iptablesBaseline ? [] : ['BERTH chains differ from what berth last applied'];
        }
      }
    });
  }

  /**
   * Writes every rule, set element and port mapping berth wants again, in one transaction per
   * backend batch: the restore after someone else flushed or rewrote berth's rules. Leaves
   * everything not berth's alone (nftables: only table `inet berth`, whose `user` chain is kept;
   * iptables: only BERTH chains and the jumps to them).
   */
  reapply(): Promise<void> {
    return this.#serial(async () => {
      if (this.#backend.name === 'nftables') {
        const script = this.#fullRuleset();
        await this.#backend.apply(this.#netns, { backend: 'nftables', script });
      } else {
        await this.#applyNow({ nft: '', update: () => undefined });
      }
    });
  }

  #fullRuleset(): string {
    return fullRuleset({ networks: [...this.#model.networks.values()], ports: [...this.#model.ports.values()], guards: [...this.#model.guards.values()] });
  }

  /**
   * Lets an endpoint's host veth carry only its own MAC and addresses (nftables; see nft-spoof.ts).
   * iptables cannot see bridged frames without br_netfilter, so that backend keeps the model only.
   */
  addGuard(guard: EndpointGuard): Promise<void> {
    if (this.#backend.name !== 'nftables') return this.#serial(() => Promise.resolve(void this.#model.guards.set(guard.hostVeth, guard)));
    return this.#apply({ nft: addGuardRules([guard]), update: (model) => model.guards.set(guard.hostVeth, guard) });
  }

  /** Removes an endpoint's guard; idempotent. */
  removeGuard(guard: EndpointGuard): Promise<void> {
    if (this.#backend.name !== 'nftables') return this.#serial(() => Promise.resolve(void this.#model.guards.delete(guard.hostVeth)));
    return this.#apply({ nft: removeGuardRules([guard]), update: (model) => model.guards.delete(guard.hostVeth) });
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

/** iptables listing without the admins' BERTH-USER rules, which berth never judges. */
function withoutUserRules(own: string): string {
  return own.split('\n').filter((line) => !line.startsWith('-A BERTH-USER ')).join('\n');
}

/** Splits IptablesFirewall.listOwn output ("# ipv4\n...# ipv6\n...") into the two families' text. */
function splitFamilies(own: string): [string, string] {
  const ipv6At = own.indexOf('# ipv6\n');
  return ipv6At === -1 ? [own, ''] : [own.slice(0, ipv6At), own.slice(ipv6At)];
}
