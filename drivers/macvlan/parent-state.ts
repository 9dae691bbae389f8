import { BerthError } from '../../src/errors/index.js';
import type { DriverState } from '../../src/driver-api/index.js';
import type { ParentSpec } from './parent-option.js';

/** What the macvlan and ipvlan drivers keep with each network in the store. */
export interface ParentNetworkState {
  /** For messages (PARENT_IN_USE names the holder). */
  readonly networkName: string;
  readonly parent: ParentSpec;
  /** berth made the parent (a VLAN sub-interface or a dummy) and deletes it with the network. */
  readonly parentCreatedByBerth: boolean;
  /** macvlan_mode or ipvlan_mode. */
  readonly mode: string;
  readonly internal: boolean;
  /** `berth.host_access`: a shim link on the parent and host routes to the sandboxes. */
  readonly hostAccess: boolean;
  /** Destinations routed through the shim (the ip-range, else the subnet, per family). */
  readonly hostRoutes: readonly string[];
  readonly mtu?: number;
}

function corrupt(what: string): BerthError {
  return new BerthError('STORE_FAILURE', `stored macvlan/ipvlan network state is missing or has a bad ${what}`, { object: what });
}

function readParent(value: unknown): ParentSpec {
  if (typeof value !== 'object' || value === null) throw corrupt('parent');
  const { kind, name, lower, vlanId } = value as Record<string, unknown>;
  if (typeof name !== 'string') throw corrupt('parent name');
  if (kind === 'link' || kind === 'dummy') return { kind, name };
  if (kind === 'vlan' && typeof lower === 'string' && typeof vlanId === 'number') return { kind, name, lower, vlanId };
  throw corrupt('parent kind');
}

/** The state as JSON for the store. */
export function writeParentNetworkState(state: ParentNetworkState): DriverState {
  return {
    networkName: state.networkName, parent: { ...state.parent }, parentCreatedByBerth: state.parentCreatedByBerth, mode: state.mode, internal: state.internal,
    hostAccess: state.hostAccess, hostRoutes: [...state.hostRoutes], ...(state.mtu === undefined ? {} : { mtu: state.mtu }),
  };
}

/** Reads stored network state back into its type. */
export function readParentNetworkState(state: DriverState): ParentNetworkState {
  const { networkName, parent, parentCreatedByBerth, mode, internal, hostAccess, hostRoutes, mtu } = state;
  if (typeof networkName !== 'string') throw corrupt('networkName');
  if (typeof parentCreatedByBerth !== 'boolean') throw corrupt('parentCreatedByBerth');
  if (typeof mode !== 'string') throw corrupt('mode');
  if (typeof internal !== 'boolean') throw corrupt('internal');
  if (typeof hostAccess !== 'boolean') throw corrupt('hostAccess');
  if (!Array.isArray(hostRoutes) || !hostRoutes.every((route) => typeof route === 'string')) throw corrupt('hostRoutes');
  return {
    networkName, parent: readParent(parent), parentCreatedByBerth, mode, internal, hostAccess, hostRoutes,
    ...(typeof mtu === 'number' ? { mtu } : {}),
  };
}
