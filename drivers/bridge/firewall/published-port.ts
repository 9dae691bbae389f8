/** A published port as the firewall rules hold it (nft map element or iptables DNAT rule). */
export interface PublishedPort {
  /** undefined: every local address of the sandbox address's family (0.0.0.0 or ::). */
  readonly hostIp: string | undefined;
  readonly hostPort: number;
  readonly protocol: string;
  /** The sandbox address; its family is the mapping's (host and sandbox addresses share it). */
  readonly containerIp: string;
  readonly containerPort: number;
}

/** 4 or 6: the address family of a mapping. */
export function portFamily(port: PublishedPort): 4 | 6 {
  return port.containerIp.includes(':') ? 6 : 4;
}
