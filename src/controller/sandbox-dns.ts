import { readFileSync } from 'node:fs';
import { Address4, Address6 } from 'ip-address';
import type { DnsEndpoint } from '../../dns/name-registry.js';
import type { ServedSandbox } from '../../dns/embedded-dns.js';
import type { Upstream } from '../../dns/dns-types.js';
import type { NetworkRecord, SandboxRecord } from '../store/index.js';
import type { ControllerDeps } from './controller-deps.js';
import { plainIp } from './ipam-allocation.js';
import { resolvConfNameservers } from './sandbox-files.js';

/** The embedded DNS as the controller drives it (dns/embedded-dns.ts). */
export interface SandboxDns {
  readonly registry: { put(endpoint: DnsEndpoint): void; remove(endpointId: string): void };
  serve(sandbox: ServedSandbox): void;
  stop(sandboxId: string): void;
}

/** At most this many upstream servers are asked, like Docker and glibc. */
const MAX_UPSTREAMS = 3;

/** Docker's rule: the embedded DNS serves user-defined networks, not the predefined bridge, host or none. */
export function usesEmbeddedDns(network: NetworkRecord): boolean {
  return !network.predefined && network.driver !== 'host' && network.driver !== 'null';
}

function contains(network: NetworkRecord, ip: string): boolean {
  if (Address4.isValid(ip)) return network.ipam.ipv4.some((config) => new Address4(ip).isInSubnet(new Address4(config.allocated.pool)));
  if (Address6.isValid(ip)) return network.ipam.ipv6.some((config) => new Address6(ip).isInSubnet(new Address6(config.allocated.pool)));
  return false;
}

function readHostResolvConf(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Where the embedded DNS of a sandbox forwards: its --dns servers, else the daemon's
 * --dns-upstream, else the host's nameservers — loopback ones included, because forwarding
 * happens from the daemon's namespace, where 127.0.0.53 is reachable. An upstream inside one of
 * the sandbox's subnets is asked from the sandbox's namespace. A sandbox only on internal
 * networks forwards only to upstreams inside them.
 */
export function upstreamsFor(deps: ControllerDeps, init: { readonly sandbox: SandboxRecord; readonly networks: readonly NetworkRecord[] }): Upstream[] {
  const { sandbox, networks } = init;
  const configured = deps.paths.upstreamDns ?? [];
  const servers = sandbox.dns.servers.length > 0 ? sandbox.dns.servers : configured.length > 0 ? configured : resolvConfNameservers(readHostResolvConf(deps.paths.hostResolvConf));
  const internalOnly = networks.every((network) => network.internal);
  const upstreams: Upstream[] = [];
  for (const server of servers) {
    const ip = server.replace(/^\[|\]$/g, '');
    const inside = networks.some((network) => contains(network, ip));
    if (internalOnly && !inside) continue;
    upstreams.push(inside ? { ip, port: 53, netns: { path: sandbox.netnsPath } } : { ip, port: 53 });
  }
  return upstreams.slice(0, MAX_UPSTREAMS);
}

/**
 * Brings the embedded DNS in line with a sandbox's endpoints: every endpoint on a network with
 * embedded DNS is registered, and the sandbox's listener runs while it has at least one.
 */
export function syncSandboxDns(deps: ControllerDeps, sandbox: SandboxRecord): void {
  const dns = deps.dns;
  if (dns === undefined) return;
  const attached = deps.state.endpointsOf({ sandboxId: sandbox.id }).flatMap((endpoint) => {
    const network = deps.state.networks.get(endpoint.networkId);
    return network === undefined ? [] : [{ endpoint, network }];
  });
  const served = attached.filter((entry) => usesEmbeddedDns(entry.network));
  for (const { endpoint, network } of served) {
    dns.registry.put({
      endpointId: endpoint.id, networkId: network.id, networkName: network.name, sandboxId: sandbox.id, sandboxName: sandbox.name, aliases: endpoint.aliases,
      ...(endpoint.address === undefined ? {} : { ipv4: plainIp(endpoint.address) }),
      ...(endpoint.addressIpv6 === undefined ? {} : { ipv6: plainIp(endpoint.addressIpv6) }),
    });
  }
  if (served.length === 0 || sandbox.netnsPath === deps.kernel.netns.host.path) {
    dns.stop(sandbox.id);
    return;
  }
  try {
    dns.serve({ id: sandbox.id, netns: { path: sandbox.netnsPath }, upstreams: upstreamsFor(deps, { sandbox, networks: attached.map((entry) => entry.network) }) });
  } catch (error) {
    deps.log.error({ sandbox: sandbox.id, error: String(error) }, 'embedded DNS could not listen in the sandbox');
  }
}
