import type { EndpointRecord, NetworkRecord } from './records.js';

/**
 * A local endpoint of a global network as other hosts see it: what they need to reach it (its
 * MAC behind this host's VTEP) and to answer its names. Kept under the host's etcd lease, so it
 * disappears when the host stops renewing it (berthd killed, host dead).
 */
export interface RemotePeer {
  readonly networkId: string;
  readonly endpointId: string;
  readonly hostId: string;
  /** The owning host's VTEP address (its --advertise-addr). */
  readonly vtep: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly aliases: readonly string[];
  readonly mac?: string;
  /** Plain addresses, no prefix length. */
  readonly ipv4?: string;
  readonly ipv6?: string;
}

/** A stored endpoint of a global network and the host that owns it. */
export interface ClusterEndpoint {
  readonly hostId: string;
  readonly record: EndpointRecord;
}

/** Everything global in the cluster store at one revision. */
export interface ClusterSnapshot {
  readonly revision: number;
  readonly networks: readonly NetworkRecord[];
  readonly endpoints: readonly ClusterEndpoint[];
  readonly peers: readonly RemotePeer[];
}

/** One change seen by the watch; deletes carry only what the key names. */
export type ClusterEvent =
  | { readonly kind: 'network-put'; readonly record: NetworkRecord }
  | { readonly kind: 'network-delete'; readonly networkId: string }
  | { readonly kind: 'endpoint-put'; readonly endpoint: ClusterEndpoint }
  | { readonly kind: 'endpoint-delete'; readonly networkId: string; readonly endpointId: string }
  | { readonly kind: 'peer-put'; readonly peer: RemotePeer }
  | { readonly kind: 'peer-delete'; readonly networkId: string; readonly endpointId: string };

/** The cluster store as the controller's cluster sync reads it (src/controller/cluster-sync.ts). */
export interface ClusterView {
  /** This host's id in the cluster. */
  readonly hostId: string;
  snapshot(): Promise<ClusterSnapshot>;
  /** Calls `onEvent` for every change after `revision`, in order; reconnects by itself. */
  watch(revision: number, onEvent: (event: ClusterEvent, revision: number) => void): Promise<void>;
  /** Called after the cluster store came back from an outage (lease lost, watch restarted). */
  onReconnect(listener: () => void): void;
  /** Every stored endpoint of a network, on any host (a fresh read). */
  endpointsOf(networkId: string): Promise<readonly ClusterEndpoint[]>;
}
