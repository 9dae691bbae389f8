import { Address4, Address6 } from 'ip-address';
import { BerthError, hasCode } from '../../src/errors/index.js';
import type { DriverEndpoint, DriverNetwork, PortBinding, PortMapping } from '../../src/driver-api/index.js';
import type { Netns, SocketOps } from '../../src/kernel/index.js';
import type { BridgeFirewall } from './firewall/bridge-firewall.js';
import type { PublishedPort } from './firewall/published-port.js';
import { readBridgeState } from './bridge-state.js';

const ANY4 = '0.0.0.0';
const ANY6 = '::';
/** How often an ephemeral port pair (IPv4 and IPv6) is re-drawn when the IPv6 half is taken. */
const EPHEMERAL_ATTEMPTS = 10;

function key(mapping: Pick<PortMapping, 'protocol' | 'hostIp' | 'hostPort'>): string {
  return `${mapping.protocol}/${mapping.hostIp}/${mapping.hostPort}`;
}

/** "[::]:8080/tcp" or "0.0.0.0:8080/tcp". */
function describe(mapping: Pick<PortMapping, 'protocol' | 'hostIp' | 'hostPort'>): string {
  const host = mapping.hostIp.includes(':') ? `[${mapping.hostIp}]` : mapping.hostIp;
  return `${host}:${mapping.hostPort}/${mapping.protocol}`;
}

function published(mapping: PortMapping): PublishedPort {
  const any = mapping.hostIp === ANY4 || mapping.hostIp === ANY6;
  return { hostIp: any ? undefined : mapping.hostIp, hostPort: mapping.hostPort, protocol: mapping.protocol, containerIp: mapping.containerIp, containerPort: mapping.containerPort };
}

/** The sandbox addresses a binding can be published to, one per family. */
interface Targets {
  readonly network: string;
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
}

/**
 * The host addresses one binding is published on, with the sandbox address of each: no host IP
 * (or 0.0.0.0) means both families, as Docker 28 does — the IPv6 half only when the endpoint
 * has an IPv6 address. `::1` is refused: the kernel does not DNAT IPv6 loopback traffic.
 */
function halves(hostIp: string | undefined, targets: Targets): Omit<PortMapping, 'hostPort' | 'containerPort' | 'protocol'>[] {
  const need = (family: 4 | 6, address: string | undefined, shown: string): string => {
    if (address !== undefined) return address;
    throw new BerthError('INVALID_ARGUMENT', `cannot publish on ${shown}: the endpoint on network ${targets.network} has no IPv${family} address`, { object: shown });
  };
  if (hostIp === undefined || hostIp === ANY4) {
    const out: Omit<PortMapping, 'hostPort' | 'containerPort' | 'protocol'>[] = [];
    if (targets.ipv4 !== undefined) out.push({ hostIp: ANY4, containerIp: targets.ipv4 });
    if (targets.ipv6 !== undefined) out.push({ hostIp: ANY6, containerIp: targets.ipv6 });
    if (out.length === 0) throw new BerthError('INVALID_ARGUMENT', `endpoint on ${targets.network} has no address to publish to`, { object: targets.network });
    return out;
  }
  if (Address6.isValid(hostIp)) {
    const address = new Address6(hostIp);
    if (address.isLoopback()) {
      throw new BerthError('INVALID_ARGUMENT',
        `cannot publish on [${hostIp}]: the kernel cannot DNAT IPv6 loopback traffic (IPv6 has no route_localnet), so ${hostIp} can never reach a sandbox; publish on 127.0.0.1 or [::] instead`,
        { object: hostIp });
    }
    const text = address.correctForm();
    return [{ hostIp: text, containerIp: need(6, targets.ipv6, `[${text}]`) }];
  }
  const text = Address4.isValid(hostIp) ? new Address4(hostIp).correctForm() : hostIp;
  return [{ hostIp: text, containerIp: need(4, targets.ipv4, text) }];
}

/**
 * Port publishing for bridge networks, in the kernel only: each mapping is one nft map element
 * (DNAT in prerouting and output), or one iptables DNAT rule, and the host port is held by a bound
 * socket so no other program can take it (and berth sees conflicts at once, as Docker 28 does).
 * No proxy process. A binding on every address gives an IPv4 and an IPv6 mapping on the same port.
 */
