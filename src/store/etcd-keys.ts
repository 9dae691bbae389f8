/**
 * Key layout of berth's records in etcd, all below one prefix (docs/overlay.md). Networks and
 * endpoints are durable; host and peer keys live on the host's lease.
 */
export const ETCD_PREFIX = '/berth/v1/';

export const etcdKeys = {
  network: (id: string): string => `network/${id}`,
  networks: 'network/',
  endpoint: (networkId: string, endpointId: string): string => `endpoint/${networkId}/${endpointId}`,
  endpointsOf: (networkId: string): string => `endpoint/${networkId}/`,
  endpoints: 'endpoint/',
  /** Bumped by every endpoint change of a network, so a network delete can compare against it. */
  networkRef: (networkId: string): string => `netref/${networkId}`,
  peer: (networkId: string, endpointId: string): string => `peer/${networkId}/${endpointId}`,
  peers: 'peer/',
  host: (hostId: string): string => `host/${hostId}`,
  /** A cluster-wide unique value (name, subnet, VNI, address) and the id of its owner. */
  claim: (what: string): string => `claim/${what}`,
} as const;

/** Which record a watched key names, or undefined for keys the sync ignores. */
export type ParsedKey =
  | { readonly kind: 'network'; readonly networkId: string }
  | { readonly kind: 'endpoint' | 'peer'; readonly networkId: string; readonly endpointId: string };

export function parseEtcdKey(key: string): ParsedKey | undefined {
  const [kind, first, second] = key.split('/');
  if (kind === 'network' && first !== undefined && second === undefined) return { kind, networkId: first };
  if ((kind === 'endpoint' || kind === 'peer') && first !== undefined && second !== undefined) return { kind, networkId: first, endpointId: second };
  return undefined;
}
