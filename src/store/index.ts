export type { EndpointRecord, IpamConfigRecord, NetworkRecord, SandboxRecord } from './records.js';
export type { Store, StoreSnapshot, StoreTransaction } from './store.js';
export { SqliteStore } from './sqlite-store.js';
