import { randomBytes } from 'node:crypto';
import type {
  DriverEndpoint, DriverNetwork, DriverState, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer, SandboxTarget,
} from '../../src/driver-api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { FirewallBackend, NetnsKernel, SocketOps } from '../../src/kernel/index.js';
import type { PortBinding, PortMapping, PortPublisher } from '../../src/driver-api/index.js';
import { BridgePortPublisher } from './port-publisher.js';
import { BridgeFirewall } from './firewall/bridge-firewall.js';
import type { BridgeFirewallSpec } from './firewall/nft-ruleset.js';
import { parseBridgeOptions } from './options.js';
import { randomMac } from './mac-address.js';
import { ensureBridge, removeBridge } from './bridge-device.js';
import { readBridgeState, readEndpointState } from './bridge-state.js';
import type { BridgeState } from './bridge-state.js';

function prefixLength(pool: string): string {
  return pool.split('/')[1] ?? '32';
}


/** An address without its prefix length ("10.0.0.2/24" → "10.0.0.2"). */
function plainAddress(cidr: string): string {
  return cidr.split('/')[0] ?? cidr;
}

function vethName(): string {
  return `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
}

function gatewayAddresses(state: BridgeState, ipam: NetworkIpam): string[] {
  const out: string[] = [];
  const v4 = ipam.ipv4[0];
  if (!state.inhibitIpv4 && v4?.gateway !== undefined) out.push(`${v4.gateway}/${prefixLength(v4.pool)}`);
  const v6 = ipam.ipv6[0];
  if (v6?.gateway !== undefined) out.push(`${v6.gateway}/${prefixLength(v6.pool)}`);
  return out;
}

function firewallSpec(networkId: string, state: BridgeState, ipam: NetworkIpam): BridgeFirewallSpec {
  return {
    networkId, bridgeName: state.bridgeName, enableIcc: state.enableIcc, enableIpMasquerade: state.enableIpMasquerade, internal: state.internal,
    subnets4: ipam.ipv4.map((data) => data.pool), subnets6: ipam.ipv6.map((data) => data.pool),
  };
}

/**
 * The `bridge` driver: a Linux bridge per network, a veth pair per endpoint (host end on the
 * bridge, sandbox end moved in by the controller as ethN).
 */
export class BridgeDriver implements NetworkDriver, NetworkRestorer, PortPublisher {
  readonly name = 'bridge';
  readonly capabilities = { dataScope: 'local', connectivityScope: 'local' } as const;
  readonly #host: NetnsKernel;
  readonly #firewall: BridgeFirewall;
  readonly #ports: BridgePortPublisher;

  constructor(init: { readonly host: NetnsKernel; readonly firewall: FirewallBackend; readonly sockets: SocketOps }) {
    this.#host = init.host;
    this.#firewall = new BridgeFirewall({ backend: init.firewall, netns: init.host.netns });
    this.#ports = new BridgePortPublisher({ firewall: this.#firewall, sockets: init.sockets, host: init.host.netns });
  }

  /** The driver's firewall: berthd's self-healing watch checks and re-applies it. */
  get firewall(): BridgeFirewall {
    return this.#firewall;
  }

  publishPorts(network: DriverNetwork, endpoint: DriverEndpoint, bindings: readonly PortBinding[]): Promise<readonly PortMapping[]> {
    return this.#ports.publish(network, endpoint, bindings);
  }

  unpublishPorts(_network: DriverNetwork, mappings: readonly PortMapping[]): Promise<void> {
    return this.#ports.unpublish(mappings);
  }

  restorePorts(_network: DriverNetwork, mappings: readonly PortMapping[]): Promise<void> {
    return this.#ports.restore(mappings);
  }

  planNetwork(request: NetworkRequest, ipam: NetworkIpam): NetworkPlan {
    const options = parseBridgeOptions(request.id, request.options);
    if (ipam.ipv4.length > 1 || ipam.ipv6.length > 1) {
      throw new BerthError('INVALID_ARGUMENT', 'bridge driver doesn\'t support multiple subnets (one IPv4 and one IPv6 at most)', { object: request.name });
    }
    const state: BridgeState = {
      bridgeName: options.bridgeName, createdByBerth: false, enableIcc: options.enableIcc, enableIpMasquerade: options.enableIpMasquerade,
      inhibitIpv4: options.inhibitIpv4, internal: request.internal, ipv6: ipam.ipv6.length > 0,
      ...(options.mtu === undefined ? {} : { mtu: options.mtu }),
      ...(options.hostBindingIpv4 === undefined ? {} : { hostBindingIpv4: options.hostBindingIpv4 }),
    };
    return { driver: this.name, networkId: request.id, state: { ...state } };
  }

  async createNetwork(plan: NetworkPlan, ipam: NetworkIpam): Promise<DriverState> {
    const state = readBridgeState(plan.state);
    const { created } = await ensureBridge(this.#host, {
      networkId: plan.networkId, bridgeName: state.bridgeName, mtu: state.mtu, addresses: gatewayAddresses(state, ipam), ipv6: state.ipv6, forwarding: !state.internal,
    });
    try {
      await this.#firewall.addNetwork(firewallSpec(plan.networkId, state, ipam));
    } catch (error) {
      if (created) await this.#host.links.remove(state.bridgeName);
      throw error;
    }
    return { ...state, createdByBerth: created };
  }

  async restoreNetwork(network: DriverNetwork): Promise<readonly string[]> {
    const state = readBridgeState(network.state);
    const { repaired } = await ensureBridge(this.#host, {
      networkId: network.id, bridgeName: state.bridgeName, mtu: state.mtu, addresses: gatewayAddresses(state, network.ipam), ipv6: state.ipv6, forwarding: !state.internal,
    });
    await this.#firewall.addNetwork(firewallSpec(network.id, state, network.ipam));
    return repaired;
  }

  async restoreEndpoint(network: DriverNetwork, endpoint: DriverEndpoint): Promise<readonly string[]> {
    const { bridgeName } = readBridgeState(network.state);
    const { hostVeth, guard } = readEndpointState(endpoint.state);
    // Re-asserted on every restore: a restarted daemon's firewall model must hold every guard.
    if (guard !== undefined) await this.#firewall.addGuard(guard);
    const [bridge, veth] = await Promise.all([this.#host.links.find(bridgeName), this.#host.links.find(hostVeth)]);
    if (bridge === undefined || veth === undefined) return [];
    const detached = veth.masterIndex !== bridge.index || !veth.up;
    if (detached) await this.#host.links.set(hostVeth, { master: bridgeName, up: true });
    // Also for ports made before berth set hairpin mode (see #createVeth): cheap, and idempotent.
    await this.#host.links.set(hostVeth, { hairpin: true });
    return detached ? [`${hostVeth} on ${bridgeName}`] : [];
  }

  async removeNetwork(network: DriverNetwork): Promise<void> {
    const state = readBridgeState(network.state);
    await this.#firewall.removeNetwork(firewallSpec(network.id, state, network.ipam));
    await removeBridge(this.#host, { bridgeName: state.bridgeName, createdByBerth: state.createdByBerth, addresses: gatewayAddresses(state, network.ipam) });
  }

  /**
   * Picks the endpoint's MAC and host-side veth name; the pair itself is made at join, with its
   * sandbox end created straight inside the sandbox (moving a link between namespaces waits for
   * an RCU grace period, ~20 ms; creating it there does not).
   */
  createEndpoint(network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint> {
    readBridgeState(network.state);
    const macAddress = endpoint.macAddress ?? randomMac();
    // The guard (nft-spoof.ts) is stored with the endpoint: what its veth may send as.
    const ipv4 = endpoint.address === undefined ? undefined : plainAddress(endpoint.address);
    const ipv6 = endpoint.addressIpv6 === undefined ? undefined : plainAddress(endpoint.addressIpv6);
    return Promise.resolve({
      id: endpoint.id, macAddress,
      state: { hostVeth: vethName(), macAddress, ...(ipv4 === undefined ? {} : { ipv4 }), ...(ipv6 === undefined ? {} : { ipv6 }) },
      ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
      ...(endpoint.addressIpv6 === undefined ? {} : { addressIpv6: endpoint.addressIpv6 }),
    });
  }

  async removeEndpoint(_network: DriverNetwork, endpoint: DriverEndpoint): Promise<void> {
    const { hostVeth, guard } = readEndpointState(endpoint.state);
    await this.#host.links.remove(hostVeth);
    if (guard !== undefined) await this.#firewall.removeGuard(guard);
  }

  async join(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult> {
    const state = readBridgeState(network.state);
    const { guard } = readEndpointState(endpoint.state);
    // Guarded before the veth exists (elements are keyed by name), so no frame ever passes unchecked.
    if (guard !== undefined) await this.#firewall.addGuard(guard);
    try {
      await this.#createVeth({ network, endpoint, sandbox });
    } catch (error) {
      if (guard !== undefined) await this.#firewall.removeGuard(guard);
      throw error;
    }
    const gateway = state.internal || state.inhibitIpv4 ? undefined : network.ipam.ipv4[0]?.gateway;
    const gatewayIpv6 = state.internal ? undefined : network.ipam.ipv6[0]?.gateway;
    return {
      interface: { sourceName: sandbox.interfaceName, inSandbox: true },
      ...(gateway === undefined ? {} : { gateway }),
      ...(gatewayIpv6 === undefined ? {} : { gatewayIpv6 }),
      staticRoutes: [],
      disableGatewayService: state.internal,
    };
  }

  /** The veth pair: host end on the bridge, sandbox end created inside the sandbox. */
  async #createVeth(init: { readonly network: DriverNetwork; readonly endpoint: DriverEndpoint; readonly sandbox: SandboxTarget }): Promise<void> {
    const { network, endpoint, sandbox } = init;
    const state = readBridgeState(network.state);
    const { hostVeth } = readEndpointState(endpoint.state);
    await this.#host.links.create({
      kind: 'veth', name: hostVeth, alias: `berth:${network.id}:${endpoint.id}`, master: state.bridgeName, up: true,
      peer: {
        name: sandbox.interfaceName, netnsPath: sandbox.netnsPath,
        ...(endpoint.macAddress === undefined ? {} : { mac: endpoint.macAddress }),
        ...(state.mtu === undefined ? {} : { mtu: state.mtu }),
      },
      ...(state.mtu === undefined ? {} : { mtu: state.mtu }),
    });
    // With br_netfilter (on by default in many kernels), a sandbox's packet to its own published
    // port is DNATed back to it and bridged, not routed: the bridge must send it out of the port it
    // came in on (Docker does the same when its userland proxy is off).
    try {
      await this.#host.links.set(hostVeth, { hairpin: true });
    } catch (error) {
      await this.#host.links.remove(hostVeth);
      throw error;
    }
  }

  /** Deletes the pair from the host side; fine when it is gone (the sandbox end went first). */
  async leave(_network: DriverNetwork, endpoint: DriverEndpoint): Promise<void> {
    const { hostVeth, guard } = readEndpointState(endpoint.state);
    await this.#host.links.remove(hostVeth);
    if (guard !== undefined) await this.#firewall.removeGuard(guard);
  }
}
