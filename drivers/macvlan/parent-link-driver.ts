import type {
  DriverEndpoint, DriverNetwork, DriverState, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer, SandboxTarget,
} from '../../src/driver-api/index.js';
import type { Kernel, LinkSpec } from '../../src/kernel/index.js';
import type { HostShim } from './host-access.js';
import type { OptionSyntax, ParentNetworkOptions } from './options.js';
import { parseParentNetworkOptions } from './options.js';
import { ParentNetworks } from './parent-networks.js';
import { ParentRegistry } from './parent-registry.js';
import { readParentNetworkState, writeParentNetworkState } from './parent-state.js';
import type { ParentNetworkState } from './parent-state.js';
import { createSandboxLink, sandboxJoinResult } from './sandbox-link.js';

/** What a driver built on a parent link says about itself. */
export interface ParentLinkDriverConfig<Mode extends string> {
  readonly kernel: Kernel;
  /** Shared by the macvlan and ipvlan drivers, so one parent serves one network of either. */
  readonly registry?: ParentRegistry;
  readonly driver: 'macvlan' | 'ipvlan';
  readonly syntax: OptionSyntax<Mode>;
  /** Prefix of the host-access shim's name (`mv`, `iv`). */
  readonly shimPrefix: string;
  /** The shim's link kind for a network. */
  readonly shimLink: (state: ParentNetworkState) => HostShim['link'];
}

/**
 * The shared half of the macvlan and ipvlan drivers: a network is a parent interface (see
 * ParentNetworks), an endpoint a link on that parent created straight inside the sandbox as ethN.
 * Nothing of an endpoint lives outside its sandbox, so removing one is the controller's removal
 * of the sandbox's interface. A driver says how it checks options, makes an endpoint (its MAC)
 * and spells its sandbox link.
 */
export abstract class ParentLinkDriver<Mode extends string> implements NetworkDriver, NetworkRestorer {
  readonly name: string;
  readonly capabilities = { dataScope: 'local', connectivityScope: 'global' } as const;
  readonly #kernel: Kernel;
  readonly #networks: ParentNetworks;
  readonly #syntax: OptionSyntax<Mode>;

  constructor(config: ParentLinkDriverConfig<Mode>) {
    this.name = config.driver;
    this.#kernel = config.kernel;
    this.#syntax = config.syntax;
    this.#networks = new ParentNetworks({
      driver: config.driver, host: config.kernel.in(config.kernel.netns.host), registry: config.registry ?? new ParentRegistry(),
      shimPrefix: config.shimPrefix, shimLink: config.shimLink,
    });
  }

  /** Driver-specific checks of parsed options; throws to refuse. */
  protected checkOptions(_options: ParentNetworkOptions<Mode>): void {
    // nothing by default
  }

  /** The endpoint's MAC, or a refusal (ipvlan links carry the parent's). */
  protected abstract endpointMac(network: DriverNetwork, endpoint: EndpointRequest): string | undefined;

  /** The sandbox link of an endpoint, and whether its default route goes via the gateway. */
  protected abstract sandboxLink(state: ParentNetworkState, endpoint: DriverEndpoint, sandbox: SandboxTarget): { readonly spec: LinkSpec; readonly viaGateway: boolean };

  planNetwork(request: NetworkRequest, ipam: NetworkIpam): NetworkPlan {
    const options = parseParentNetworkOptions(this.#syntax, request.options);
    this.checkOptions(options);
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
    try {
      const macAddress = this.endpointMac(network, endpoint);
      return Promise.resolve({
        id: endpoint.id, state: {},
        ...(macAddress === undefined ? {} : { macAddress }),
        ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
        ...(endpoint.addressIpv6 === undefined ? {} : { addressIpv6: endpoint.addressIpv6 }),
      });
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The link lives only in the sandbox, and the controller removes it from there. */
  removeEndpoint(): Promise<void> {
    return Promise.resolve();
  }

  async join(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult> {
    const state = readParentNetworkState(network.state);
    const { spec, viaGateway } = this.sandboxLink(state, endpoint, sandbox);
    await createSandboxLink(this.#kernel, { networkId: network.id, endpointId: endpoint.id, sandbox, spec });
    return sandboxJoinResult(network, { sandbox, internal: state.internal, viaGateway });
  }

  /** The controller removes the sandbox's interface, and the link with it. */
  leave(): Promise<void> {
    return Promise.resolve();
  }
}
