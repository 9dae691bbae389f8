import { DOCKER_DEFAULT_POOLS, overlaps } from '../../ipam/index.js';
import { result } from './check-result.js';
import type { CheckResult } from './check-result.js';
import type { HostProbe } from './host-probe.js';

interface IpRoute {
  readonly dst?: string;
  readonly dev?: string;
  readonly protocol?: string;
}

interface IpLink {
  readonly ifname?: string;
  readonly ifalias?: string;
}

function parseJsonList<T>(text: string | undefined): T[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

/** Route protocol berth marks its routes with (src/kernel: RTPROT 98). */
const BERTH_ROUTE_PROTOCOL = '98';

/**
 * Routes of this namespace's main table that overlap berth's default IPv4 pools, ignoring
 * berth's own (protocol 98 or a device whose alias starts with `berth:`). berth's IPAM only
 * avoids its own networks, so a network could get a subnet the host already routes elsewhere.
 */
export async function checkRouteOverlap(probe: HostProbe, pools: readonly string[] = DOCKER_DEFAULT_POOLS.map((pool) => pool.base)): Promise<CheckResult> {
  const routes = await probe.run('ip', ['-j', '-4', 'route', 'show']);
  if (routes === undefined || routes.code !== 0) return result('routes.overlap', 'warn', { detail: 'cannot list routes (`ip -j route` failed)', fix: 'apt-get install iproute2' });
  const links = await probe.run('ip', ['-j', 'link', 'show']);
  const berthDevices = new Set(parseJsonList<IpLink>(links?.stdout).filter((link) => link.ifalias?.startsWith('berth:') === true).map((link) => link.ifname));
  const clashes: string[] = [];
  for (const route of parseJsonList<IpRoute>(routes.stdout)) {
    if (route.dst === undefined || route.dst === 'default' || route.protocol === BERTH_ROUTE_PROTOCOL || berthDevices.has(route.dev)) continue;
    const pool = pools.find((base) => {
      try {
        return overlaps(route.dst ?? '', base);
      } catch {
        return false;
      }
    });
    if (pool !== undefined) clashes.push(`${route.dst}${route.dev === undefined ? '' : ` dev ${route.dev}`} overlaps pool ${pool}`);
  }
  if (clashes.length === 0) return result('routes.overlap', 'ok', { detail: `no route overlaps berth's default pools (${pools.join(', ')})` });
  return result('routes.overlap', 'warn', {
    detail: `routes overlap berth's default pools: ${clashes.join('; ')} — a network created without --subnet may get a clashing subnet`,
    fix: 'start berthd with --default-address-pool base=CIDR,size=N outside these routes (or in /etc/berth/daemon.json), or give networks --subnet',
  });
}
