import type { DriverNetwork, NetworkDriver } from './network-driver.js';

/** An endpoint of a global network living on another host, as its driver must reach it. */
export interface RemotePeerInfo {
  readonly endpointId: string;
  /** The other host's VTEP address. */
  readonly vtep: string;
  readonly mac?: string;
  /** Plain addresses, no prefix length. */
  readonly ipv4?: string;
  readonly ipv6?: string;
}

/**
 * Optional ability of multi-host drivers (overlay): program how remote endpoints are reached
 * (libnetwork's peerAdd/peerDelete). Both are idempotent; the controller's cluster sync calls
 * them as peers appear and vanish in the cluster store.
 */
export interface PeerSync {
  addPeer(network: DriverNetwork, peer: RemotePeerInfo): Promise<void>;
  removePeer(network: DriverNetwork, peer: RemotePeerInfo): Promise<void>;
  /** Removes what is programmed for peers not in `peers` (gone while the daemon was down); returns what it removed. */
  prunePeers(network: DriverNetwork, peers: readonly RemotePeerInfo[]): Promise<readonly string[]>;
}

/** True when a driver programs remote peers. */
export function isPeerSync(driver: NetworkDriver): driver is NetworkDriver & PeerSync {
  return 'addPeer' in driver && typeof driver.addPeer === 'function';
}
