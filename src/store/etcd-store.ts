import { Etcd3 } from 'etcd3';
import type { ComparatorBuilder, Lease, Namespace, IKeyValue } from 'etcd3';
import { BerthError } from '../errors/index.js';
import type { EndpointRecord, NetworkRecord } from './records.js';
import { parseEndpointRecord, parseNetworkRecord } from './record-codec.js';
import type { ClusterEndpoint, ClusterEvent, ClusterSnapshot, ClusterView, RemotePeer } from './etcd-cluster.js';
import { ETCD_PREFIX, etcdKeys, parseEtcdKey } from './etcd-keys.js';
import { parseRemotePeer } from './etcd-peer-codec.js';

/** One etcd transaction compare: a key's create or mod revision against a number (0: absent). */
interface Compare {
  readonly key: string;
  readonly target: 'Create' | 'Mod';
  readonly cmp: '==' | '>';
  readonly value: number;
}

/** One write of a global record, routed here by the composite store. */
export type GlobalWrite =
  | { readonly kind: 'putNetwork'; readonly record: NetworkRecord }
  | { readonly kind: 'deleteNetwork'; readonly id: string }
  | { readonly kind: 'putEndpoint'; readonly record: EndpointRecord }
  | { readonly kind: 'deleteEndpoint'; readonly id: string };

export interface EtcdStoreOptions {
  /** "http://198.18.0.1:2379", ... */
  readonly endpoints: readonly string[];
  readonly hostId: string;
  /** This host's VTEP address, published with its peers. */
  readonly advertiseAddress: string;
  /** Seconds; a dead host's peers vanish this long after its last renewal. */
  readonly leaseTtl: number;
  /** Cluster-wide unique values a network holds besides its name (subnets, VNIs): "vni/4096". */
  readonly networkClaims: (record: NetworkRecord) => readonly string[];
  readonly onWarning?: (message: string) => void;
}

function unavailable(operation: string, error: unknown): BerthError {
  if (error instanceof BerthError) return error;
  return new BerthError('CLUSTER_UNAVAILABLE', `${operation}: cluster store unreachable: ${error instanceof Error ? error.message : String(error)}`, { operation, cause: error });
}

function plain(cidr: string | undefined): string | undefined {
  return cidr?.split('/')[0];
}

/** Claims an endpoint holds: its addresses on its network. */
function endpointClaims(record: EndpointRecord): string[] {
  return [record.address, record.addressIpv6].flatMap((cidr) => (cidr === undefined ? [] : [`address/${record.networkId}/${plain(cidr) ?? cidr}`]));
}

function nameClaim(record: NetworkRecord): string {
  return `name/${record.name}`;
}

/**
 * Global networks and their endpoints in etcd. Every write is one etcd transaction whose
 * compares guard what must stay unique across hosts: a new network's name, subnets and VNI, a
 * new endpoint's addresses (claim keys that must not exist yet), the network an endpoint joins
 * (must exist), and a network delete (no endpoint changed since it was checked). A failed
 * compare is CLUSTER_CONFLICT; the controller's cluster sync catches up and the change is retried.
 */
export class EtcdStore implements ClusterView {
  readonly hostId: string;
  readonly #client: Etcd3;
  readonly #kv: Namespace;
  readonly #options: EtcdStoreOptions;
  /** This host's endpoints of global networks (to delete by id, and to re-publish peers). */
  readonly #own = new Map<string, EndpointRecord>();
  readonly #reconnectListeners: (() => void)[] = [];
  #lease: Lease;
  #leaseId: Promise<string>;
  #closed = false;

  private constructor(options: EtcdStoreOptions) {
    this.hostId = options.hostId;
    this.#options = options;
    this.#client = new Etcd3({ hosts: [...options.endpoints], dialTimeout: 3000 });
    this.#kv = this.#client.namespace(ETCD_PREFIX);
    const { lease, id } = this.#grantLease();
    this.#lease = lease;
    this.#leaseId = id;
  }

