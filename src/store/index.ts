export type { EndpointRecord, IpamConfigRecord, NetworkRecord, SandboxRecord } from './records.js';
export type { Store, StoreSnapshot, StoreTransaction } from './store.js';
export { SqliteStore } from './sqlite-store.js';
export type { ClusterEndpoint, ClusterEvent, ClusterSnapshot, ClusterView, RemotePeer } from './etcd-cluster.js';
