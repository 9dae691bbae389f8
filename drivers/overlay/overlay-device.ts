import { BerthError } from '../../src/errors/index.js';
import type { NetnsKernel } from '../../src/kernel/index.js';
import { overlayDeviceNames } from './overlay-state.js';

/** VXLAN over IPv4 adds 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
export const VXLAN_OVERHEAD = 50;

export interface OverlayDeviceSpec {
  readonly networkId: string;
  readonly vni: number;
  /** This host's VTEP address (--advertise-addr). */
  readonly local: string;
  /** The user's MTU; absent: the uplink's MTU − 50. */
  readonly mtu: number | undefined;
}

/** The link that holds `address`: the underlay the VXLAN packets leave by. */
async function uplinkOf(host: NetnsKernel, address: string): Promise<{ name: string; mtu: number }> {
  const owner = (await host.addresses.list()).find((info) => info.cidr.split('/')[0] === address);
  if (owner === undefined) {
    throw new BerthError('INVALID_ARGUMENT', `advertise address ${address} is not an address of this host`, { object: address, operation: 'create overlay network' });
  }
  const link = await host.links.get(owner.link);
  return { name: link.name, mtu: link.mtu };
}

/** The MTU of a network's sandbox interfaces on this host. */
export async function overlayMtu(host: NetnsKernel, spec: Pick<OverlayDeviceSpec, 'local' | 'mtu'>): Promise<number> {
  return spec.mtu ?? (await uplinkOf(host, spec.local)).mtu - VXLAN_OVERHEAD;
}

/**
 * Converges a network's devices in the host namespace: bridge "ov-<id>" and VXLAN "vx-<id>"
 * (VNI, UDP 4789, local VTEP, learning off: berth programs every remote MAC) enslaved to it,
 * both marked with the network's id and up. The bridge has no address: the host is not on the
 * overlay, so overlay subnets stay out of its routing and two overlays cannot reach each other.
 */
export async function ensureOverlayDevices(host: NetnsKernel, spec: OverlayDeviceSpec): Promise<{ repaired: string[] }> {
  const names = overlayDeviceNames(spec.networkId);
  const alias = `berth:${spec.networkId}`;
  const mtu = await overlayMtu(host, spec);
  const uplink = await uplinkOf(host, spec.local);
  const repaired: string[] = [];
  if ((await host.links.find(names.bridge)) === undefined) {
    await host.links.create({ kind: 'bridge', name: names.bridge, alias, mtu, up: true });
    repaired.push(`bridge ${names.bridge}`);
  }
  const vxlan = await host.links.find(names.vxlan);
  if (vxlan !== undefined && vxlan.vni !== spec.vni) {
    await host.links.remove(names.vxlan);
    repaired.push(`vxlan ${names.vxlan} had VNI ${String(vxlan.vni)}`);
  }
  if (vxlan === undefined || vxlan.vni !== spec.vni) {
    await host.links.create({ kind: 'vxlan', name: names.vxlan, alias, vni: spec.vni, local: spec.local, parent: uplink.name, learning: false, mtu, master: names.bridge, up: true });
    repaired.push(`vxlan ${names.vxlan} (VNI ${spec.vni})`);
  } else {
    await host.links.set(names.vxlan, { master: names.bridge, up: true });
  }
  await host.links.set(names.bridge, { up: true });
  return { repaired };
}

/** Removes a network's VXLAN and bridge; succeeds when they are gone. */
export async function removeOverlayDevices(host: NetnsKernel, networkId: string): Promise<void> {
  const names = overlayDeviceNames(networkId);
  await host.links.remove(names.vxlan);
  await host.links.remove(names.bridge);
}
