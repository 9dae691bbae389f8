import { BerthError } from '../../src/errors/index.js';
import type { DriverState } from '../../src/driver-api/index.js';

/** What the overlay driver keeps with each network; the same on every host (names derive from the id). */
export interface OverlayState {
  readonly vni: number;
  /** The MTU the user set; absent: uplink MTU − 50, decided on each host. */
  readonly mtu?: number;
  readonly internal: boolean;
}

function corrupt(what: string): BerthError {
  return new BerthError('STORE_FAILURE', `stored overlay state is missing or has a bad ${what}`, { object: what });
}

export function readOverlayState(state: DriverState): OverlayState {
  const { vni, mtu, internal } = state;
  if (typeof vni !== 'number' || !Number.isInteger(vni)) throw corrupt('vni');
  if (typeof internal !== 'boolean') throw corrupt('internal');
  return { vni, internal, ...(typeof mtu === 'number' ? { mtu } : {}) };
}

/** The host-side veth of one endpoint. */
export function readOverlayEndpointState(state: DriverState): { hostVeth: string } {
  const { hostVeth } = state;
  if (typeof hostVeth !== 'string') throw corrupt('veth name');
  return { hostVeth };
}

/** Device names of a network on every host: "ov-<id 12>" bridge, "vx-<id 12>" VXLAN (15 characters, IFNAMSIZ). */
export function overlayDeviceNames(networkId: string): { bridge: string; vxlan: string } {
  return { bridge: `ov-${networkId.slice(0, 12)}`, vxlan: `vx-${networkId.slice(0, 12)}` };
}
