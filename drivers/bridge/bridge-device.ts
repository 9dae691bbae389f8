import { BerthError, hasCode } from '../../src/errors/index.js';
import type { NetnsKernel } from '../../src/kernel/index.js';
import { randomMac } from './mac-address.js';

/** What a bridge network needs in the host namespace. */
export interface BridgeDeviceSpec {
  readonly networkId: string;
  readonly bridgeName: string;
  readonly mtu: number | undefined;
  /** Gateway addresses "ip/len" to put on the bridge. */
  readonly addresses: readonly string[];
  readonly ipv6: boolean;
  readonly forwarding: boolean;
}

/** Owner marker of a network's bridge. */
export function bridgeAlias(networkId: string): string {
  return `berth:${networkId}`;
}

async function setSysctl(host: NetnsKernel, key: string, value: string): Promise<void> {
  try {
    await host.sysctls.set(key, value);
  } catch (error) {
    // IPv6 may be disabled in this kernel: then there is nothing to set.
    if (!hasCode(error, 'SYSCTL_NOT_FOUND')) throw error;
  }
}

/**
 * Converges the bridge (libnetwork setup_device/setup_ipv4/setup_ipv6): creates it when
 * missing (marked with the network's id), or adopts a pre-existing bridge that no other berth
 * network owns; adds gateway addresses, enables forwarding, brings it up. Returns whether it
 * created the device and what it repaired.
 */
export async function ensureBridge(host: NetnsKernel, spec: BridgeDeviceSpec): Promise<{ created: boolean; repaired: string[] }> {
  const repaired: string[] = [];
  const existing = await host.links.find(spec.bridgeName);
  let created = false;
  if (existing === undefined) {
    // A fixed random MAC, as Docker does: otherwise the bridge takes its lowest port's MAC and changes as sandboxes come and go.
    await host.links.create({ kind: 'bridge', name: spec.bridgeName, alias: bridgeAlias(spec.networkId), mac: randomMac(), ...(spec.mtu === undefined ? {} : { mtu: spec.mtu }) });
    created = true;
    repaired.push(`bridge ${spec.bridgeName}`);
  } else if (existing.kind !== 'bridge') {
    throw new BerthError('INVALID_OPTION', `com.docker.network.bridge.name=${spec.bridgeName}: a ${existing.kind ?? 'non-bridge'} link with that name exists`, { object: spec.bridgeName });
  } else if (existing.alias?.startsWith('berth:') === true && existing.alias !== bridgeAlias(spec.networkId)) {
    throw new BerthError('INVALID_OPTION', `com.docker.network.bridge.name=${spec.bridgeName}: the bridge belongs to another berth network`, { object: spec.bridgeName });
  }
  try {
    await setSysctl(host, `net/ipv6/conf/${spec.bridgeName}/accept_ra`, '0');
    if (spec.ipv6) await setSysctl(host, `net/ipv6/conf/${spec.bridgeName}/disable_ipv6`, '0');
    // Published ports on 127.0.0.1 are DNATed to sandboxes on this bridge: allow 127/8 to be routed there.
    await host.sysctls.set(`net/ipv4/conf/${spec.bridgeName}/route_localnet`, '1');
    const present = new Set((await host.addresses.list(spec.bridgeName)).map((address) => address.cidr));
    for (const address of spec.addresses) {
      if (present.has(address)) continue;
      await host.addresses.add(spec.bridgeName, address, { noDad: true });
      repaired.push(`address ${address}`);
    }
    if (spec.forwarding) {
      await host.sysctls.set('net.ipv4.ip_forward', '1');
      if (spec.ipv6) await setSysctl(host, 'net.ipv6.conf.all.forwarding', '1');
    }
    await host.links.set(spec.bridgeName, { up: true });
  } catch (error) {
    if (created) await host.links.remove(spec.bridgeName);
    throw error;
  }
  return { created, repaired };
}

/** Removes the bridge if berth created it, otherwise only the addresses berth added. Idempotent. */
export async function removeBridge(host: NetnsKernel, init: { readonly bridgeName: string; readonly createdByBerth: boolean; readonly addresses: readonly string[] }): Promise<void> {
  if (init.createdByBerth) {
    await host.links.remove(init.bridgeName);
    return;
  }
  for (const address of init.addresses) await host.addresses.remove(init.bridgeName, address);
}
