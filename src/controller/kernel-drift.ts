import { existsSync } from 'node:fs';
import type { ControllerDeps } from './controller-deps.js';
import type { ConnectInput } from './inputs.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from '../store/index.js';
import type { PortMapping } from '../driver-api/index.js';
import { isNetworkRestorer } from '../driver-api/index.js';
import { driverNetwork } from './network-ops.js';
import { plainIp } from './ipam-allocation.js';

/** One kernel object found removed behind berth's back, and what berth did about it. */
export interface DriftFinding {
  readonly networkId: string;
  readonly time: string;
  readonly problem: string;
  /** What berth did: re-created, re-attached, removed, or why it could not. */
  readonly action: string;
  readonly repaired: boolean;
}

/** What a drift check needs besides the controller's parts: the controller's own verbs, with their locks. */
export interface DriftRepairVerbs {
  connect(input: ConnectInput): Promise<unknown>;
  disconnect(input: { readonly network: string; readonly sandbox: string; readonly force: boolean }): Promise<void>;
  removeSandbox(input: { readonly sandbox: string; readonly force: boolean }): Promise<void>;
}

function stringField(state: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = state[key];
  return typeof value === 'string' ? value : undefined;
}

/** The `-p` specs that re-create an endpoint's mappings (a dual-family mapping is one spec). */
export function publishSpecs(mappings: readonly PortMapping[]): readonly string[] {
  const specs = mappings.map((mapping) => {
    const target = `${String(mapping.hostPort)}:${String(mapping.containerPort)}/${mapping.protocol}`;
    if (mapping.hostIp === '' || mapping.hostIp === '0.0.0.0' || mapping.hostIp === '::') return target;
    return mapping.hostIp.includes(':') ? `[${mapping.hostIp}]:${target}` : `${mapping.hostIp}:${target}`;
  });
  return [...new Set(specs)];
}

async function netnsAlive(deps: ControllerDeps, sandbox: SandboxRecord): Promise<boolean> {
  if (sandbox.netnsPath === deps.kernel.netns.host.path) return true;
  return existsSync(sandbox.netnsPath) && (await deps.kernel.netns.open(sandbox.netnsPath).then(() => true, () => false));
}

/**
 * Finds kernel objects of bridge networks removed behind berth's back and repairs them:
 * - a sandbox whose namespace is gone (unmounted, deleted): its endpoints and record are removed,
 *   as the start-up reconcile does;
 * - a deleted bridge: re-created by the driver (NetworkRestorer.restoreNetwork), and the
 *   endpoints' host veths, which survive it, put back on it (restoreEndpoint);
 * - a deleted veth (which takes its sandbox end with it): the endpoint is disconnected and
 *   connected again with the same addresses, MAC, aliases and published ports.
 */
