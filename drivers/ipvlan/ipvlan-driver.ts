import type { DriverEndpoint, DriverNetwork, EndpointRequest, SandboxTarget } from '../../src/driver-api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { IpvlanMode, Kernel, LinkSpec } from '../../src/kernel/index.js';
import { ParentLinkDriver } from '../macvlan/parent-link-driver.js';
import type { ParentRegistry } from '../macvlan/parent-registry.js';
import type { ParentNetworkState } from '../macvlan/parent-state.js';
import { IPVLAN_SYNTAX } from './options.js';

/**
 * The `ipvlan` driver (libnetwork drivers/ipvlan): like macvlan, but every sandbox shares the
 * parent's MAC address, for LANs and clouds that allow one MAC per port. l2: the sandboxes are
 * hosts of the LAN behind the --gateway; l3/l3s: the parent routes, and each sandbox's default
 * route is the link itself (no gateway on the wire). Parent, VLAN and dummy handling are
 * macvlan's.
 */
export class IpvlanDriver extends ParentLinkDriver<IpvlanMode> {
  /** `registry` is shared with the macvlan driver. */
  constructor(init: { readonly kernel: Kernel; readonly registry?: ParentRegistry }) {
    super({ ...init, driver: 'ipvlan', syntax: IPVLAN_SYNTAX, shimPrefix: 'iv', shimLink: (state) => ({ kind: 'ipvlan', mode: state.mode as IpvlanMode }) });
  }

  /** ipvlan links carry the parent's MAC: a requested one cannot be honoured. */
  protected endpointMac(network: DriverNetwork, endpoint: EndpointRequest): undefined {
    if (endpoint.macAddress !== undefined) {
      throw new BerthError('INVALID_ARGUMENT', `ipvlan network ${network.name}: sandboxes share the parent's MAC address, so --mac-address ${endpoint.macAddress} cannot be set (use macvlan)`, { object: endpoint.macAddress });
    }
    return undefined;
  }

  protected sandboxLink(state: ParentNetworkState, _endpoint: DriverEndpoint, sandbox: SandboxTarget): { readonly spec: LinkSpec; readonly viaGateway: boolean } {
    const mode = state.mode as IpvlanMode;
    return {
      spec: { kind: 'ipvlan', name: sandbox.interfaceName, parent: state.parent.name, mode, netnsPath: sandbox.netnsPath, ...(state.mtu === undefined ? {} : { mtu: state.mtu }) },
      viaGateway: mode === 'l2',
    };
  }
}
