import { setTimeout as sleep } from 'node:timers/promises';
import type { JoinResult } from '../driver-api/index.js';
import type { Kernel } from '../kernel/index.js';
import { plainIp } from './ipam-allocation.js';

/** What the controller configures for one joined endpoint inside its sandbox. */
export interface InterfaceSetup {
  readonly netnsPath: string;
  readonly interfaceName: string;
  readonly join: JoinResult;
  readonly address?: string;
  readonly addressIpv6?: string;
  readonly macAddress?: string;
  /** This endpoint provides the sandbox's default route(s). */
  readonly isGateway: boolean;
}

/**
 * libnetwork's osl part of Join: moves the driver's interface into the sandbox under its
 * ethN name, sets MAC, addresses, link up, and routes. On failure the interface is removed.
 */
export async function configureInterface(kernel: Kernel, setup: InterfaceSetup): Promise<void> {
  const source = setup.join.interface;
  if (source === undefined) return;
  const sandbox = kernel.in({ path: setup.netnsPath });
  if (source.inSandbox) {
    if (source.sourceName !== setup.interfaceName) await sandbox.links.set(source.sourceName, { name: setup.interfaceName });
  } else {
    await kernel.in(kernel.netns.host).links.moveToNetns(source.sourceName, { netnsPath: setup.netnsPath, newName: setup.interfaceName });
  }
  try {
    // Addresses go on before the link comes up, with arp_notify/ndisc_notify, so the kernel announces
    // them (gratuitous ARP, unsolicited NA) at link-up: peers holding a stale entry for a reused
    // address learn the new MAC at once (Docker sends these itself, advertise_addr_nmsgs).
    await sandbox.sysctls.set(`net/ipv4/conf/${setup.interfaceName}/arp_notify`, '1');
    if (setup.addressIpv6 !== undefined) {
      await sandbox.sysctls.set(`net/ipv6/conf/${setup.interfaceName}/disable_ipv6`, '0');
      // As netavark does: no duplicate address detection, so every address (the link-local one
      // too) is usable at once, and no router advertisements, since berth sets the routes itself.
      await sandbox.sysctls.set(`net/ipv6/conf/${setup.interfaceName}/accept_dad`, '0');
      await sandbox.sysctls.set(`net/ipv6/conf/${setup.interfaceName}/accept_ra`, '0');
      await sandbox.sysctls.set(`net/ipv6/conf/${setup.interfaceName}/ndisc_notify`, '1');
    }
    if (setup.address !== undefined) await sandbox.addresses.add(setup.interfaceName, setup.address);
    if (setup.addressIpv6 !== undefined) await sandbox.addresses.add(setup.interfaceName, setup.addressIpv6, { noDad: true });
    await sandbox.links.set(setup.interfaceName, { up: true, ...(setup.macAddress === undefined ? {} : { mac: setup.macAddress }) });
    // In the background: the reply does not wait for the link watcher (a few ms) or the ARPs.
    if (setup.address !== undefined && setup.macAddress !== undefined) void announce(kernel, { ...setup, address: setup.address, macAddress: setup.macAddress }).catch(() => undefined);
    for (const route of setup.join.staticRoutes) {
      await sandbox.routes.add({ destination: route.destination, link: setup.interfaceName, ...(route.nextHop === undefined ? {} : { gateway: route.nextHop }) });
    }
    if (setup.isGateway) await setDefaultRoutes(kernel, setup);
  } catch (error) {
    await sandbox.links.remove(setup.interfaceName);
    throw error;
  }
}

/** When the gratuitous ARPs of a join go out, in ms after the link is operationally up (Docker sends 3 too). */
const ANNOUNCE_SCHEDULE_MS = [0, 50, 250];

/**
 * The kernel's own announcement at link-up (arp_notify) is often dropped: a veth transmits only
 * once the link watcher has activated its queues (on both ends), a few milliseconds later. So
 * wait for operstate UP (bounded), then send gratuitous ARPs ourselves on a short schedule,
 * in the background: a failure (the sandbox went away meanwhile) is only logged.
 */
async function announce(kernel: Kernel, setup: InterfaceSetup & { readonly address: string; readonly macAddress: string }): Promise<void> {
  const sandbox = kernel.in({ path: setup.netnsPath });
  let link = await sandbox.links.get(setup.interfaceName);
  for (let waited = 0; !link.operUp && waited < 500; waited += 5) {
    await sleep(5);
    link = await sandbox.links.get(setup.interfaceName);
  }
  const packet = { ifindex: link.index, ip: plainIp(setup.address), mac: setup.macAddress };
  for (const delay of ANNOUNCE_SCHEDULE_MS) {
    const send = (): void => {
      try {
        kernel.sockets.sendGratuitousArp(sandbox.netns, packet);
      } catch {
        // The sandbox or its interface is gone: nothing left to announce.
      }
    };
    if (delay === 0) send();
    else setTimeout(send, delay).unref();
  }
}

/** Points the sandbox's default routes at this endpoint's gateways. */
export async function setDefaultRoutes(kernel: Kernel, setup: Pick<InterfaceSetup, 'netnsPath' | 'join' | 'interfaceName'>): Promise<void> {
  const sandbox = kernel.in({ path: setup.netnsPath });
  if (setup.join.gateway !== undefined) {
    await sandbox.routes.replace({ destination: 'default', gateway: plainIp(setup.join.gateway), link: setup.interfaceName });
  }
  if (setup.join.gatewayIpv6 !== undefined) {
    await sandbox.routes.replace({ destination: 'default6', gateway: plainIp(setup.join.gatewayIpv6), link: setup.interfaceName });
  }
}

/** Removes an endpoint's interface from its sandbox; fine when it (or the sandbox) is gone. */
export async function removeInterface(kernel: Kernel, setup: Pick<InterfaceSetup, 'netnsPath' | 'interfaceName'>): Promise<void> {
  try {
    await kernel.in({ path: setup.netnsPath }).links.remove(setup.interfaceName);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'NETNS_NOT_FOUND') return;
    throw error;
  }
}