  /** Connects, grants this host's lease and publishes the host key; CLUSTER_UNAVAILABLE if etcd does not answer. */
  static async connect(options: EtcdStoreOptions): Promise<EtcdStore> {
    const store = new EtcdStore(options);
    try {
      await store.#leaseId;
      await store.#lease.put(etcdKeys.host(options.hostId)).value(JSON.stringify({ address: options.advertiseAddress }));
    } catch (error) {
      store.close();
      throw unavailable(`connect to cluster store ${options.endpoints.join(',')}`, error);
    }
    return store;
  }

  #grantLease(): { lease: Lease; id: Promise<string> } {
    const lease = this.#kv.lease(this.#options.leaseTtl, { autoKeepAlive: true });
    lease.on('lost', (error) => {
      if (this.#closed) return;
      this.#options.onWarning?.(`cluster lease lost (${error.message}); granting a new one`);
      void this.#renewLease();
    });
    const id = lease.grant();
    id.catch(() => undefined);
    return { lease, id };
  }

  /** After the lease was lost (etcd down longer than the TTL): a new lease, host key and peers again. */
  async #renewLease(): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt += 1) {
      try {
        const { lease, id } = this.#grantLease();
        this.#lease = lease;
        this.#leaseId = id;
        await id;
        await lease.put(etcdKeys.host(this.hostId)).value(JSON.stringify({ address: this.#options.advertiseAddress }));
        for (const record of this.#own.values()) await this.#putPeer(record);
        for (const listener of this.#reconnectListeners) listener();
        return;
      } catch (error) {
        this.#options.onWarning?.(`cluster lease renewal failed (attempt ${attempt + 1}): ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  async #putPeer(record: EndpointRecord): Promise<void> {
    await this.#kv.put(etcdKeys.peer(record.networkId, record.id)).value(JSON.stringify(this.#peerOf(record))).lease(this.#leaseId);
  }

  #peerOf(record: EndpointRecord): RemotePeer {
    const ipv4 = plain(record.address);
    const ipv6 = plain(record.addressIpv6);
    return {
      networkId: record.networkId, endpointId: record.id, hostId: this.hostId, vtep: this.#options.advertiseAddress,
      sandboxId: record.sandboxId, sandboxName: record.name, aliases: record.aliases,
      ...(record.macAddress === undefined ? {} : { mac: record.macAddress }),
      ...(ipv4 === undefined ? {} : { ipv4 }),
      ...(ipv6 === undefined ? {} : { ipv6 }),
    };
  }

  /** Global networks, and this host's endpoints of them; re-publishes this host's peers. */
  async load(): Promise<{ networks: NetworkRecord[]; endpoints: EndpointRecord[] }> {
    try {
      const snapshot = await this.snapshot();
      const endpoints = snapshot.endpoints.filter((endpoint) => endpoint.hostId === this.hostId).map((endpoint) => endpoint.record);
      for (const record of endpoints) {
        this.#own.set(record.id, record);
        await this.#putPeer(record);
      }
      return { networks: [...snapshot.networks], endpoints };
    } catch (error) {
      throw unavailable('load global networks', error);
    }
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const range = await this.#kv.getAll().prefix('').exec();
    const networks: NetworkRecord[] = [];
    const endpoints: ClusterEndpoint[] = [];
    const peers: RemotePeer[] = [];
    for (const kv of range.kvs) {
      const event = this.#decode(kv, 'put');
      if (event?.kind === 'network-put') networks.push(event.record);
      if (event?.kind === 'endpoint-put') endpoints.push(event.endpoint);
      if (event?.kind === 'peer-put') peers.push(event.peer);
    }
    return { revision: Number(range.header.revision), networks, endpoints, peers };
  }

  #decode(kv: IKeyValue, type: 'put' | 'delete'): ClusterEvent | undefined {
    // Range responses carry full keys; etcd3's namespaced watcher already strips the prefix.
    const raw = kv.key.toString();
    const key = parseEtcdKey(raw.startsWith(ETCD_PREFIX) ? raw.slice(ETCD_PREFIX.length) : raw);
    if (key === undefined) return undefined;
    try {
      if (key.kind === 'network') {
        return type === 'delete' ? { kind: 'network-delete', networkId: key.networkId } : { kind: 'network-put', record: parseNetworkRecord(JSON.parse(kv.value.toString())) };
      }
      if (type === 'delete') return { kind: key.kind === 'endpoint' ? 'endpoint-delete' : 'peer-delete', networkId: key.networkId, endpointId: key.endpointId };
      const value: unknown = JSON.parse(kv.value.toString());
      if (key.kind === 'peer') return { kind: 'peer-put', peer: parseRemotePeer(value) };
      const wrapper = value as { hostId?: unknown; record?: unknown };
      if (typeof wrapper.hostId !== 'string') throw new Error('hostId is missing');
      return { kind: 'endpoint-put', endpoint: { hostId: wrapper.hostId, record: parseEndpointRecord(wrapper.record) } };
    } catch (error) {
      this.#options.onWarning?.(`ignoring corrupt cluster record ${kv.key.toString()}: ${String(error)}`);
      return undefined;
    }
  }

  async watch(revision: number, onEvent: (event: ClusterEvent, revision: number) => void): Promise<void> {
    const watcher = await this.#kv.watch().prefix('').startRevision(String(revision + 1)).create();
    const emit = (type: 'put' | 'delete') => (kv: IKeyValue): void => {
      const event = this.#decode(kv, type);
      if (event !== undefined) onEvent(event, Number(kv.mod_revision));
    };
    watcher.on('put', emit('put'));
    watcher.on('delete', emit('delete'));
    watcher.on('disconnected', () => this.#options.onWarning?.('cluster watch disconnected; reconnecting'));
    watcher.on('connected', () => {
      for (const listener of this.#reconnectListeners) listener();
    });
  }

  async endpointsOf(networkId: string): Promise<readonly ClusterEndpoint[]> {
    try {
      const range = await this.#kv.getAll().prefix(etcdKeys.endpointsOf(networkId)).exec();
      return range.kvs.flatMap((kv) => {
        const event = this.#decode(kv, 'put');
        return event?.kind === 'endpoint-put' ? [event.endpoint] : [];
      });
    } catch (error) {
      throw unavailable(`list endpoints of network ${networkId}`, error);
    }
  }

  /** Applies the writes in one etcd transaction; CLUSTER_CONFLICT when another host got there first. */
  async apply(writes: readonly GlobalWrite[]): Promise<void> {
    if (writes.length === 0) return;
    let txn: ComparatorBuilder | undefined;
    const operations: Parameters<ComparatorBuilder['then']> = [];
    const ownChanges: (() => void)[] = [];
    const compare = (condition: Compare): void => {
      const { key, target, cmp, value } = condition;
      txn = txn === undefined ? this.#kv.if(key, target, cmp, value) : txn.and(key, target, cmp, value);
    };
    try {
      for (const write of writes) await this.#plan(write, { compare, operations, ownChanges });
      if (operations.length === 0) return;
      // etcd3's builder needs one compare; this one always holds.
      const builder = txn ?? this.#kv.if(etcdKeys.host(this.hostId), 'Mod', '>', -1);
      const result = await builder.then(...operations).commit();
      if (result.succeeded !== true) {
        throw new BerthError('CLUSTER_CONFLICT', 'another host changed the same network, name, subnet, VNI or address in the cluster store first', { operation: 'commit to cluster store' });
      }
    } catch (error) {
      throw unavailable('commit to cluster store', error);
    }
    for (const change of ownChanges) change();
  }

  async #plan(write: GlobalWrite, into: {
    compare: (condition: Compare) => void;
    operations: Parameters<ComparatorBuilder['then']>;
    ownChanges: (() => void)[];
  }): Promise<void> {
    const { compare, operations, ownChanges } = into;
    const kv = this.#kv;
    switch (write.kind) {
      case 'putNetwork': {
        const key = etcdKeys.network(write.record.id);
        const existing = await kv.get(key).exec();
        const current = existing.kvs[0];
        if (current === undefined) {
          compare({ key, target: 'Create', cmp: '==', value: 0 });
          for (const claim of [nameClaim(write.record), ...this.#options.networkClaims(write.record)]) {
            compare({ key: etcdKeys.claim(claim), target: 'Create', cmp: '==', value: 0 });
            operations.push(kv.put(etcdKeys.claim(claim)).value(write.record.id));
          }
        } else {
          compare({ key, target: 'Mod', cmp: '==', value: Number(current.mod_revision) });
        }
        operations.push(kv.put(key).value(JSON.stringify(write.record)));
        return;
      }
      case 'deleteNetwork': {
        const key = etcdKeys.network(write.id);
        const reference = await kv.get(etcdKeys.networkRef(write.id)).exec();
        const existing = await kv.get(key).exec();
        const current = existing.kvs[0];
        if (current === undefined) return;
        const record = parseNetworkRecord(JSON.parse(current.value.toString()));
        const endpoints = await this.endpointsOf(write.id);
        if (endpoints.length > 0) {
          const list = endpoints.map((endpoint) => `name:"${endpoint.record.name}" host:"${endpoint.hostId}"`).join(', ');
          throw new BerthError('NETWORK_HAS_ENDPOINTS', `error while removing network: network ${record.name} has active endpoints (${list})`, { object: record.name });
        }
        compare({ key, target: 'Mod', cmp: '==', value: Number(current.mod_revision) });
        compare({ key: etcdKeys.networkRef(write.id), target: 'Mod', cmp: '==', value: Number(reference.kvs[0]?.mod_revision ?? 0) });
        operations.push(kv.delete().key(key), kv.delete().key(etcdKeys.networkRef(write.id)));
        for (const claim of [nameClaim(record), ...this.#options.networkClaims(record)]) operations.push(kv.delete().key(etcdKeys.claim(claim)));
        return;
      }
      case 'putEndpoint': {
        const record = write.record;
        compare({ key: etcdKeys.network(record.networkId), target: 'Create', cmp: '>', value: 0 });
        if (!this.#own.has(record.id)) {
          for (const claim of endpointClaims(record)) {
            compare({ key: etcdKeys.claim(claim), target: 'Create', cmp: '==', value: 0 });
            operations.push(kv.put(etcdKeys.claim(claim)).value(record.id));
          }
        }
        operations.push(
          kv.put(etcdKeys.endpoint(record.networkId, record.id)).value(JSON.stringify({ hostId: this.hostId, record })),
          kv.put(etcdKeys.networkRef(record.networkId)).value(record.id),
          kv.put(etcdKeys.peer(record.networkId, record.id)).value(JSON.stringify(this.#peerOf(record))).lease(this.#leaseId),
        );
        ownChanges.push(() => this.#own.set(record.id, record));
        return;
      }
      case 'deleteEndpoint': {
        const record = this.#own.get(write.id);
        if (record === undefined) return;
        operations.push(
          kv.delete().key(etcdKeys.endpoint(record.networkId, record.id)),
          kv.delete().key(etcdKeys.peer(record.networkId, record.id)),
          kv.put(etcdKeys.networkRef(record.networkId)).value(record.id),
          ...endpointClaims(record).map((claim) => kv.delete().key(etcdKeys.claim(claim))),
        );
        ownChanges.push(() => this.#own.delete(record.id));
        return;
      }
    }
  }

  /** True when `id` is one of this host's endpoints of a global network. */
  ownsEndpoint(id: string): boolean {
    return this.#own.has(id);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The lease is left to expire rather than revoked: a stopped berthd keeps its peers for one
    // TTL, like a crashed one, so a quick restart does not flap every peer's FDB entries.
    this.#lease.release();
    this.#client.close();
  }
}
