import { BerthError } from '../../src/errors/index.js';
import type { DriverState } from '../../src/driver-api/index.js';
import type { EndpointGuard } from './firewall/nft-spoof.js';

/** What the bridge driver keeps with each network in the store. */
export interface BridgeState {
  readonly bridgeName: string;
  /** berth made the device (and removes it); false for a pre-existing bridge berth adopted. */
  readonly createdByBerth: boolean;
  readonly mtu?: number;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  readonly hostBindingIpv4?: string;
  readonly inhibitIpv4: boolean;
  readonly internal: boolean;
  readonly ipv6: boolean;
}

function corrupt(what: string): BerthError {
  return new BerthError('STORE_FAILURE', `stored bridge state is missing or has a bad ${what}`, { object: what });
}

/** Reads stored network state back into its type (it comes from the store as JSON). */
export function readBridgeState(state: DriverState): BridgeState {
  const { bridgeName, createdByBerth, mtu, enableIcc, enableIpMasquerade, hostBindingIpv4, inhibitIpv4, internal, ipv6 } = state;
  if (typeof bridgeName !== 'string') throw corrupt('bridgeName');
  const flag = (value: unknown, name: string): boolean => {
    if (typeof value !== 'boolean') throw corrupt(name);
    return value;
  };
  return {
    bridgeName,
    createdByBerth: flag(createdByBerth, 'createdByBerth'),
    enableIcc: flag(enableIcc, 'enableIcc'),
    enableIpMasquerade: flag(enableIpMasquerade, 'enableIpMasquerade'),
    inhibitIpv4: flag(inhibitIpv4, 'inhibitIpv4'),
    internal: flag(internal, 'internal'),
    ipv6: flag(ipv6, 'ipv6'),
    ...(typeof mtu === 'number' ? { mtu } : {}),
    ...(typeof hostBindingIpv4 === 'string' ? { hostBindingIpv4 } : {}),
  };
}

/**
 * The host-side veth name of one endpoint (the sandbox end is named ethN by the controller), and
 * what it may send as (its anti-spoofing guard): stored at create, so a restarted daemon can
 * re-assert it; absent for endpoints made before berth stored it (those stay unguarded).
 */
export function readEndpointState(state: DriverState): { hostVeth: string; guard?: EndpointGuard } {
  const { hostVeth, macAddress, ipv4, ipv6 } = state;
  if (typeof hostVeth !== 'string') throw corrupt('veth name');
  if (typeof macAddress !== 'string') return { hostVeth };
  return {
    hostVeth,
    guard: { hostVeth, macAddress, ...(typeof ipv4 === 'string' ? { ipv4 } : {}), ...(typeof ipv6 === 'string' ? { ipv6 } : {}) },
  };
}
