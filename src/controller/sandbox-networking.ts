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
    if (setup.macAddress !== undefined) await sandbox.links.set(setup.interfaceName, { mac: setup.macAddress });
    if (setup.addressIpv6 !== undefined) await sandbox.sysctls.set(`net/ipv6/conf/${setup.interfaceName}/disable_ipv6`, '0');
    await sandbox.links.set(setup.interfaceName, { up: true });
    if (setup.address !== undefined) await sandbox.addresses.add(setup.interfaceName, setup.address);
    if (setup.addressIpv6 !== undefined) await sandbox.addresses.add(setup.interfaceName, setup.addressIpv6, { noDad: true });
    for (const route of setup.join.staticRoutes) {
      await sandbox.routes.add({ destination: route.destination, link: setup.interfaceName, ...(route.nextHop === undefined ? {} : { gateway: route.nextHop }) });
    }
    if (setup.isGateway) await setDefaultRoutes(kernel, setup);
  } catch (error) {
    await sandbox.links.remove(setup.interfaceName);
    throw error;
  }
}

/** Points the sandbox's default routes at this endpoint's gateways. */
export async function setDefaultRoutes(kernel: Kernel, setup: Pick<InterfaceSetup, 'netnsPath' | 'join' | 'interfaceName'>): Promise<void> {
  const sandbox = kernel.in({ path: setup.netnsPath });
  if (setup.join.gateway !== undefined) {
    await sandbox.routes.remove({ destination: 'default' });
    await sandbox.routes.add({ destination: 'default', gateway: plainIp(setup.join.gateway), link: setup.interfaceName });
  }
  if (setup.join.gatewayIpv6 !== undefined) {
    await sandbox.routes.remove({ destination: 'default6' });
    await sandbox.routes.add({ destination: 'default6', gateway: plainIp(setup.join.gatewayIpv6), link: setup.interfaceName });
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
