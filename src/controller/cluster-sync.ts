import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError, hasCode } from '../errors/index.js';
import { isNetworkRestorer, isPeerSync } from '../driver-api/index.js';
import type { RemotePeerInfo } from '../driver-api/index.js';
import type { ClusterEndpoint, ClusterEvent, ClusterSnapshot, ClusterView, NetworkRecord, RemotePeer } from '../store/index.js';
import type { ControllerDeps } from './controller-deps.js';
import { plainIp, releasePools, replayPools } from './ipam-allocation.js';
import { NETWORKS_LOCK, driverNetwork } from './network-ops.js';

/** What the controller needs to follow a cluster store (composition root: EtcdStore + CompositeStore). */
export interface ClusterOptions {
  readonly view: ClusterView;
  /** Tells the store which networks are global (their endpoints are written to etcd). */
  markGlobal(networkId: string, global: boolean): void;
}

/** How often a change that lost a race to another host is retried after catching up. */
const CONFLICT_ATTEMPTS = 10;

function peerInfo(peer: RemotePeer): RemotePeerInfo {
  return {
    endpointId: peer.endpointId, vtep: peer.vtep,
    ...(peer.mac === undefined ? {} : { mac: peer.mac }),
    ...(peer.ipv4 === undefined ? {} : { ipv4: peer.ipv4 }),
    ...(peer.ipv6 === undefined ? {} : { ipv6: peer.ipv6 }),
  };
}

/**
 * Keeps this host's controller in step with the cluster store: global networks created or
 * removed on other hosts appear and vanish here (IPAM pools replayed, devices built by the
 * driver), other hosts' endpoint addresses are reserved in the local IPAM (so a local allocation
 * avoids them; the etcd transaction is the backstop), and their live peers are programmed into
 * the driver (FDB, neighbours) and the embedded DNS. Events apply one at a time, in revision order.
 */
