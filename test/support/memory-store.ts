import type { EndpointRecord, NetworkRecord, SandboxRecord, Store, StoreSnapshot, StoreTransaction } from '../../src/store/index.js';

/** An in-memory Store for tests that do not exercise durability. Transactions are all-or-nothing. */
export class MemoryStore implements Store {
  networks = new Map<string, NetworkRecord>();
  endpoints = new Map<string, EndpointRecord>();
  sandboxes = new Map<string, SandboxRecord>();
  /** Set to make the next commit fail (to test rollback). */
  failNext = false;

  load(): Promise<StoreSnapshot> {
    return Promise.resolve({ networks: [...this.networks.values()], endpoints: [...this.endpoints.values()], sandboxes: [...this.sandboxes.values()] });
  }

  transaction(change: (tx: StoreTransaction) => void): Promise<void> {
    const networks = new Map(this.networks);
    const endpoints = new Map(this.endpoints);
    const sandboxes = new Map(this.sandboxes);
    change({
      putNetwork: (record) => void networks.set(record.id, record),
      deleteNetwork: (id) => void networks.delete(id),
      putEndpoint: (record) => void endpoints.set(record.id, record),
      deleteEndpoint: (id) => void endpoints.delete(id),
      putSandbox: (record) => void sandboxes.set(record.id, record),
      deleteSandbox: (id) => void sandboxes.delete(id),
    });
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('injected store failure'));
    }
    this.networks = networks;
    this.endpoints = endpoints;
    this.sandboxes = sandboxes;
    return Promise.resolve();
  }

  close(): void {
    // nothing to release
  }
}
