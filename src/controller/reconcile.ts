import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ControllerDeps } from './controller-deps.js';
import { replayPools } from './ipam-allocation.js';
import { disconnectEndpoint } from './endpoint-ops.js';
import { removeSandboxFiles, sandboxFilePaths } from './sandbox-files.js';
import { plainIp } from './ipam-allocation.js';
import { isNetworkRestorer, isPortPublisher } from '../driver-api/index.js';
import { driverNetwork } from './network-ops.js';

/** What a start-up reconcile found and did. */
export interface ReconcileReport {
  readonly replayedNetworks: number;
  readonly replayedEndpoints: number;
  readonly staleSandboxes: readonly string[];
  readonly orphanNamespaces: readonly string[];
  readonly orphanLinks: readonly string[];
  /** Kernel objects drivers re-created (a bridge deleted behind berth's back, ...). */
  readonly repaired: readonly string[];
  readonly problems: readonly string[];
}

/** Owner markers on links: "berth:<network-id>" or "berth:<network-id>:<endpoint-id>". */
export function parseOwnerAlias(alias: string | undefined): { networkId: string; endpointId?: string } | undefined {
  const match = /^berth:([0-9a-f]{12,64})(?::([0-9a-f]{12,64}))?$/.exec(alias ?? '');
  if (match?.[1] === undefined) return undefined;
  return match[2] === undefined ? { networkId: match[1] } : { networkId: match[1], endpointId: match[2] };
}

async function replayIpam(deps: ControllerDeps, problems: string[]): Promise<{ networks: number; endpoints: number }> {
  let networks = 0;
  let endpoints = 0;
  for (const network of deps.state.networks.values()) {
    const ipam = deps.ipams.get(network.ipam.driver);
    if (ipam === undefined) { problems.push(`network ${network.name}: IPAM driver ${network.ipam.driver} missing`); continue; }
    try {
      await replayPools(ipam, network.ipam.ipv4, false);
      await replayPools(ipam, network.ipam.ipv6, true);
      networks += 1;
    } catch (error) {
      problems.push(`network ${network.name}: ${String(error)}`);
    }
  }
  for (const endpoint of deps.state.endpoints.values()) {
    const network = deps.state.networks.get(endpoint.networkId);
    const ipam = network === undefined ? undefined : deps.ipams.get(network.ipam.driver);
    if (ipam === undefined) continue;
    try {
      if (endpoint.address !== undefined && endpoint.poolId !== undefined) await ipam.requestAddress(endpoint.poolId, { address: plainIp(endpoint.address) });
      if (endpoint.addressIpv6 !== undefined && endpoint.poolIdIpv6 !== undefined) await ipam.requestAddress(endpoint.poolIdIpv6, { address: plainIp(endpoint.addressIpv6) });
      endpoints += 1;
    } catch (error) {
      problems.push(`endpoint ${endpoint.id.slice(0, 12)}: ${String(error)}`);
    }
  }
  return { networks, endpoints };
}

/** Lets each driver re-create what is missing of its networks; a restart with nothing changed changes nothing. */
async function restoreNetworks(deps: ControllerDeps, problems: string[]): Promise<string[]> {
  const repaired: string[] = [];
  for (const network of deps.state.networks.values()) {
    const driver = deps.drivers.get(network.driver);
    if (driver === undefined || !isNetworkRestorer(driver)) continue;
    try {
      const dn = driverNetwork(network);
      for (const what of await driver.restoreNetwork(dn)) repaired.push(`${network.name}: ${what}`);
      for (const endpoint of deps.state.endpointsOf({ networkId: network.id })) {
        const state = { id: endpoint.id, state: endpoint.driverState };
        for (const what of await driver.restoreEndpoint(dn, state)) repaired.push(`${network.name}: ${what}`);
        if (endpoint.ports !== undefined && endpoint.ports.length > 0 && isPortPublisher(driver)) await driver.restorePorts(dn, endpoint.ports);
      }
    } catch (error) {
      problems.push(`restore network ${network.name}: ${String(error)}`);
    }
  }
  for (const what of repaired) deps.log.warn({ repaired: what }, 'repaired a network');
  return repaired;
}

