import type { IpamDriver, NetworkDriver } from '../driver-api/index.js';
import type { Kernel } from '../kernel/index.js';
import type { ControllerState } from './controller-state.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Logger } from './logger.js';
import type { SandboxDns } from './sandbox-dns.js';
import type { ClusterSync } from './cluster-sync.js';

/** Names Docker reserves for its predefined networks. */
export const PREDEFINED_NETWORK_NAMES = ['bridge', 'host', 'none'] as const;

/** Where the controller keeps sandbox files and namespaces. */
export interface ControllerPaths {
  /** Directory of sandbox namespace bind mounts (<run-root>/netns). */
  readonly netnsDir: string;
  /** Directory of per-sandbox files: hosts, resolv.conf, hostname (<run-root>/sandboxes). */
  readonly sandboxDir: string;
  /** The host's resolv.conf, the source of upstream nameservers. */
  readonly hostResolvConf: string;
  /** `--dns-upstream`: nameservers for sandboxes without --dns, instead of the host's resolv.conf. */
  readonly upstreamDns?: readonly string[];
}

/** Everything the controller's parts share; wired once by the composition root. */
export interface ControllerDeps {
  readonly state: ControllerState;
  readonly drivers: ReadonlyMap<string, NetworkDriver>;
  readonly ipams: ReadonlyMap<string, IpamDriver>;
  readonly kernel: Kernel;
  readonly lock: KeyedLock;
  readonly log: Logger;
  readonly paths: ControllerPaths;
  /** The embedded DNS (dns/); absent: sandboxes resolve through their upstreams directly. */
  readonly dns?: SandboxDns | undefined;
  /** Following a cluster store (--cluster-store); absent: every network is local. */
  readonly cluster?: ClusterSync | undefined;
  /** Networks another owner keeps (the Docker plugin's): reconcile leaves their berth-marked links alone. */
  readonly foreignNetworks?: (() => ReadonlySet<string>) | undefined;
  /** 64 hex characters, random. */
  newId(): string;
  now(): Date;
}
