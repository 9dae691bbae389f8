import { BerthError } from '../errors/index.js';
import type { Store, StoreSnapshot, StoreTransaction } from './store.js';
import type { EtcdStore, GlobalWrite } from './etcd-store.js';

type LocalWrite = (tx: StoreTransaction) => void;

/**
 * The store of a berthd with --cluster-store: records of global networks (scope "global") and
 * their endpoints go to etcd, everything else (local networks, their endpoints, every sandbox)
 * stays in the local store. A transaction touching both commits to etcd first, then locally:
 * etcd is where a conflict with another host shows, and it must not leave a local half behind.
 * A crash between the two commits is repaired at start like any crash mid-change (reconcile).
 */
export class CompositeStore implements Store {
  readonly #local: Store;
  readonly #cluster: EtcdStore;
  /** Ids of networks whose records live in etcd (loaded, created, or seen by the cluster sync). */
  readonly #global = new Set<string>();

  constructor(init: { readonly local: Store; readonly cluster: EtcdStore }) {
    this.#local = init.local;
    this.#cluster = init.cluster;
  }

  async load(): Promise<StoreSnapshot> {
    const local = await this.#local.load();
    const global = await this.#cluster.load();
    for (const network of global.networks) this.#global.add(network.id);
    return {
      networks: [...local.networks.filter((network) => network.scope !== 'global'), ...global.networks],
      endpoints: [...local.endpoints, ...global.endpoints],
      sandboxes: local.sandboxes,
    };
  }

  /** Tells the store that a network seen through the cluster watch is global (its endpoints go to etcd). */
  markGlobal(networkId: string, global: boolean): void {
    if (global) this.#global.add(networkId);
    else this.#global.delete(networkId);
  }

  async transaction(change: (tx: StoreTransaction) => void): Promise<void> {
    const globalWrites: GlobalWrite[] = [];
    const localWrites: LocalWrite[] = [];
    const newlyGlobal: string[] = [];
    try {
      change({
        putNetwork: (record) => {
          if (record.scope === 'global') {
            globalWrites.push({ kind: 'putNetwork', record });
            newlyGlobal.push(record.id);
          } else localWrites.push((tx) => tx.putNetwork(record));
        },
        deleteNetwork: (id) => {
          if (this.#global.has(id)) globalWrites.push({ kind: 'deleteNetwork', id });
          else localWrites.push((tx) => tx.deleteNetwork(id));
        },
        putEndpoint: (record) => {
          if (this.#global.has(record.networkId) || newlyGlobal.includes(record.networkId)) globalWrites.push({ kind: 'putEndpoint', record });
          else localWrites.push((tx) => tx.putEndpoint(record));
        },
        deleteEndpoint: (id) => {
          if (this.#cluster.ownsEndpoint(id)) globalWrites.push({ kind: 'deleteEndpoint', id });
          else localWrites.push((tx) => tx.deleteEndpoint(id));
        },
        putSandbox: (record) => localWrites.push((tx) => tx.putSandbox(record)),
        deleteSandbox: (id) => localWrites.push((tx) => tx.deleteSandbox(id)),
      });
    } catch (error) {
      if (error instanceof BerthError) throw error;
      throw new BerthError('STORE_FAILURE', `store transaction failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    await this.#cluster.apply(globalWrites);
    for (const id of newlyGlobal) this.#global.add(id);
    for (const write of globalWrites) if (write.kind === 'deleteNetwork') this.#global.delete(write.id);
    if (localWrites.length > 0) await this.#local.transaction((tx) => { for (const write of localWrites) write(tx); });
  }

  close(): void {
    this.#cluster.close();
    this.#local.close();
  }
}
