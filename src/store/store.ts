import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';

/** Writes of one transaction; all or nothing. */
export interface StoreTransaction {
  putNetwork(record: NetworkRecord): void;
  deleteNetwork(id: string): void;
  putEndpoint(record: EndpointRecord): void;
  deleteEndpoint(id: string): void;
  putSandbox(record: SandboxRecord): void;
  deleteSandbox(id: string): void;
}

/** Everything the store holds, as loaded at start. */
export interface StoreSnapshot {
  readonly networks: readonly NetworkRecord[];
  readonly endpoints: readonly EndpointRecord[];
  readonly sandboxes: readonly SandboxRecord[];
}

/**
 * What berth remembers across restarts and crashes. The controller reads everything once
 * (`load`) and keeps it in memory; every change is written through `transaction`, which
 * resolves only once the change is durable (an acknowledged change survives kill -9).
 * Async so that a cluster store (etcd) can implement it too.
 */
export interface Store {
  load(): Promise<StoreSnapshot>;
  /** Applies the writes `change` makes, atomically; STORE_FAILURE (nothing written) if it throws or the commit fails. */
  transaction(change: (tx: StoreTransaction) => void): Promise<void>;
  close(): void;
}
