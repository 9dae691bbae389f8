import type { EndpointRecord, NetworkRecord, SandboxRecord, Store, StoreSnapshot, StoreTransaction } from '../store/index.js';
import { resolveByIdOrName } from './resolve.js';
import type { NetworkView, SandboxView } from './views.js';

/**
 * The controller's in-memory copy of the store. Reads come from here; every change is
 * committed to the store first and applied here only once it is durable.
 */
export class ControllerState {
  readonly networks = new Map<string, NetworkRecord>();
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly sandboxes = new Map<string, SandboxRecord>();
  readonly #store: Store;

  constructor(store: Store, snapshot: StoreSnapshot) {
    this.#store = store;
    for (const network of snapshot.networks) this.networks.set(network.id, network);
    for (const endpoint of snapshot.endpoints) this.endpoints.set(endpoint.id, endpoint);
    for (const sandbox of snapshot.sandboxes) this.sandboxes.set(sandbox.id, sandbox);
  }

  /** Commits `change` durably, then mirrors it in memory. */
  async commit(change: (tx: StoreTransaction) => void): Promise<void> {
    const mirror: (() => void)[] = [];
    const recorder: StoreTransaction = {
      putNetwork: (record) => mirror.push(() => this.networks.set(record.id, record)),
      deleteNetwork: (id) => mirror.push(() => this.networks.delete(id)),
      putEndpoint: (record) => mirror.push(() => this.endpoints.set(record.id, record)),
      deleteEndpoint: (id) => mirror.push(() => this.endpoints.delete(id)),
      putSandbox: (record) => mirror.push(() => this.sandboxes.set(record.id, record)),
      deleteSandbox: (id) => mirror.push(() => this.sandboxes.delete(id)),
    };
    await this.#store.transaction((tx) => {
      change({
        putNetwork: (record) => { tx.putNetwork(record); recorder.putNetwork(record); },
        deleteNetwork: (id) => { tx.deleteNetwork(id); recorder.deleteNetwork(id); },
        putEndpoint: (record) => { tx.putEndpoint(record); recorder.putEndpoint(record); },
        deleteEndpoint: (id) => { tx.deleteEndpoint(id); recorder.deleteEndpoint(id); },
        putSandbox: (record) => { tx.putSandbox(record); recorder.putSandbox(record); },
        deleteSandbox: (id) => { tx.deleteSandbox(id); recorder.deleteSandbox(id); },
      });
    });
    for (const apply of mirror) apply();
  }

  network(idOrName: string): NetworkRecord {
    return resolveByIdOrName([...this.networks.values()], idOrName, { noun: 'network', notFound: 'NETWORK_NOT_FOUND', ambiguous: 'NETWORK_AMBIGUOUS' });
  }

  sandbox(idOrName: string): SandboxRecord {
    return resolveByIdOrName([...this.sandboxes.values()], idOrName, { noun: 'sandbox', notFound: 'SANDBOX_NOT_FOUND', ambiguous: 'SANDBOX_AMBIGUOUS' });
  }

  endpointsOf(filter: { readonly networkId?: string; readonly sandboxId?: string }): EndpointRecord[] {
    return [...this.endpoints.values()].filter(
      (endpoint) =>
        (filter.networkId === undefined || endpoint.networkId === filter.networkId) &&
        (filter.sandboxId === undefined || endpoint.sandboxId === filter.sandboxId),
    );
  }

  networkView(network: NetworkRecord): NetworkView {
    return {
      network,
      endpoints: this.endpointsOf({ networkId: network.id }).map((endpoint) => ({ endpoint, sandbox: this.sandboxes.get(endpoint.sandboxId) })),
    };
  }

  sandboxView(sandbox: SandboxRecord): SandboxView {
    const endpoints = this.endpointsOf({ sandboxId: sandbox.id })
      .flatMap((endpoint) => {
        const network = this.networks.get(endpoint.networkId);
        return network === undefined ? [] : [{ endpoint, network }];
      })
      .sort((a, b) => a.endpoint.interfaceName.localeCompare(b.endpoint.interfaceName, 'en', { numeric: true }));
    return { sandbox, endpoints };
  }
}
