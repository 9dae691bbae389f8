import { BerthError, hasCode } from '../../src/errors/index.js';
import type { DriverEndpoint, DriverNetwork, PortBinding, PortMapping } from '../../src/driver-api/index.js';
import type { Netns, SocketOps } from '../../src/kernel/index.js';
import type { BridgeFirewall } from './firewall/bridge-firewall.js';
import type { PublishedPort } from './firewall/nft-ruleset.js';
import { readBridgeState } from './bridge-state.js';

const ANY = '0.0.0.0';

function key(mapping: Pick<PortMapping, 'protocol' | 'hostIp' | 'hostPort'>): string {
  return `${mapping.protocol}/${mapping.hostIp}/${mapping.hostPort}`;
}

function published(mapping: PortMapping): PublishedPort {
  return { hostIp: mapping.hostIp === ANY ? undefined : mapping.hostIp, hostPort: mapping.hostPort, protocol: mapping.protocol, containerIp: mapping.containerIp, containerPort: mapping.containerPort };
}

/**
 * Port publishing for bridge networks, in the kernel only: each mapping is one nft map element
 * (DNAT in prerouting and output), and the host port is held by a bound socket so no other
 * program can take it (and berth sees conflicts at once, as Docker 28 does). No proxy process.
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
      throw new BerthError('ADDRESS_EXISTS', `host port ${mapping.hostIp}:${mapping.hostPort}/${mapping.protocol} is already in use`, { object: `${mapping.hostPort}/${mapping.protocol}`, cause: error });
    }
  }

  #release(mapping: PortMapping): void {
    const fd = this.#reserved.get(key(mapping));
    if (fd === undefined) return;
    this.#sockets.releasePort(fd);
    this.#reserved.delete(key(mapping));
  }

  async publish(network: DriverNetwork, endpoint: DriverEndpoint, bindings: readonly PortBinding[]): Promise<readonly PortMapping[]> {
    const state = readBridgeState(network.state);
    if (state.internal) throw new BerthError('INVALID_ARGUMENT', `network ${network.name} is internal: it cannot publish ports`, { object: network.name });
    const containerIp = endpoint.address?.split('/')[0];
    if (containerIp === undefined) throw new BerthError('INVALID_ARGUMENT', `endpoint on ${network.name} has no IPv4 address to publish to`, { object: network.name });
    const mappings: PortMapping[] = [];
    try {
      for (const binding of bindings) {
        const hostIp = binding.hostIp ?? state.hostBindingIpv4 ?? ANY;
        if (hostIp.includes(':')) throw new BerthError('NOT_IMPLEMENTED', `publishing on IPv6 host address ${hostIp} is not supported yet`, { object: hostIp });
        const hostPort = this.#reserve({ hostIp, hostPort: binding.hostPort, containerPort: binding.containerPort, protocol: binding.protocol });
        mappings.push({ hostIp, hostPort, containerIp, containerPort: binding.containerPort, protocol: binding.protocol });
      }
      await this.#firewall.addPorts(mappings.map(published));
      // A UDP flow to the port seen before (e.g. answered with port-unreachable) would bypass the DNAT.
      for (const mapping of mappings) if (mapping.protocol === 'udp') await this.#firewall.flushFlows('udp', mapping.hostPort);
      return mappings;
    } catch (error) {
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
