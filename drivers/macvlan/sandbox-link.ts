import type { DriverNetwork, JoinResult, SandboxTarget } from '../../src/driver-api/index.js';
import type { Kernel, LinkSpec } from '../../src/kernel/index.js';

/**
 * Creates an endpoint's macvlan/ipvlan link on the parent straight inside the sandbox (no move
 * between namespaces, as the bridge driver does for its veths), then marks it with its owner
 * `berth:<network>:<endpoint>` through the sandbox's own netlink socket.
 */
export async function createSandboxLink(kernel: Kernel, init: { readonly networkId: string; readonly endpointId: string; readonly sandbox: SandboxTarget; readonly spec: LinkSpec }): Promise<void> {
  await kernel.in(kernel.netns.host).links.create(init.spec);
  const inside = kernel.in({ path: init.sandbox.netnsPath });
  try {
    await inside.links.set(init.spec.name, { alias: `berth:${init.networkId}:${init.endpointId}` });
  } catch (error) {
    await inside.links.remove(init.spec.name);
    throw error;
  }
}

/** The join result: the link is already in the sandbox; the gateway is the LAN's router unless internal. */
export function sandboxJoinResult(network: DriverNetwork, init: { readonly sandbox: SandboxTarget; readonly internal: boolean; readonly viaGateway: boolean }): JoinResult {
  const gateway = init.internal || !init.viaGateway ? undefined : network.ipam.ipv4[0]?.gateway;
  const gatewayIpv6 = init.internal || !init.viaGateway ? undefined : network.ipam.ipv6[0]?.gateway;
  // ipvlan l3: no neighbour on the wire answers for a gateway; everything goes out of the link itself.
  const staticRoutes = init.internal || init.viaGateway ? [] : [
    ...(network.ipam.ipv4.length > 0 ? [{ destination: 'default' }] : []),
    ...(network.ipam.ipv6.length > 0 ? [{ destination: 'default6' }] : []),
  ];
  return {
    interface: { sourceName: init.sandbox.interfaceName, inSandbox: true },
    ...(gateway === undefined ? {} : { gateway }),
    ...(gatewayIpv6 === undefined ? {} : { gatewayIpv6 }),
    staticRoutes,
    disableGatewayService: init.internal,
  };
}