export class ClusterSync {
  readonly #options: ClusterOptions;
  #deps: ControllerDeps | undefined;
  /** Other hosts' endpoints whose addresses are reserved here. */
  readonly #endpoints = new Map<string, ClusterEndpoint>();
  /** Other hosts' live peers, programmed (or waiting for their network). */
  readonly #peers = new Map<string, RemotePeer>();
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ClusterOptions) {
    this.#options = options;
  }

  get #d(): ControllerDeps {
    if (this.#deps === undefined) throw new BerthError('INTERNAL', 'cluster sync used before start');
    return this.#deps;
  }

  /** Applies the current cluster state, then follows the watch; re-syncs whole after an outage. */
  async start(deps: ControllerDeps): Promise<void> {
    this.#deps = deps;
    for (const network of deps.state.networks.values()) if (network.scope === 'global') this.#options.markGlobal(network.id, true);
    const snapshot = await this.#options.view.snapshot();
    await this.#enqueue(() => this.#applySnapshot(snapshot));
    await this.#options.view.watch(snapshot.revision, (event) => void this.#enqueue(() => this.#apply(event)));
    this.#options.view.onReconnect(() => void this.catchUp().catch((error: unknown) => deps.log.warn({ error: String(error) }, 'cluster re-sync failed')));
  }

  /** Reads the whole cluster state now and applies what the watch has not delivered yet. */
  async catchUp(): Promise<void> {
    const snapshot = await this.#options.view.snapshot();
    await this.#enqueue(() => this.#applySnapshot(snapshot));
  }

  /**
   * Runs a change, and when another host won a race for the same name, subnet, VNI or address
   * (CLUSTER_CONFLICT), catches up with the cluster store and runs it again.
   */
  async retryOnConflict<T>(change: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await change();
      } catch (error) {
        if (!hasCode(error, 'CLUSTER_CONFLICT') || attempt >= CONFLICT_ATTEMPTS) throw error;
        this.#d.log.info({ attempt }, 'lost a race in the cluster store; catching up and retrying');
        await sleep(Math.floor(Math.random() * 20 * attempt));
        await this.catchUp();
      }
    }
  }

  /** A global network can go only when no host has an endpoint on it (a fresh read, not the watch's view). */
  async checkRemovable(network: NetworkRecord): Promise<void> {
    const endpoints = await this.#options.view.endpointsOf(network.id);
    if (endpoints.length === 0) return;
    const list = endpoints.map((endpoint) => `name:"${endpoint.record.name}" host:"${endpoint.hostId}"`).join(', ');
    throw new BerthError('NETWORK_HAS_ENDPOINTS', `error while removing network: network ${network.name} has active endpoints (${list})`, { object: network.name });
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(step).catch((error: unknown) => this.#d.log.error({ error: String(error) }, 'cluster sync step failed'));
    this.#queue = run;
    return run;
  }

  async #applySnapshot(snapshot: ClusterSnapshot): Promise<void> {
    const networkIds = new Set(snapshot.networks.map((network) => network.id));
    for (const network of snapshot.networks) await this.#networkPut(network);
    for (const network of [...this.#d.state.networks.values()]) {
      if (network.scope === 'global' && !networkIds.has(network.id)) await this.#networkDelete(network.id);
    }
    const endpointIds = new Set(snapshot.endpoints.map((endpoint) => endpoint.record.id));
    for (const endpoint of snapshot.endpoints) await this.#endpointPut(endpoint);
    for (const id of [...this.#endpoints.keys()]) if (!endpointIds.has(id)) await this.#endpointDelete(id);
    const peerIds = new Set(snapshot.peers.map((peer) => peer.endpointId));
    for (const peer of snapshot.peers) await this.#peerPut(peer);
    for (const id of [...this.#peers.keys()]) if (!peerIds.has(id)) await this.#peerDelete(id);
    await this.#prunePeers();
  }

  /** Kernel entries for peers that went while this daemon was not watching (it was down, or etcd was). */
  async #prunePeers(): Promise<void> {
    const deps = this.#d;
    for (const network of deps.state.networks.values()) {
      const driver = deps.drivers.get(network.driver);
      if (network.scope !== 'global' || driver === undefined || !isPeerSync(driver)) continue;
      const peers = [...this.#peers.values()].filter((peer) => peer.networkId === network.id).map(peerInfo);
      try {
        const removed = await driver.prunePeers(driverNetwork(network), peers);
        if (removed.length > 0) deps.log.warn({ network: network.id, removed }, 'removed entries of peers that are gone');
      } catch (error) {
        deps.log.warn({ network: network.id, error: String(error) }, 'pruning stale peers failed');
      }
    }
  }

  async #apply(event: ClusterEvent): Promise<void> {
    switch (event.kind) {
      case 'network-put': return this.#networkPut(event.record);
      case 'network-delete': return this.#networkDelete(event.networkId);
      case 'endpoint-put': return this.#endpointPut(event.endpoint);
      case 'endpoint-delete': return this.#endpointDelete(event.endpointId);
      case 'peer-put': return this.#peerPut(event.peer);
      case 'peer-delete': return this.#peerDelete(event.endpointId);
    }
  }

  /** A global network this host did not create: replay its pools, build its devices, list it. */
  async #networkPut(record: NetworkRecord): Promise<void> {
    const deps = this.#d;
    await deps.lock.with([NETWORKS_LOCK, record.id], async () => {
      if (deps.state.networks.has(record.id)) return;
      if ([...deps.state.networks.values()].some((network) => network.name === record.name)) {
        deps.log.error({ network: record.id, name: record.name }, 'a global network has the name of a local one; not listed here');
        return;
      }
      const ipam = deps.ipams.get(record.ipam.driver);
      try {
        if (ipam !== undefined) {
          await replayPools(ipam, record.ipam.ipv4, false);
          await replayPools(ipam, record.ipam.ipv6, true);
        }
        const driver = deps.drivers.get(record.driver);
        if (driver !== undefined && isNetworkRestorer(driver)) await driver.restoreNetwork(driverNetwork(record));
      } catch (error) {
        deps.log.error({ network: record.id, name: record.name, error: String(error) }, 'global network cannot be set up on this host');
      }
      deps.state.networks.set(record.id, record);
      this.#options.markGlobal(record.id, true);
      deps.log.info({ network: record.id, name: record.name }, 'global network appeared');
    });
    for (const peer of this.#peers.values()) if (peer.networkId === record.id) await this.#program(peer, 'add');
  }

  /** A global network removed elsewhere: its devices, pools and listing go. */
  async #networkDelete(networkId: string): Promise<void> {
    const deps = this.#d;
    await deps.lock.with([NETWORKS_LOCK, networkId], async () => {
      const record = deps.state.networks.get(networkId);
      if (record === undefined) return;
      if (deps.state.endpointsOf({ networkId }).length > 0) {
        deps.log.error({ network: networkId }, 'global network removed from the cluster store while this host has endpoints on it');
        return;
      }
      await deps.drivers.get(record.driver)?.removeNetwork(driverNetwork(record)).catch((error: unknown) => deps.log.warn({ network: networkId, error: String(error) }, 'remove devices of a global network'));
      deps.state.networks.delete(networkId);
      this.#options.markGlobal(networkId, false);
      const ipam = deps.ipams.get(record.ipam.driver);
      if (ipam !== undefined) {
        await releasePools(ipam, record.ipam.ipv4).catch(() => undefined);
        await releasePools(ipam, record.ipam.ipv6).catch(() => undefined);
      }
      deps.log.info({ network: networkId, name: record.name }, 'global network removed elsewhere');
    });
  }

  /** Another host's endpoint: its addresses are reserved here too. */
  async #endpointPut(endpoint: ClusterEndpoint): Promise<void> {
    const deps = this.#d;
    if (endpoint.hostId === this.#options.view.hostId || this.#endpoints.has(endpoint.record.id)) return;
    const network = deps.state.networks.get(endpoint.record.networkId);
    const ipam = network === undefined ? undefined : deps.ipams.get(network.ipam.driver);
    this.#endpoints.set(endpoint.record.id, endpoint);
    if (ipam === undefined) return;
    const { record } = endpoint;
    for (const [poolId, address] of [[record.poolId, record.address], [record.poolIdIpv6, record.addressIpv6]] as const) {
      if (poolId === undefined || address === undefined) continue;
      await ipam.requestAddress(poolId, { address: plainIp(address) }).catch((error: unknown) => {
        if (!hasCode(error, 'ADDRESS_IN_USE')) deps.log.warn({ endpoint: record.id, address, error: String(error) }, 'cannot reserve a remote endpoint address');
      });
    }
  }

  async #endpointDelete(endpointId: string): Promise<void> {
    const deps = this.#d;
    const endpoint = this.#endpoints.get(endpointId);
    if (endpoint === undefined) return;
    this.#endpoints.delete(endpointId);
    const network = deps.state.networks.get(endpoint.record.networkId);
    const ipam = network === undefined ? undefined : deps.ipams.get(network.ipam.driver);
    const { record } = endpoint;
    if (ipam === undefined) return;
    if (record.poolId !== undefined && record.address !== undefined) await ipam.releaseAddress(record.poolId, plainIp(record.address)).catch(() => undefined);
    if (record.poolIdIpv6 !== undefined && record.addressIpv6 !== undefined) await ipam.releaseAddress(record.poolIdIpv6, plainIp(record.addressIpv6)).catch(() => undefined);
  }

  async #peerPut(peer: RemotePeer): Promise<void> {
    if (peer.hostId === this.#options.view.hostId) return;
    const known = this.#peers.get(peer.endpointId);
    if (known !== undefined && JSON.stringify(known) === JSON.stringify(peer)) return;
    if (known !== undefined) await this.#program(known, 'remove');
    this.#peers.set(peer.endpointId, peer);
    await this.#program(peer, 'add');
  }

  async #peerDelete(endpointId: string): Promise<void> {
    const peer = this.#peers.get(endpointId);
    if (peer === undefined) return;
    this.#peers.delete(endpointId);
    await this.#program(peer, 'remove');
  }

  /** FDB/neighbour entries through the driver, and the peer's names in the embedded DNS. */
  async #program(peer: RemotePeer, action: 'add' | 'remove'): Promise<void> {
    const deps = this.#d;
    const network = deps.state.networks.get(peer.networkId);
    if (network === undefined) return;
    const driver = deps.drivers.get(network.driver);
    try {
      if (driver !== undefined && isPeerSync(driver)) {
        if (action === 'add') await driver.addPeer(driverNetwork(network), peerInfo(peer));
        else await driver.removePeer(driverNetwork(network), peerInfo(peer));
      }
    } catch (error) {
      deps.log.warn({ network: network.id, endpoint: peer.endpointId, action, error: String(error) }, 'programming a remote peer failed');
    }
    if (action === 'remove') {
      deps.dns?.registry.remove(peer.endpointId);
      return;
    }
    deps.dns?.registry.put({
      endpointId: peer.endpointId, networkId: network.id, networkName: network.name, sandboxId: peer.sandboxId, sandboxName: peer.sandboxName, aliases: peer.aliases,
      ...(peer.ipv4 === undefined ? {} : { ipv4: peer.ipv4 }),
      ...(peer.ipv6 === undefined ? {} : { ipv6: peer.ipv6 }),
    });
    deps.log.debug({ network: network.id, endpoint: peer.endpointId, vtep: peer.vtep }, 'remote peer programmed');
  }
}
