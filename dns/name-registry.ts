import { Address4, Address6 } from 'ip-address';
import type { LocalAnswer, LocalNames, LocalRecord } from './dns-types.js';

/** What the resolver knows about one endpoint on a network with embedded DNS. */
export interface DnsEndpoint {
  readonly endpointId: string;
  readonly networkId: string;
  readonly networkName: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly aliases: readonly string[];
  /** Plain addresses, no prefix length. */
  readonly ipv4?: string;
  readonly ipv6?: string;
}

interface NetworkNames {
  /** Lower-case name → endpoints answering to it (several with a shared alias). */
  readonly byName: Map<string, Set<DnsEndpoint>>;
  /** Address → endpoint, for PTR. */
  readonly byAddress: Map<string, DnsEndpoint>;
}

/** The names an endpoint answers to on its network: Docker's name, aliases and short id, each also as `name.network`. */
function namesOf(endpoint: DnsEndpoint): Set<string> {
  const short = [endpoint.sandboxName, ...endpoint.aliases, endpoint.sandboxId.slice(0, 12)].map((name) => name.toLowerCase());
  const network = endpoint.networkName.toLowerCase();
  return new Set([...short, ...short.map((name) => `${name}.${network}`)]);
}

/** `4.3.2.1.in-addr.arpa` / nibble `ip6.arpa` → the address in canonical form, or undefined. */
export function addressOfPtrName(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((nibble) => /^[0-9a-f]$/.test(nibble))) return undefined;
    const hex = nibbles.reverse().join('');
    return canonicalIp(hex.match(/.{4}/g)?.join(':') ?? '');
  }
  return undefined;
}

function canonicalIp(ip: string): string | undefined {
  if (Address4.isValid(ip)) return new Address4(ip).correctForm();
  if (Address6.isValid(ip)) return new Address6(ip).correctForm();
  return undefined;
}

function shuffled<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

/**
 * All names the embedded DNS answers, indexed per network (aardvark-dns's backend idea: a pure
 * lookup structure; the asking sandbox decides which networks are visible). Updated one endpoint
 * at a time, so a connect or disconnect costs O(names of that endpoint), not O(all endpoints).
 */
export class NameRegistry {
  readonly #networks = new Map<string, NetworkNames>();
  readonly #endpoints = new Map<string, DnsEndpoint>();
  /** Sandbox id → ids of its networks with embedded DNS. */
  readonly #sandboxNetworks = new Map<string, Set<string>>();

  get size(): number {
    return this.#endpoints.size;
  }

  /** Adds or replaces an endpoint's names. */
  put(endpoint: DnsEndpoint): void {
    this.remove(endpoint.endpointId);
    this.#endpoints.set(endpoint.endpointId, endpoint);
    let network = this.#networks.get(endpoint.networkId);
    if (network === undefined) {
      network = { byName: new Map(), byAddress: new Map() };
      this.#networks.set(endpoint.networkId, network);
    }
    for (const name of namesOf(endpoint)) {
      let holders = network.byName.get(name);
      if (holders === undefined) {
        holders = new Set();
        network.byName.set(name, holders);
      }
      holders.add(endpoint);
    }
    for (const address of [endpoint.ipv4, endpoint.ipv6]) {
      const canonical = address === undefined ? undefined : canonicalIp(address);
      if (canonical !== undefined) network.byAddress.set(canonical, endpoint);
    }
    let networks = this.#sandboxNetworks.get(endpoint.sandboxId);
    if (networks === undefined) {
      networks = new Set();
      this.#sandboxNetworks.set(endpoint.sandboxId, networks);
    }
    networks.add(endpoint.networkId);
  }

  /** Forgets an endpoint; unknown ids are ignored (idempotent). */
  remove(endpointId: string): void {
    const endpoint = this.#endpoints.get(endpointId);
    if (endpoint === undefined) return;
    this.#endpoints.delete(endpointId);
    const network = this.#networks.get(endpoint.networkId);
    if (network !== undefined) {
      for (const name of namesOf(endpoint)) {
        const holders = network.byName.get(name);
        holders?.delete(endpoint);
        if (holders?.size === 0) network.byName.delete(name);
      }
      for (const [address, holder] of network.byAddress) if (holder === endpoint) network.byAddress.delete(address);
      if (network.byName.size === 0) this.#networks.delete(endpoint.networkId);
    }
    const networks = this.#sandboxNetworks.get(endpoint.sandboxId);
    networks?.delete(endpoint.networkId);
    if (networks?.size === 0) this.#sandboxNetworks.delete(endpoint.sandboxId);
  }

  /** True when the sandbox has at least one endpoint with embedded DNS. */
  serves(sandboxId: string): boolean {
    return this.#sandboxNetworks.has(sandboxId);
  }

  /** The names visible to one sandbox: those on the networks it is attached to. */
  namesFor(sandboxId: string): LocalNames {
    return { lookup: (question) => this.#lookup(sandboxId, question) };
  }

  #lookup(sandboxId: string, question: { readonly name: string; readonly type: string }): LocalAnswer {
    const name = question.name.toLowerCase().replace(/\.$/, '');
    const networks = [...(this.#sandboxNetworks.get(sandboxId) ?? [])].flatMap((id) => {
      const network = this.#networks.get(id);
      return network === undefined ? [] : [network];
    });
    const address = name.endsWith('.arpa') ? addressOfPtrName(name) : undefined;
    if (address !== undefined) {
      for (const network of networks) {
        const endpoint = network.byAddress.get(address);
        if (endpoint === undefined) continue;
        const records: LocalRecord[] = question.type === 'PTR' ? [{ type: 'PTR', name, target: `${endpoint.sandboxName}.${endpoint.networkName}`.toLowerCase() }] : [];
        return { kind: 'records', records };
      }
      return { kind: 'not-ours' };
    }
    const endpoints = new Set<DnsEndpoint>();
    for (const network of networks) for (const endpoint of network.byName.get(name) ?? []) endpoints.add(endpoint);
    if (endpoints.size === 0) return { kind: 'not-ours' };
    const records: LocalRecord[] = [];
    const seen = new Set<string>();
    for (const endpoint of endpoints) {
      const value = question.type === 'A' ? endpoint.ipv4 : question.type === 'AAAA' ? endpoint.ipv6 : undefined;
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      records.push(question.type === 'A' ? { type: 'A', name, address: value } : { type: 'AAAA', name, address: value });
    }
    return { kind: 'records', records: shuffled(records) };
  }
}
