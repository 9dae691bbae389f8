/**
 * The CNM controller (libnetwork controller.go): networks hold endpoints, a sandbox (a network
 * namespace) joins endpoints. Create a network → request pools from IPAM → the driver plans
 * and creates it. Connect → IPAM address → driver endpoint → driver join → the controller
 * moves the interface into the sandbox. Every change is validated first, undone on failure,
 * serialised per network and sandbox, and committed to the store before it is acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors/index.js';
import type { IpamDriver, NetworkDriver } from '../driver-api/index.js';
import type { Kernel } from '../kernel/index.js';
import type { NetworkRecord, SandboxRecord, Store } from '../store/index.js';
import { ControllerState } from './controller-state.js';
import type { ControllerDeps, ControllerPaths } from './controller-deps.js';
import type { ConnectInput, CreateNetworkInput, CreateSandboxInput, DisconnectInput, RemoveSandboxInput } from './inputs.js';
import { KeyedLock } from './keyed-lock.js';
import type { Logger } from './logger.js';
import type { NetworkController } from './network-controller.js';
import { createNetwork, removeNetwork } from './network-ops.js';
import { connectEndpoint, disconnectEndpoint } from './endpoint-ops.js';
import { createSandbox, removeSandbox } from './sandbox-ops.js';
import { reconcile } from './reconcile.js';
import { DriftLog, repairKernelDrift } from './kernel-drift.js';
import type { DriftFinding } from './kernel-drift.js';
import { syncSandboxDns } from './sandbox-dns.js';
import type { SandboxDns } from './sandbox-dns.js';
import type { ReconcileReport } from './reconcile.js';
import type { NetworkView, SandboxView } from './views.js';
import { ClusterSync } from './cluster-sync.js';
import { GATEWAY_BRIDGE_INPUT, GATEWAY_BRIDGE_NETWORK, unneededGatewayEndpoint, wantsGatewayBridge } from './gateway-bridge.js';
import type { ClusterOptions } from './cluster-sync.js';

export interface ControllerOptions {
  readonly store: Store;
  readonly kernel: Kernel;
  readonly drivers: readonly NetworkDriver[];
  readonly ipams: readonly IpamDriver[];
  readonly paths: ControllerPaths;
  readonly log: Logger;
  /** Networks to create at start when missing (Docker's predefined host/none, later bridge). */
  readonly predefined?: readonly CreateNetworkInput[];
  /** The embedded DNS; absent: sandboxes resolve through their upstreams directly. */
  readonly dns?: SandboxDns;
  /** Networks another owner keeps (the Docker plugin's); see ControllerDeps.foreignNetworks. */
  readonly foreignNetworks?: () => ReadonlySet<string>;
  /** The cluster store to follow for global networks (docs/overlay.md). */
  readonly cluster?: ClusterOptions;
  readonly newId?: () => string;
  readonly now?: () => Date;
}

export class Controller implements NetworkController {
  readonly #deps: ControllerDeps;
  readonly #drift = new DriftLog({ perNetwork: 10 });

  private constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  /** Loads the store, replays IPAM, reconciles the kernel with the store, and creates predefined networks. */
  static async start(options: ControllerOptions): Promise<{ controller: Controller; report: ReconcileReport }> {
    const snapshot = await options.store.load();
    const deps: ControllerDeps = {
      state: new ControllerState(options.store, snapshot),
      drivers: new Map(options.drivers.map((driver) => [driver.name, driver])),
      ipams: new Map(options.ipams.map((ipam) => [ipam.name, ipam])),
      kernel: options.kernel,
      lock: new KeyedLock(),
      log: options.log,
      paths: options.paths,
      dns: options.dns,
      foreignNetworks: options.foreignNetworks,
      cluster: options.cluster === undefined ? undefined : new ClusterSync(options.cluster),
      newId: options.newId ?? (() => randomBytes(32).toString('hex')),
      now: options.now ?? (() => new Date()),
    };
    const report = await reconcile(deps);
    // Listeners are per process: re-open every sandbox's resolver and re-register its names.
    for (const sandbox of deps.state.sandboxes.values()) syncSandboxDns(deps, sandbox);
    await deps.cluster?.start(deps);
    for (const input of options.predefined ?? []) {
      if (![...deps.state.networks.values()].some((network) => network.name === input.name)) {
        await createNetwork(deps, input, { predefined: true });
      }
    }
    return { controller: new Controller(deps), report };
  }

  listNetworks(): readonly NetworkView[] {
    return [...this.#deps.state.networks.values()].map((network) => this.#withDrift(this.#deps.state.networkView(network)));
  }

  getNetwork(idOrName: string): NetworkView {
    return this.#withDrift(this.#deps.state.networkView(this.#deps.state.network(idOrName)));
  }

  #withDrift(view: NetworkView): NetworkView {
    const drift = this.#drift.of(view.network.id);
    return drift.length === 0 ? view : { ...view, kernelDrift: drift };
  }

