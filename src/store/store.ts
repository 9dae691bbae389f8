import type { EndpointRecord, NetworkRecord, SandboxRecord } from './records.js';

/** Reads and writes of one transaction; all or nothing. */
export interface StoreTransaction {
  putNetwork(record: NetworkRecord): void;
  deleteNetwork(id: string): void;
  putEndpoint(record: EndpointRecord): void;
  deleteEndpoint(id: string): void;
  putSandbox(record: SandboxRecord): void;
  deleteSandbox(id: string): void;
}

/**
 * What berth remembers across restarts and crashes. Writes go through `transaction`, which
 * commits durably before it returns (an acknowledged change survives kill -9).
 */
export interface Store {
  listNetworks(): readonly NetworkRecord[];
  getNetwork(id: string): NetworkRecord | undefined;
  listEndpoints(filter?: { readonly networkId?: string; readonly sandboxId?: string }): readonly EndpointRecord[];
  getEndpoint(id: string): EndpointRecord | undefined;
  listSandboxes(): readonly SandboxRecord[];
  getSandbox(id: string): SandboxRecord | undefined;
  /** Runs `change` in one transaction; STORE_FAILURE (nothing written) if it throws or the commit fails. */
  transaction(change: (tx: StoreTransaction) => void): void;
  close(): void;
}
