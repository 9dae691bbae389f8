import type { NetworkRecord, SandboxRecord } from '../store/index.js';
import type { ControllerDeps } from './controller-deps.js';

/**
 * berth's docker_gwbridge: a local bridge network that gives sandboxes on global (overlay)
 * networks their way out. Overlays are flat L2 segments without a gateway; when a sandbox joins
 * one and has no other network with a gateway, it gets a second endpoint here (its default
 * route, masqueraded; no traffic between sandboxes: enable_icc=false), removed again when its
 * last such network goes (libnetwork sandbox.go, as Docker does for swarm overlays).
 */
export const GATEWAY_BRIDGE_NETWORK = 'berth_gwbridge';

/** Networks whose sandboxes need the gateway bridge for egress. */
function needsGatewayBridge(network: NetworkRecord): boolean {
  return network.scope === 'global' && !network.internal;
}

function networksOf(deps: ControllerDeps, sandbox: SandboxRecord): NetworkRecord[] {
  return deps.state.endpointsOf({ sandboxId: sandbox.id }).flatMap((endpoint) => {
    const network = deps.state.networks.get(endpoint.networkId);
    return network === undefined ? [] : [network];
  });
}

/** Whether the sandbox should get a gateway-bridge endpoint now (after a connect). */
export function wantsGatewayBridge(deps: ControllerDeps, sandbox: SandboxRecord): boolean {
  const networks = networksOf(deps, sandbox);
  if (!networks.some(needsGatewayBridge)) return false;
  // Any other network with a gateway (or the gateway bridge itself) already routes it out.
  return !networks.some((network) => !needsGatewayBridge(network) && network.driver !== 'null' && network.ipam.ipv4.some((config) => config.allocated.gateway !== undefined) && !network.internal);
}

/** The sandbox's gateway-bridge endpoint when no global network needs it any more (after a disconnect). */
export function unneededGatewayEndpoint(deps: ControllerDeps, sandbox: SandboxRecord): string | undefined {
  const endpoints = deps.state.endpointsOf({ sandboxId: sandbox.id });
  const gateway = endpoints.find((endpoint) => deps.state.networks.get(endpoint.networkId)?.name === GATEWAY_BRIDGE_NETWORK);
  if (gateway === undefined) return undefined;
  return networksOf(deps, sandbox).some(needsGatewayBridge) ? undefined : gateway.id;
}

/** How the gateway bridge network is created the first time a sandbox needs it. */
export const GATEWAY_BRIDGE_INPUT = {
  name: GATEWAY_BRIDGE_NETWORK,
  driver: 'bridge',
  options: {
    'com.docker.network.bridge.name': GATEWAY_BRIDGE_NETWORK,
    'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
  },
} as const;
