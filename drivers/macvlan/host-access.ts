import { BerthError, hasCode } from '../../src/errors/index.js';
import type { IpvlanMode, NetnsKernel } from '../../src/kernel/index.js';
import { networkAlias } from './parent-link.js';

/** The host-side link that lets the host reach the network's sandboxes (berth.host_access). */
export interface HostShim {
  readonly networkId: string;
  /** `mv-<id12>` / `iv-<id12>`. */
  readonly name: string;
  readonly parent: string;
  /** macvlan in bridge mode, or ipvlan in the network's mode. */
  readonly link: { readonly kind: 'macvlan' } | { readonly kind: 'ipvlan'; readonly mode: IpvlanMode };
  /** Destinations to route through the shim. */
  readonly routes: readonly string[];
}

/** The shim's name for a network: `<prefix>-<first 12 of its id>`. */
export function shimName(prefix: string, networkId: string): string {
  return `${prefix}-${networkId.slice(0, 12)}`;
}

/**
 * By design a macvlan parent never hands frames between itself and its children, so the host
 * cannot reach its own macvlan sandboxes (Docker's long-standing limit). A sibling link on the
 * same parent, in bridge mode, can: frames between bridge-mode children stay inside the driver.
 * The shim carries no address; a host route to the network's ip-range through it is enough
 * (the kernel picks the host's LAN address as source and the shim answers ARP for it).
 * Converges: creates what is missing, returns what it made.
 */
export async function ensureHostShim(host: NetnsKernel, shim: HostShim): Promise<string[]> {
  const made: string[] = [];
  const existing = await host.links.find(shim.name);
  if (existing === undefined) {
    await host.links.create({
      name: shim.name, parent: shim.parent, alias: networkAlias(shim.networkId), up: true,
      ...(shim.link.kind === 'macvlan' ? { kind: 'macvlan', mode: 'bridge' } : { kind: 'ipvlan', mode: shim.link.mode }),
    });
    made.push(`host access link ${shim.name}`);
  } else if (!existing.up) {
    await host.links.set(shim.name, { up: true });
    made.push(`host access link ${shim.name} up`);
  }
  const present = new Set((await host.routes.list({ family: 4 })).filter((route) => route.link === shim.name).map((route) => route.destination));
  for (const destination of shim.routes) {
    if (present.has(destination)) continue;
    try {
      await host.routes.add({ destination, link: shim.name });
    } catch (error) {
      if (!hasCode(error, 'ROUTE_EXISTS')) throw error;
      throw new BerthError('INVALID_OPTION', `berth.host_access: the host already routes ${destination} another way (usually the parent's own LAN route); give the network an --ip-range inside the subnet, which berth routes through ${shim.name}`, { object: destination, cause: error });
    }
    made.push(`host route ${destination} via ${shim.name}`);
  }
  return made;
}

/** Removes the shim (its routes go with it); idempotent. */
export async function removeHostShim(host: NetnsKernel, name: string): Promise<void> {
  await host.links.remove(name);
}