  /** Finds and repairs kernel objects removed behind berth's back (kernel-drift.ts); network inspect shows the findings. */
  async repairKernelDrift(): Promise<readonly DriftFinding[]> {
    const findings = await repairKernelDrift(this.#deps, {
      connect: (input) => this.connect(input),
      disconnect: (input) => this.disconnect(input),
      removeSandbox: (input) => this.removeSandbox(input),
    });
    this.#drift.record(findings, (id) => this.#deps.state.networks.has(id));
    return findings;
  }

  async createNetwork(input: CreateNetworkInput): Promise<NetworkView> {
    const create = (): Promise<NetworkRecord> => createNetwork(this.#deps, input);
    const record = this.#deps.cluster === undefined ? await create() : await this.#deps.cluster.retryOnConflict(create);
    return this.#deps.state.networkView(record);
  }

  removeNetwork(idOrName: string): Promise<void> {
    return removeNetwork(this.#deps, idOrName);
  }

  async pruneNetworks(keep: (view: NetworkView) => boolean = () => false): Promise<readonly string[]> {
    const removed: string[] = [];
    for (const view of this.listNetworks()) {
      if (view.network.predefined || view.endpoints.length > 0 || keep(view)) continue;
      try {
        await this.removeNetwork(view.network.id);
        removed.push(view.network.name);
      } catch (error) {
        this.#deps.log.warn({ network: view.network.id, error: String(error) }, 'prune skipped a network');
      }
    }
    return removed;
  }

  async connect(input: ConnectInput): Promise<SandboxView> {
    if (this.#deps.cluster === undefined) return this.#connect(input);
    const view = await this.#deps.cluster.retryOnConflict(() => this.#connect(input));
    await this.#syncGatewayBridge(view.sandbox.id);
    return this.getSandbox(view.sandbox.id);
  }

  /** With a cluster store: gives a sandbox on overlay networks its egress endpoint on the gateway bridge, or takes it away. */
  async #syncGatewayBridge(sandboxId: string): Promise<void> {
    try {
      await this.#applyGatewayBridge(sandboxId);
    } catch (error) {
      // The change the user asked for is done; only egress is missing: say so rather than fail it.
      this.#deps.log.error({ sandbox: sandboxId, error: String(error) }, 'gateway bridge endpoint could not be set up');
    }
  }

  async #applyGatewayBridge(sandboxId: string): Promise<void> {
    const deps = this.#deps;
    const sandbox = deps.state.sandboxes.get(sandboxId);
    if (deps.cluster === undefined || sandbox === undefined) return;
    if (wantsGatewayBridge(deps, sandbox)) {
      const network = await deps.lock.with(['gateway-bridge'], async () => {
        const existing = [...deps.state.networks.values()].find((candidate) => candidate.name === GATEWAY_BRIDGE_NETWORK);
        return existing ?? createNetwork(deps, { ...GATEWAY_BRIDGE_INPUT, options: { ...GATEWAY_BRIDGE_INPUT.options } });
      });
      await deps.lock.with([network.id, sandbox.id], async () => {
        await connectEndpoint(deps, { network, sandbox: deps.state.sandbox(sandbox.id), input: { network: network.id } });
      });
      return;
    }
    const endpointId = unneededGatewayEndpoint(deps, sandbox);
    const endpoint = endpointId === undefined ? undefined : deps.state.endpoints.get(endpointId);
    if (endpoint === undefined) return;
    await deps.lock.with([endpoint.networkId, sandbox.id], () => disconnectEndpoint(deps, { endpoint, force: true }));
  }

  async #connect(input: ConnectInput): Promise<SandboxView> {
    const network = this.#deps.state.network(input.network);
    const sandbox = this.#deps.state.sandbox(input.sandbox);
    await this.#deps.lock.with([network.id, sandbox.id], async () => {
      await connectEndpoint(this.#deps, { network: this.#deps.state.network(network.id), sandbox: this.#deps.state.sandbox(sandbox.id), input });
    });
    return this.getSandbox(sandbox.id);
  }

  async disconnect(input: DisconnectInput): Promise<void> {
    const network = this.#deps.state.network(input.network);
    const sandbox = this.#deps.state.sandbox(input.sandbox);
    await this.#deps.lock.with([network.id, sandbox.id], async () => {
      const endpoint = this.#deps.state.endpointsOf({ networkId: network.id, sandboxId: sandbox.id })[0];
      if (endpoint === undefined) {
        throw new BerthError('ENDPOINT_NOT_FOUND', `sandbox ${sandbox.name} is not connected to network ${network.name}`, { object: sandbox.name });
      }
      await disconnectEndpoint(this.#deps, { endpoint, force: input.force === true });
    });
    await this.#syncGatewayBridge(sandbox.id);
  }

  listSandboxes(): readonly SandboxView[] {
    return [...this.#deps.state.sandboxes.values()].map((sandbox) => this.#deps.state.sandboxView(sandbox));
  }

  getSandbox(idOrName: string): SandboxView {
    return this.#deps.state.sandboxView(this.#deps.state.sandbox(idOrName));
  }

  async createSandbox(input: CreateSandboxInput): Promise<SandboxView> {
    // A sandbox created with networks connects them: a lost race for an address is retried whole.
    const create = (): Promise<SandboxRecord> => createSandbox(this.#deps, input);
    const sandbox = this.#deps.cluster === undefined ? await create() : await this.#deps.cluster.retryOnConflict(create);
    await this.#syncGatewayBridge(sandbox.id);
    return this.getSandbox(sandbox.id);
  }

  async removeSandbox(input: RemoveSandboxInput): Promise<void> {
    await removeSandbox(this.#deps, this.#deps.state.sandbox(input.sandbox));
  }
}
