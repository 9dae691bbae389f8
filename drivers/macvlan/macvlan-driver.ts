import type { DriverEndpoint, DriverNetwork, EndpointRequest, SandboxTarget } from '../../src/driver-api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { Kernel, LinkSpec, MacvlanMode } from '../../src/kernel/index.js';
import { randomMac } from '../bridge/mac-address.js';
import { MACVLAN_SYNTAX } from './options.js';
import type { ParentNetworkOptions } from './options.js';
import { ParentLinkDriver } from './parent-link-driver.js';
import type { ParentRegistry } from './parent-registry.js';
import type { ParentNetworkState } from './parent-state.js';

/**
 * The `macvlan` driver (libnetwork drivers/macvlan): sandboxes appear as hosts of the parent's
 * LAN, each with its own MAC. Each endpoint is a macvlan link on the network's parent created
 * straight inside the sandbox as ethN; its default route points at the LAN's router (--gateway).
 * No NAT and no port publishing: a sandbox is reached at its own address.
 */
export class MacvlanDriver extends ParentLinkDriver<MacvlanMode> {
  /** `registry` is shared with the ipvlan driver, so one parent serves one network of either. */
  constructor(init: { readonly kernel: Kernel; readonly registry?: ParentRegistry }) {
    super({ ...init, driver: 'macvlan', syntax: MACVLAN_SYNTAX, shimPrefix: 'mv', shimLink: () => ({ kind: 'macvlan' }) });
  }

  protected override checkOptions(options: ParentNetworkOptions<MacvlanMode>): void {
    if (options.hostAccess && options.mode !== 'bridge') {
      throw new BerthError('INVALID_OPTION', `berth.host_access=true needs macvlan_mode=bridge (the host's shim talks to the sandboxes through the macvlan bridge), not ${options.mode}`, { object: 'berth.host_access' });
    }
  }

  protected endpointMac(_network: DriverNetwork, endpoint: EndpointRequest): string {
    return endpoint.macAddress ?? randomMac();
  }

  protected sandboxLink(state: ParentNetworkState, endpoint: DriverEndpoint, sandbox: SandboxTarget): { readonly spec: LinkSpec; readonly viaGateway: boolean } {
    return {
      spec: {
        kind: 'macvlan', name: sandbox.interfaceName, parent: state.parent.name, mode: state.mode as MacvlanMode, netnsPath: sandbox.netnsPath,
        ...(endpoint.macAddress === undefined ? {} : { mac: endpoint.macAddress }),
        ...(state.mtu === undefined ? {} : { mtu: state.mtu }),
      },
      viaGateway: true,
    };
  }
}