/** Sandboxes whose namespace is gone lose their endpoints (and addresses) and their record. */
async function dropStaleSandboxes(deps: ControllerDeps, problems: string[]): Promise<string[]> {
  const stale: string[] = [];
  for (const sandbox of [...deps.state.sandboxes.values()]) {
    if (sandbox.netnsPath === deps.kernel.netns.host.path) continue;
    const alive = existsSync(sandbox.netnsPath) && (await deps.kernel.netns.open(sandbox.netnsPath).then(() => true, () => false));
    if (alive) {
      await removeUnknownInterfaces(deps, sandbox).catch((error: unknown) => problems.push(`sandbox ${sandbox.name}: ${String(error)}`));
      continue;
    }
    stale.push(sandbox.name);
    for (const endpoint of deps.state.endpointsOf({ sandboxId: sandbox.id })) {
      await disconnectEndpoint(deps, { endpoint, force: true }).catch((error: unknown) => problems.push(`stale endpoint ${endpoint.id.slice(0, 12)}: ${String(error)}`));
    }
    // A cached netlink socket would keep the vanished namespace (and its interfaces) alive.
    deps.kernel.release({ path: sandbox.netnsPath });
    await deps.kernel.netns.remove({ path: sandbox.netnsPath });
    removeSandboxFiles(sandboxFilePaths(deps.paths.sandboxDir, sandbox.id));
    await deps.state.commit((tx) => tx.deleteSandbox(sandbox.id));
    deps.log.warn({ sandbox: sandbox.id, name: sandbox.name }, 'removed stale sandbox: its namespace is gone');
  }
  return stale;
}

/**
 * Interfaces in a live sandbox that no stored endpoint owns: left by a crash in the middle of a
 * connect, after the driver made the link and before the endpoint was committed. Removing the
 * sandbox end of a veth removes the host end too.
 */
async function removeUnknownInterfaces(deps: ControllerDeps, sandbox: { readonly id: string; readonly name: string; readonly netnsPath: string }): Promise<void> {
  const known = new Set(['lo', ...deps.state.endpointsOf({ sandboxId: sandbox.id }).map((endpoint) => endpoint.interfaceName)]);
  const inside = deps.kernel.in({ path: sandbox.netnsPath });
  for (const link of await inside.links.list()) {
    if (known.has(link.name)) continue;
    await inside.links.remove(link.name);
    deps.log.warn({ sandbox: sandbox.id, link: link.name }, 'removed an interface left by an unfinished connect');
  }
}

/** Namespace mounts and sandbox directories that no stored sandbox owns. */
async function removeOrphanNamespaces(deps: ControllerDeps): Promise<string[]> {
  const known = new Set([...deps.state.sandboxes.values()].map((sandbox) => sandbox.netnsPath));
  const orphans: string[] = [];
  for (const name of await deps.kernel.netns.list()) {
    const path = join(deps.paths.netnsDir, name);
    if (known.has(path)) continue;
    await deps.kernel.netns.remove({ path });
    orphans.push(name);
  }
  const ids = new Set(deps.state.sandboxes.keys());
  if (existsSync(deps.paths.sandboxDir)) {
    for (const id of readdirSync(deps.paths.sandboxDir)) if (!ids.has(id)) removeSandboxFiles(sandboxFilePaths(deps.paths.sandboxDir, id));
  }
  return orphans;
}

/** Host links marked as berth's whose network or endpoint the store does not know. */
async function removeOrphanLinks(deps: ControllerDeps): Promise<string[]> {
  const host = deps.kernel.in(deps.kernel.netns.host);
  const orphans: string[] = [];
  for (const link of await host.links.list()) {
    const owner = parseOwnerAlias(link.alias);
    if (owner === undefined || deps.foreignNetworks?.().has(owner.networkId) === true) continue;
    const known = deps.state.networks.has(owner.networkId) && (owner.endpointId === undefined || deps.state.endpoints.has(owner.endpointId));
    if (known) continue;
    await host.links.remove(link.name);
    orphans.push(link.name);
  }
  return orphans;
}

/**
 * Start-up reconcile (libnetwork controller.go New, made stricter): re-reserve every stored
 * address, drop sandboxes whose namespace vanished, and remove berth-marked kernel objects
 * the store does not know (left by a crash between kernel change and commit).
 */
export async function reconcile(deps: ControllerDeps): Promise<ReconcileReport> {
  const problems: string[] = [];
  const replayed = await replayIpam(deps, problems);
  // Stale sandboxes go first, so that restoring networks does not re-attach their interfaces.
  const staleSandboxes = await dropStaleSandboxes(deps, problems);
  const repaired = await restoreNetworks(deps, problems);
  const orphanNamespaces = await removeOrphanNamespaces(deps);
  const orphanLinks = await removeOrphanLinks(deps);
  for (const problem of problems) deps.log.error({ problem }, 'reconcile problem');
  return { replayedNetworks: replayed.networks, replayedEndpoints: replayed.endpoints, staleSandboxes, orphanNamespaces, orphanLinks, repaired, problems };
}
