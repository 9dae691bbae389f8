import { randomBytes } from 'node:crypto';
import type {
  DriverEndpoint, DriverNetwork, DriverState, EndpointRequest, JoinResult, NetworkDriver, NetworkIpam, NetworkPlan, NetworkRequest, NetworkRestorer,
  PeerSync, RemotePeerInfo, SandboxTarget,
} from '../../src/driver-api/index.js';
import { BerthError } from '../../src/errors/index.js';
import type { NetnsKernel } from '../../src/kernel/index.js';
import { FIRST_DYNAMIC_VNI, MAX_VNI, parseOverlayOptions } from './options.js';
import { ensureOverlayDevices, overlayMtu, removeOverlayDevices } from './overlay-device.js';
import { overlayDeviceNames, readOverlayEndpointState, readOverlayState } from './overlay-state.js';
import type { OverlayState } from './overlay-state.js';

/** The all-zeros MAC: a vxlan's flood entries (broadcast, unknown unicast) carry one destination per remote VTEP. */
const FLOOD_MAC = '00:00:00:00:00:00';

function randomMac(): string {
  const bytes = randomBytes(6);
  // Locally administered, unicast.
  bytes[0] = ((bytes[0] ?? 0) & 0xfe) | 0x02;
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/**
 * The `overlay` driver (libnetwork drivers/overlay, without swarm): per network a VXLAN device
 * on a bridge in the host namespace, sandbox veths on that bridge, and static FDB and neighbour
 * entries for the remote endpoints the cluster store announces (PeerSync). Global scope: the
 * network and its endpoints live in etcd, and every host builds the same devices from them.
 */
export class OverlayDriver implements NetworkDriver, NetworkRestorer, PeerSync {
  readonly name = 'overlay';
  readonly capabilities = { dataScope: 'global', connectivityScope: 'global' } as const;
  readonly #host: NetnsKernel;
  readonly #advertiseAddress: string;
  /** VNI of every overlay network this host knows (created, loaded or seen in the cluster store). */
  readonly #vnis = new Map<string, number>();
  /** Remote peers programmed per network, to know when a VTEP's flood entry can go. */
  readonly #peers = new Map<string, Map<string, RemotePeerInfo>>();
  /**
   * Sandbox MTU per network, found when its devices are ensured: join must not dump the host's
   * addresses (concurrent netlink dumps on one socket interleave) and the uplink rarely changes.
   */
  readonly #mtus = new Map<string, number>();

  constructor(init: { readonly host: NetnsKernel; readonly advertiseAddress: string }) {
    this.#host = init.host;
    this.#advertiseAddress = init.advertiseAddress;
  }

  /** The cluster-unique values a network holds besides its name and subnets: its VNI. */
  static claimsOf(state: DriverState): readonly string[] {
    return typeof state['vni'] === 'number' ? [`vni/${state['vni']}`] : [];
  }

  planNetwork(request: NetworkRequest, ipam: NetworkIpam): NetworkPlan {
    const options = parseOverlayOptions(request.options);
    if (ipam.ipv4.length > 1 || ipam.ipv6.length > 1) {
      throw new BerthError('INVALID_ARGUMENT', 'overlay driver supports one IPv4 and one IPv6 subnet per network', { object: request.name });
    }
    const used = new Set(this.#vnis.values());
    let vni = options.vni;
    if (vni !== undefined && used.has(vni)) throw new BerthError('INVALID_OPTION', `VNI ${vni} is in use by another overlay network`, { object: String(vni) });
    if (vni === undefined) {
      vni = FIRST_DYNAMIC_VNI;
      while (used.has(vni) && vni <= MAX_VNI) vni += 1;
    }
    const state: OverlayState = { vni, internal: request.internal, ...(options.mtu === undefined ? {} : { mtu: options.mtu }) };
    return { driver: this.name, networkId: request.id, state: { ...state } };
  }

  async createNetwork(plan: NetworkPlan): Promise<DriverState> {
    const state = readOverlayState(plan.state);
    await ensureOverlayDevices(this.#host, { networkId: plan.networkId, vni: state.vni, local: this.#advertiseAddress, mtu: state.mtu });
    this.#vnis.set(plan.networkId, state.vni);
    this.#mtus.set(plan.networkId, await overlayMtu(this.#host, { local: this.#advertiseAddress, mtu: state.mtu }));
    return plan.state;
  }

  /** Builds (or repairs) the devices of a network created elsewhere or before a restart. */
  async restoreNetwork(network: DriverNetwork): Promise<readonly string[]> {
    const state = readOverlayState(network.state);
    this.#vnis.set(network.id, state.vni);
    const { repaired } = await ensureOverlayDevices(this.#host, { networkId: network.id, vni: state.vni, local: this.#advertiseAddress, mtu: state.mtu });
    this.#mtus.set(network.id, await overlayMtu(this.#host, { local: this.#advertiseAddress, mtu: state.mtu }));
    return repaired;
  }

  async restoreEndpoint(network: DriverNetwork, endpoint: DriverEndpoint): Promise<readonly string[]> {
    const { bridge } = overlayDeviceNames(network.id);
    const { hostVeth } = readOverlayEndpointState(endpoint.state);
    const [bridgeLink, veth] = await Promise.all([this.#host.links.find(bridge), this.#host.links.find(hostVeth)]);
    if (bridgeLink === undefined || veth === undefined || (veth.masterIndex === bridgeLink.index && veth.up)) return [];
    await this.#host.links.set(hostVeth, { master: bridge, up: true });
    return [`${hostVeth} on ${bridge}`];
  }

  async removeNetwork(network: DriverNetwork): Promise<void> {
    await removeOverlayDevices(this.#host, network.id);
    this.#vnis.delete(network.id);
    this.#peers.delete(network.id);
    this.#mtus.delete(network.id);
  }

  createEndpoint(network: DriverNetwork, endpoint: EndpointRequest): Promise<DriverEndpoint> {
    readOverlayState(network.state);
    return Promise.resolve({
      id: endpoint.id, macAddress: endpoint.macAddress ?? randomMac(), state: { hostVeth: `veth${randomBytes(4).toString('hex').slice(0, 7)}` },
      ...(endpoint.address === undefined ? {} : { address: endpoint.address }),
      ...(endpoint.addressIpv6 === undefined ? {} : { addressIpv6: endpoint.addressIpv6 }),
    });
  }

  async removeEndpoint(_network: DriverNetwork, endpoint: DriverEndpoint): Promise<void> {
    await this.#host.links.remove(readOverlayEndpointState(endpoint.state).hostVeth);
  }

  /** A veth pair: host end on the network's bridge, sandbox end created straight in the sandbox. No gateway: overlays are flat L2. */
  async join(network: DriverNetwork, endpoint: DriverEndpoint, sandbox: SandboxTarget): Promise<JoinResult> {
    const state = readOverlayState(network.state);
    const { bridge } = overlayDeviceNames(network.id);
    const { hostVeth } = readOverlayEndpointState(endpoint.state);
    const mtu = this.#mtus.get(network.id) ?? (await overlayMtu(this.#host, { local: this.#advertiseAddress, mtu: state.mtu }));
    this.#mtus.set(network.id, mtu);
    await this.#host.links.create({
      kind: 'veth', name: hostVeth, alias: `berth:${network.id}:${endpoint.id}`, master: bridge, up: true, mtu,
      peer: { name: sandbox.interfaceName, netnsPath: sandbox.netnsPath, mtu, ...(endpoint.macAddress === undefined ? {} : { mac: endpoint.macAddress }) },
    });
    return { interface: { sourceName: sandbox.interfaceName, inSandbox: true }, staticRoutes: [], disableGatewayService: true };
  }

  async leave(_network: DriverNetwork, endpoint: DriverEndpoint): Promise<void> {
    await this.#host.links.remove(readOverlayEndpointState(endpoint.state).hostVeth);
  }

  /**
   * Programs one remote endpoint: its MAC → its host's VTEP (FDB), its addresses → its MAC
   * (neighbour), and the VTEP in the flood list so ARP and broadcasts reach that host.
   */
  async addPeer(network: DriverNetwork, peer: RemotePeerInfo): Promise<void> {
    if (peer.vtep === this.#advertiseAddress) return;
    const { vxlan } = overlayDeviceNames(network.id);
    const peers = this.#peers.get(network.id) ?? new Map<string, RemotePeerInfo>();
    this.#peers.set(network.id, peers);
    peers.set(peer.endpointId, peer);
    await this.#host.fdb.ensure({ link: vxlan, mac: FLOOD_MAC, destination: peer.vtep, append: true });
    if (peer.mac === undefined) return;
    await this.#host.fdb.ensure({ link: vxlan, mac: peer.mac, destination: peer.vtep });
    for (const ip of [peer.ipv4, peer.ipv6]) if (ip !== undefined) await this.#host.neighbours.ensure({ link: vxlan, ip, mac: peer.mac });
  }

  /** After a restart: FDB and neighbour entries of the VXLAN device that no live peer accounts for go. */
  async prunePeers(network: DriverNetwork, peers: readonly RemotePeerInfo[]): Promise<readonly string[]> {
    const { vxlan } = overlayDeviceNames(network.id);
    if ((await this.#host.links.find(vxlan)) === undefined) return [];
    const remote = peers.filter((peer) => peer.vtep !== this.#advertiseAddress);
    const wanted = new Set(remote.flatMap((peer) => [`${FLOOD_MAC}>${peer.vtep}`, ...(peer.mac === undefined ? [] : [`${peer.mac}>${peer.vtep}`])]));
    const wantedIps = new Set(remote.flatMap((peer) => [peer.ipv4, peer.ipv6].filter((ip): ip is string => ip !== undefined)));
    const removed: string[] = [];
    for (const entry of await this.#host.fdb.list(vxlan)) {
      if (entry.destination === undefined || wanted.has(`${entry.mac}>${entry.destination}`)) continue;
      await this.#host.fdb.remove(entry);
      removed.push(`fdb ${entry.mac} dst ${entry.destination}`);
    }
    for (const entry of await this.#host.neighbours.list(vxlan)) {
      if (wantedIps.has(entry.ip)) continue;
      await this.#host.neighbours.remove(entry);
      removed.push(`neighbour ${entry.ip}`);
    }
    return removed;
  }

  async removePeer(network: DriverNetwork, peer: RemotePeerInfo): Promise<void> {
    const { vxlan } = overlayDeviceNames(network.id);
    const peers = this.#peers.get(network.id);
    peers?.delete(peer.endpointId);
    if (peer.mac !== undefined) {
      for (const ip of [peer.ipv4, peer.ipv6]) if (ip !== undefined) await this.#host.neighbours.remove({ link: vxlan, ip });
      await this.#host.fdb.remove({ link: vxlan, mac: peer.mac, destination: peer.vtep });
      // And what the bridge learned from the peer's frames (on its VXLAN port), so nothing points at a dead MAC.
      await this.#host.fdb.remove({ link: vxlan, mac: peer.mac });
    }
    const stillUsed = [...(peers?.values() ?? [])].some((other) => other.vtep === peer.vtep);
    if (!stillUsed) await this.#host.fdb.remove({ link: vxlan, mac: FLOOD_MAC, destination: peer.vtep });
  }
}
