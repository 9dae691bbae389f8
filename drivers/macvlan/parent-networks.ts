import { BerthError } from '../../src/errors/index.js';
import type { DriverNetwork, NetworkIpam, NetworkRequest } from '../../src/driver-api/index.js';
import type { NetnsKernel } from '../../src/kernel/index.js';
import { ensureHostShim, removeHostShim, shimName } from './host-access.js';
import type { HostShim } from './host-access.js';
import type { ParentNetworkOptions } from './options.js';
import { ensureParent, removeParent } from './parent-link.js';
import { parseParentOption } from './parent-option.js';
import type { ParentRegistry } from './parent-registry.js';
import type { ParentNetworkState } from './parent-state.js';

/** What differs between the drivers that share this lifecycle. */
export interface ParentNetworksConfig {
  readonly driver: 'macvlan' | 'ipvlan';
  readonly host: NetnsKernel;
  readonly registry: ParentRegistry;
  /** Prefix of the host-access shim's name (`mv`, `iv`). */
  readonly shimPrefix: string;
  /** The shim's link kind for a network. */
  readonly shimLink: (state: ParentNetworkState) => HostShim['link'];
}

/**
 * The network half of the macvlan and ipvlan drivers: a parent interface per network (an
 * existing uplink, a VLAN sub-interface berth creates on a trunk, or a dummy), exclusive to
 * that network, and the optional host-access shim. Endpoints are the drivers' own business.
 */
export class ParentNetworks {
  readonly #config: ParentNetworksConfig;

  constructor(config: ParentNetworksConfig) {
    this.#config = config;
  }

  /** Pure: the network's state from its options; PARENT_IN_USE when another network holds the parent. */
  plan(request: NetworkRequest, init: { readonly ipam: NetworkIpam; readonly options: ParentNetworkOptions<string> }): ParentNetworkState {
    const { options, ipam } = init;
    const parent = parseParentOption({ networkId: request.id, value: options.parent, internal: request.internal });
    this.#config.registry.check(parent.name, request.id);
    if (ipam.ipv4.length > 1 || ipam.ipv6.length > 1) {
      throw new BerthError('INVALID_ARGUMENT', `${this.#config.driver} driver supports one IPv4 and one IPv6 subnet at most`, { object: request.name });
    }
    return {
      networkName: request.name, parent, parentCreatedByBerth: false, mode: options.mode, internal: request.internal, hostAccess: options.hostAccess,
      hostRoutes: options.hostAccess ? ipam.ipv4.map((data) => data.ipRange ?? data.pool) : [],
      ...(options.mtu === undefined ? {} : { mtu: options.mtu }),
    };
  }

  /** Makes the parent (when needed) and the shim; undoes its own steps on failure. */
  async create(network: { readonly id: string; readonly name: string }, state: ParentNetworkState): Promise<ParentNetworkState> {
    const { host, registry } = this.#config;
    const { created } = await ensureParent(host, { networkId: network.id, parent: state.parent, mtu: state.mtu });
    const result = { ...state, parentCreatedByBerth: created };
    try {
      if (state.hostAccess) await ensureHostShim(host, this.#shim(network.id, result));
      registry.claim(state.parent.name, { networkId: network.id, networkName: network.name, driver: this.#config.driver });
    } catch (error) {
      await removeHostShim(host, shimName(this.#config.shimPrefix, network.id)).catch(() => undefined);
      await removeParent(host, { networkId: network.id, parent: state.parent, createdByBerth: created }).catch(() => undefined);
      throw error;
    }
    return result;
  }

  /** After a restart: claims the parent again and re-creates what berth made that went missing. */
  async restore(network: DriverNetwork, state: ParentNetworkState): Promise<string[]> {
    const { host, registry } = this.#config;
    registry.claim(state.parent.name, { networkId: network.id, networkName: network.name, driver: this.#config.driver });
    const repaired: string[] = [];
    if (await host.links.find(state.parent.name) === undefined) {
      if (!state.parentCreatedByBerth) {
        throw new BerthError('LINK_NOT_FOUND', `parent interface ${state.parent.name} of ${this.#config.driver} network ${network.name} is gone; its sandboxes are cut off until it is back`, { object: state.parent.name });
      }
      await ensureParent(host, { networkId: network.id, parent: state.parent, mtu: state.mtu });
      repaired.push(`parent ${state.parent.name}`);
    }
    if (state.hostAccess) repaired.push(...await ensureHostShim(host, this.#shim(network.id, state)));
    return repaired;
  }

  /** Removes the shim and the parent berth made; idempotent. */
  async remove(network: DriverNetwork, state: ParentNetworkState): Promise<void> {
    const { host } = this.#config;
    if (state.hostAccess) await removeHostShim(host, shimName(this.#config.shimPrefix, network.id));
    await removeParent(host, { networkId: network.id, parent: state.parent, createdByBerth: state.parentCreatedByBerth });
    this.#config.registry.release(network.id);
  }

  #shim(networkId: string, state: ParentNetworkState): HostShim {
    return { networkId, name: shimName(this.#config.shimPrefix, networkId), parent: state.parent.name, link: this.#config.shimLink(state), routes: state.hostRoutes };
  }
}
