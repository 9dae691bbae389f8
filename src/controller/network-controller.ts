import type { ConnectInput, CreateNetworkInput, CreateSandboxInput, DisconnectInput, RemoveSandboxInput } from './inputs.js';
import type { NetworkView, SandboxView } from './views.js';

/**
 * The controller's surface: everything the Engine API, the CLI (through the API) and the
 * plugin server may ask. Names and ids are resolved as Docker does: full id, then exact
 * name, then unique id prefix (NETWORK_AMBIGUOUS / SANDBOX_AMBIGUOUS otherwise).
 */
export interface NetworkController {
  listNetworks(): readonly NetworkView[];
  /** NETWORK_NOT_FOUND / NETWORK_AMBIGUOUS. */
  getNetwork(idOrName: string): NetworkView;
  createNetwork(input: CreateNetworkInput): Promise<NetworkView>;
  /** PREDEFINED_NETWORK (403), NETWORK_HAS_ENDPOINTS (403, Docker's status), NETWORK_NOT_FOUND. */
  removeNetwork(idOrName: string): Promise<void>;
  /** Removes unused, non-predefined networks that `keep` does not protect; returns their names. */
  pruneNetworks(keep?: (view: NetworkView) => boolean): Promise<readonly string[]>;
  connect(input: ConnectInput): Promise<SandboxView>;
  disconnect(input: DisconnectInput): Promise<void>;
  listSandboxes(): readonly SandboxView[];
  getSandbox(idOrName: string): SandboxView;
  createSandbox(input: CreateSandboxInput): Promise<SandboxView>;
  removeSandbox(input: RemoveSandboxInput): Promise<void>;
}
