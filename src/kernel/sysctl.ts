/**
 * Sysctls of one namespace, named by their dotted path: "net.ipv4.ip_forward",
 * "net.ipv6.conf.eth0.accept_dad". Only net.* keys are per namespace.
 */
export interface SysctlOps {
  /** SYSCTL_NOT_FOUND if the key does not exist in this namespace. */
  get(key: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}
