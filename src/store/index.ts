export type { EndpointRecord, IpamConfigRecord, NetworkRecord, SandboxRecord } from './records.js';
export type { Store, StoreTransaction } from './store.js';