export class BridgePortPublisher {
  readonly #firewall: BridgeFirewall;
  readonly #sockets: SocketOps;
  readonly #host: Netns;
  /** Reserved host ports → the socket fd holding each. */
  readonly #reserved = new Map<string, number>();

  constructor(init: { readonly firewall: BridgeFirewall; readonly sockets: SocketOps; readonly host: Netns }) {
    this.#firewall = init.firewall;
    this.#sockets = init.sockets;
    this.#host = init.host;
  }

  #reserve(mapping: Omit<PortMapping, 'containerIp'>): number {
    try {
      const { fd, port } = this.#sockets.reservePort(this.#host, { ip: mapping.hostIp, port: mapping.hostPort, protocol: mapping.protocol });
      this.#reserved.set(key({ ...mapping, hostPort: port }), fd);
      return port;
    } catch (error) {
      if (!hasCode(error, 'ADDRESS_EXISTS')) throw error;
      throw new BerthError('ADDRESS_EXISTS', `host port ${describe(mapping)} is already in use`, { object: `${mapping.hostPort}/${mapping.protocol}`, cause: error });
    }
  }

  #release(mapping: PortMapping): void {
    const fd = this.#reserved.get(key(mapping));
    if (fd === undefined) return;
    this.#sockets.releasePort(fd);
    this.#reserved.delete(key(mapping));
  }

  /**
   * Reserves one binding's host port on each of its addresses. An ephemeral port must be free in
   * both families: the first half picks it, and when the second finds it taken the pair is drawn again.
   */
  #reserveAll(binding: PortBinding, parts: readonly Omit<PortMapping, 'hostPort' | 'containerPort' | 'protocol'>[]): PortMapping[] {
    const attempts = binding.hostPort === 0 && parts.length > 1 ? EPHEMERAL_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt += 1) {
      const done: PortMapping[] = [];
      let hostPort = binding.hostPort;
      try {
        for (const part of parts) {
          hostPort = this.#reserve({ ...part, hostPort, containerPort: binding.containerPort, protocol: binding.protocol });
          done.push({ ...part, hostPort, containerPort: binding.containerPort, protocol: binding.protocol });
        }
        return done;
      } catch (error) {
        for (const mapping of done) this.#release(mapping);
        if (attempt >= attempts || !hasCode(error, 'ADDRESS_EXISTS')) throw error;
      }
    }
  }

  async publish(network: DriverNetwork, endpoint: DriverEndpoint, bindings: readonly PortBinding[]): Promise<readonly PortMapping[]> {
    const state = readBridgeState(network.state);
    if (state.internal) throw new BerthError('INVALID_ARGUMENT', `network ${network.name} is internal: it cannot publish ports`, { object: network.name });
    const targets: Targets = { network: network.name, ipv4: endpoint.address?.split('/')[0], ipv6: endpoint.addressIpv6?.split('/')[0] };
    // Every binding is checked before any port is reserved.
    const planned = bindings.map((binding) => ({ binding, parts: halves(binding.hostIp ?? state.hostBindingIpv4, targets) }));
    const mappings: PortMapping[] = [];
    let added = false;
    try {
      for (const { binding, parts } of planned) mappings.push(...this.#reserveAll(binding, parts));
      await this.#firewall.addPorts(mappings.map(published));
      added = true;
      // A UDP flow to the port seen before (e.g. answered with port-unreachable) would bypass the DNAT.
      const udpPorts = new Set(mappings.filter((mapping) => mapping.protocol === 'udp').map((mapping) => mapping.hostPort));
      for (const port of udpPorts) await this.#firewall.flushFlows('udp', port);
      return mappings;
    } catch (error) {
      if (added) await this.#firewall.removePorts(mappings.map(published)).catch(() => undefined);
      for (const mapping of mappings) this.#release(mapping);
      throw error;
    }
  }

  async unpublish(mappings: readonly PortMapping[]): Promise<void> {
    await this.#firewall.removePorts(mappings.map(published));
    for (const mapping of mappings) this.#release(mapping);
  }

  async restore(mappings: readonly PortMapping[]): Promise<void> {
    for (const mapping of mappings) {
      if (!this.#reserved.has(key(mapping))) this.#reserve(mapping);
    }
    await this.#firewall.addPorts(mappings.map(published));
  }
}
