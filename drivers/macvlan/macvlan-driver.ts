import type {
  DriverEndpoint, DriverNetwork, DriverState, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer, SandboxTarget,
} from '../../src/driver-api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { Kernel, MacvlanMode } from '../../src/kernel/index.js';
import { randomMac } from '../bridge/mac-address.js';
import { MACVLAN_SYNTAX, parseParentNetworkOptions } from './options.js';
import { ParentNetworks } from './parent-networks.js';
import { ParentRegistry } from './parent-registry.js';
import { readParentNetworkState, writeParentNetworkState } from './parent-state.js';
import { createSandboxLink, sandboxJoinResult } from './sandbox-link.js';

/**
 * The `macvlan` driver (libnetwork drivers/macvlan): sandboxes appear as hosts of the parent's
 * LAN, each with its own MAC. Each endpoint is a macvlan link on the network's parent created
 * straight inside the sandbox as ethN; its default route points at the LAN's router (--gateway).
 * No NAT and no port publishing: a sandbox is reached at its own address.
 */
export class MacvlanDriver implements NetworkDriver, NetworkRestorer {
  readonly name = 'macvlan';
  readonly capabilities = { dataScope: 'local', connectivityScope: 'global' } as const;
  readonly #kernel: Kernel;
  readonly #networks: ParentNetworks;

  /** `registry` is shared with the ipvlan driver, so one parent serves one network of either. */
  constructor(init: { readonly kernel: Kernel; readonly registry?: ParentRegistry }) {
    this.#kernel = init.kernel;
    this.#networks = new ParentNetworks({
      driver: 'macvlan', host: init.kernel.in(init.kernel.netns.host), registry: init.registry ?? new ParentRegistry(),
      shimPrefix: 'mv', shimLink: () => ({ kind: 'macvlan' }),
    });
  }

  planNetwork(request: NetworkRequest, ipam: NetworkIpam): NetworkPlan {
    const options = parseParentNetworkOptions(MACVLAN_SYNTAX, request.options);
    if (options.hostAccess && options.mode !== 'bridge') {
      throw new BerthError('INVALID_OPTION', `berth.host_access=true needs macvlan_mode=bridge (the host's shim talks to the sandboxes through the macvlan bridge), not ${options.mode}`, { object: 'berth.host_access' });
    }
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

  /** Nothing of an endpoint lives outside its sandbox. */
  restoreEndpoint(): Promise<readonly string[]> {
    return Promise.resolve([]);
  }

  removeNetwork(network: DriverNetwork): Promise<void> {
    return this.#networks.remove(network, readParentNetworkState(network.state));
  }

  createEndpoint(network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint> {
    readParentNetworkState(network.state);
    return Promise.resolve({
      id: endpoint.id, macAddress: endpoint.macAddress ?? randomMac(), state: {},
      ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
      ...(endpoint.addressIpv6 === undefined ? {} : { addressIpv6: endpoint.addressIpv6 }),
    });
  }

  /** The link lives only in the sandbox, and the controller removes it from there. */
  removeEndpoint(): Promise<void> {
    return Promise.resolve();
  }

  async join(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult> {
    const state = readParentNetworkState(network.state);
    await createSandboxLink(this.#kernel, {
      networkId: network.id, endpointId: endpoint.id, sandbox,
      spec: {
        kind: 'macvlan', name: sandbox.interfaceName, parent: state.parent.name, mode: state.mode as MacvlanMode, netnsPath: sandbox.netnsPath,
        ...(endpoint.macAddress === undefined ? {} : { mac: endpoint.macAddress }),
        ...(state.mtu === undefined ? {} : { mtu: state.mtu }),
      },
    });
    return sandboxJoinResult(network, { sandbox, internal: state.internal, viaGateway: true });
  }

  /** The controller removes the sandbox's interface, and the macvlan link with it. */
  leave(): Promise<void> {
    return Promise.resolve();
  }
}
