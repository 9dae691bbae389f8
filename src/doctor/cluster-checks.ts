import { result } from './check-result.js';
import type { CheckResult } from './check-result.js';
import type { HostProbe } from './host-probe.js';

/** The `cluster-store` of berthd's config file (etcd://HOST:PORT[,HOST:PORT]), undefined when none or unreadable. */
function clusterStore(probe: HostProbe, configFile: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(probe.readText(configFile) ?? '{}');
    const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['cluster-store'] : undefined;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Global scope (overlay networks): every etcd endpoint of the config file's `cluster-store`
 * answers a TCP connect, and the clock is synchronised (etcd leases and the peers' views of
 * them assume it). Without a cluster store only local scope is used: ok.
 */
export async function checkCluster(probe: HostProbe, options: { readonly configFile: string }): Promise<CheckResult[]> {
  const store = clusterStore(probe, options.configFile);
  if (store === undefined) return [result('cluster.etcd', 'ok', { detail: `no cluster-store in ${options.configFile}: local scope only` })];
  const endpoints = /^etcd:\/\/([^/]+)$/.exec(store)?.[1]?.split(',') ?? [];
  const reachable: string[] = [];
  const unreachable: string[] = [];
  for (const endpoint of endpoints) {
    const match = /^(.+):(\d+)$/.exec(endpoint);
    const up = match?.[1] !== undefined && (await probe.connect({ host: match[1], port: Number(match[2]), timeoutMs: 1500 }));
    (up ? reachable : unreachable).push(endpoint);
  }
  const etcd = unreachable.length === 0 && reachable.length > 0
    ? result('cluster.etcd', 'ok', { detail: `etcd reachable at ${reachable.join(', ')}` })
    : result('cluster.etcd', reachable.length === 0 ? 'fail' : 'warn', {
      detail: `etcd (${store}) not reachable at ${unreachable.join(', ') || 'any endpoint'}: global (overlay) networks cannot be created or changed`,
      fix: 'check the etcd cluster and the path to it (firewall, --advertise-addr routing); local networks keep working meanwhile',
    });
  const clock = await probe.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  const synced = clock?.code === 0 ? clock.stdout.trim() : undefined;
  const time = synced === 'yes'
    ? result('cluster.clock', 'ok', { detail: 'system clock synchronised (NTP)' })
    : result('cluster.clock', 'warn', {
      detail: synced === undefined ? 'cannot tell whether the clock is synchronised (no timedatectl)' : 'system clock not synchronised: cluster lease times and logs across hosts drift apart',
      fix: 'enable time synchronisation: timedatectl set-ntp true (systemd-timesyncd or chrony)',
    });
  return [etcd, time];
}