export async function repairKernelDrift(deps: ControllerDeps, verbs: DriftRepairVerbs): Promise<readonly DriftFinding[]> {
  const findings: DriftFinding[] = [];
  const note = (network: NetworkRecord, finding: { problem: string; action: string; repaired: boolean }): void => {
    findings.push({ networkId: network.id, time: deps.now().toISOString(), ...finding });
    deps.log.warn({ network: network.id, name: network.name, ...finding }, 'kernel object removed behind berth\'s back');
  };
  for (const sandbox of [...deps.state.sandboxes.values()]) {
    // A sandbox being removed loses its endpoints before its namespace: without endpoints, leave it to its remover (or the start-up reconcile).
    if (deps.state.endpointsOf({ sandboxId: sandbox.id }).length === 0 || await netnsAlive(deps, sandbox)) continue;
    const networks = deps.state.endpointsOf({ sandboxId: sandbox.id }).flatMap((endpoint) => deps.state.networks.get(endpoint.networkId) ?? []);
    const removed = await verbs.removeSandbox({ sandbox: sandbox.id, force: true }).then(() => undefined, (error: unknown) => String(error));
    for (const network of networks) {
      note(network, {
        problem: `namespace of sandbox ${sandbox.name} is gone`, action: removed === undefined ? 'removed the sandbox and its endpoints' : `could not remove the sandbox: ${removed}`, repaired: removed === undefined,
      });
    }
  }
  const host = deps.kernel.in(deps.kernel.netns.host);
  for (const network of [...deps.state.networks.values()]) {
    const driver = deps.drivers.get(network.driver);
    const bridgeName = stringField(network.driverState, 'bridgeName');
    if (network.driver !== 'bridge' || driver === undefined || !isNetworkRestorer(driver) || bridgeName === undefined) continue;
    const lost: EndpointRecord[] = [];
    await deps.lock.with([network.id], async () => {
      const current = deps.state.networks.get(network.id);
      if (current === undefined) return;
      const links = new Set((await host.links.list()).map((link) => link.name));
      const dn = driverNetwork(current);
      if (!links.has(bridgeName)) {
        try {
          await driver.restoreNetwork(dn);
          const attached: string[] = [];
          for (const endpoint of deps.state.endpointsOf({ networkId: current.id })) attached.push(...await driver.restoreEndpoint(dn, { id: endpoint.id, state: endpoint.driverState }));
          note(current, { problem: `bridge ${bridgeName} was deleted`, action: `re-created it${attached.length === 0 ? '' : `, re-attached ${attached.join(', ')}`}`, repaired: true });
        } catch (error) {
          note(current, { problem: `bridge ${bridgeName} was deleted`, action: `could not re-create it: ${String(error)}`, repaired: false });
        }
      }
      for (const endpoint of deps.state.endpointsOf({ networkId: current.id })) {
        const hostVeth = stringField(endpoint.driverState, 'hostVeth');
        if (hostVeth !== undefined && !links.has(hostVeth)) lost.push(endpoint);
      }
    });
    // Outside the network's lock: disconnect and connect take it themselves.
    for (const endpoint of lost) {
      if (!deps.state.endpoints.has(endpoint.id)) continue;
      const problem = `interface ${stringField(endpoint.driverState, 'hostVeth') ?? '?'} of ${endpoint.name} was deleted`;
      try {
        await verbs.disconnect({ network: network.id, sandbox: endpoint.sandboxId, force: true });
        await verbs.connect({
          network: network.id, sandbox: endpoint.sandboxId, aliases: endpoint.aliases,
          ...(endpoint.address === undefined ? {} : { ipv4Address: plainIp(endpoint.address) }),
          ...(endpoint.addressIpv6 === undefined ? {} : { ipv6Address: plainIp(endpoint.addressIpv6) }),
          ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }),
          ...(endpoint.ports === undefined || endpoint.ports.length === 0 ? {} : { publish: publishSpecs(endpoint.ports) }),
        });
        note(network, { problem, action: 'connected the sandbox again with the same address', repaired: true });
      } catch (error) {
        note(network, { problem, action: `could not connect the sandbox again: ${String(error)}`, repaired: false });
      }
    }
  }
  return findings;
}

/** The latest findings per network (at most `perNetwork`), for `network inspect`. */
export class DriftLog {
  readonly #byNetwork = new Map<string, DriftFinding[]>();
  readonly #perNetwork: number;

  constructor(init: { readonly perNetwork: number }) {
    this.#perNetwork = init.perNetwork;
  }

  /** Keeps new findings; forgets networks that no longer exist. */
  record(findings: readonly DriftFinding[], known: (networkId: string) => boolean): void {
    for (const finding of findings) {
      const list = this.#byNetwork.get(finding.networkId) ?? [];
      list.push(finding);
      this.#byNetwork.set(finding.networkId, list.slice(-this.#perNetwork));
    }
    for (const id of [...this.#byNetwork.keys()]) if (!known(id)) this.#byNetwork.delete(id);
  }

  /** A network's findings, oldest first. */
  of(networkId: string): readonly DriftFinding[] {
    return this.#byNetwork.get(networkId) ?? [];
  }
}
