import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ClusterOptions, Logger } from '../controller/index.js';
import type { NetnsKernel } from '../kernel/index.js';
import type { NetworkRecord, Store } from '../store/index.js';
import { CompositeStore } from '../store/composite-store.js';
import { EtcdStore } from '../store/etcd-store.js';
import { OverlayDriver } from '../../drivers/index.js';
import type { ClusterStoreOptions } from './options.js';

/** This host's id in the cluster: random, kept in the state directory so a restart keeps it. */
function hostId(root: string): string {
  const path = join(root, 'cluster-host-id');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const id = randomBytes(16).toString('hex');
  writeFileSync(path, `${id}\n`, { mode: 0o600 });
  return id;
}

/** Subnets and VNIs that must be unique across the cluster. */
function networkClaims(record: NetworkRecord): readonly string[] {
  const pools = [...record.ipam.ipv4, ...record.ipam.ipv6].map((config) => `pool/${config.allocated.pool}`);
  return [...pools, ...(record.driver === 'overlay' ? OverlayDriver.claimsOf(record.driverState) : [])];
}

/**
 * With --cluster-store: etcd for global networks beside the local store, the overlay driver,
 * and the controller's cluster sync. Without: the local store alone and no overlay driver.
 */
export async function wireCluster(init: { readonly options: ClusterStoreOptions | undefined; readonly root: string; readonly local: Store; readonly host: NetnsKernel; readonly log: Logger }): Promise<{
  store: Store; drivers: readonly OverlayDriver[]; cluster?: ClusterOptions;
}> {
  const { options } = init;
  if (options === undefined) return { store: init.local, drivers: [] };
  const etcd = await EtcdStore.connect({
    endpoints: options.endpoints, hostId: hostId(init.root), advertiseAddress: options.advertiseAddress, leaseTtl: options.leaseTtl, networkClaims,
    onWarning: (message) => init.log.warn({}, message),
  });
  const store = new CompositeStore({ local: init.local, cluster: etcd });
  return {
    store,
    drivers: [new OverlayDriver({ host: init.host, advertiseAddress: options.advertiseAddress })],
    cluster: { view: etcd, markGlobal: (networkId, global) => store.markGlobal(networkId, global) },
  };
}
