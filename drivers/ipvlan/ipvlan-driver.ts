import type {
  DriverEndpoint, DriverNetwork, DriverState, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer, SandboxTarget,
} from '../../src/driver-api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { IpvlanMode, Kernel } from '../../src/kernel/index.js';
import { parseParentNetworkOptions } from '../macvlan/options.js';
import { ParentNetworks } from '../macvlan/parent-networks.js';
import { ParentRegistry } from '../macvlan/parent-registry.js';
import { readParentNetworkState, writeParentNetworkState } from '../macvlan/parent-state.js';
import { createSandboxLink, sandboxJoinResult } from '../macvlan/sandbox-link.js';
import { IPVLAN_SYNTAX } from './options.js';

/**
 * The `ipvlan` driver (libnetwork drivers/ipvlan): like macvlan, but every sandbox shares the
 * parent's MAC address, for LANs and clouds that allow one MAC per port. l2: the sandboxes are
 * hosts of the LAN behind the --gateway; l3/l3s: the parent routes, and each sandbox's default
 * route is the link itself (no gateway on the wire). Parent, VLAN and dummy handling are
 * macvlan's.
 */
export class IpvlanDriver implements NetworkDriver, NetworkRestorer {
  readonly name = 'ipvlan';
  readonly capabilities = { dataScope: 'local', connectivityScope: 'global' } as const;
  readonly #kernel: Kernel;
  readonly #networks: ParentNetworks;

  /** `registry` is shared with the macvlan driver. */
  constructor(init: { readonly kernel: Kernel; readonly registry?: ParentRegistry }) {
    this.#kernel = init.kernel;
    this.#networks = new ParentNetworks({
      driver: 'ipvlan', host: init.kernel.in(init.kernel.netns.host), registry: init.registry ?? new ParentRegistry(),
      shimPrefix: 'iv', shimLink: (state) => ({ kind: 'ipvlan', mode: state.mode as IpvlanMode }),
    });
  }

  planNetwork(request: NetworkRequest, ipam: NetworkIpam): NetworkPlan {
    const options = parseParentNetworkOptions(IPVLAN_SYNTAX, request.options);
    const state = this.#networks.plan(request, { ipam, options });
    return { driver: this.name, networkId: request.id, state: writeParentNetworkState(state) };
  }

  async createNetwork(plan: NetworkPlan, _ipam: NetworkIpam): Promise<DriverState> {
    const state = readParentNetworkState(plan.state);
    return writeParentNetworkState(await this.#networks.create({ id: plan.networkId, name: state.networkName }, state));
  }

  restoreNetwork(network: DriverNetwork): Promise<readonly string[]> {
    return this.#networks.restore(network, readParentNetworkState(network.state));
  }

  restoreEndpoint(): Promise<readonly string[]> {
    return Promise.resolve([]);
  }

  removeNetwork(network: DriverNetwork): Promise<void> {
    return this.#networks.remove(network, readParentNetworkState(network.state));
  }

  /** ipvlan links carry the parent's MAC: a requested one cannot be honoured. */
  createEndpoint(network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint> {
    readParentNetworkState(network.state);
    if (endpoint.macAddress !== undefined) {
      return Promise.reject(new BerthError('INVALID_ARGUMENT', `ipvlan network ${network.name}: sandboxes share the parent's MAC address, so --mac-address ${endpoint.macAddress} cannot be set (use macvlan)`, { object: endpoint.macAddress }));
    }
    return Promise.resolve({
      id: endpoint.id, state: {},
      ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
      ...(endpoint.addressIpv6 === undefined ? {} : { addressIpv6: endpoint.addressIpv6 }),
    });
  }

  removeEndpoint(): Promise<void> {
    return Promise.resolve();
  }

  async join(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult> {
    const state = readParentNetworkState(network.state);
    const mode = state.mode as IpvlanMode;
    await createSandboxLink(this.#kernel, {
      networkId: network.id, endpointId: endpoint.id, sandbox,
      spec: { kind: 'ipvlan', name: sandbox.interfaceName, parent: state.parent.name, mode, netnsPath: sandbox.netnsPath, ...(state.mtu === undefined ? {} : { mtu: state.mtu }) },
    });
    return sandboxJoinResult(network, { sandbox, internal: state.internal, viaGateway: mode === 'l2' });
  }

  leave(): Promise<void> {
    return Promise.resolve();
  }
}
