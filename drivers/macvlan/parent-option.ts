import { BerthError } from '../../src/errors/index.js';

/** The parent (uplink) a macvlan/ipvlan network hangs its sandboxes' links on. */
export type ParentSpec =
  /** An interface that must exist (eth0, bond0, a bridge...). */
  | { readonly kind: 'link'; readonly name: string }
  /** `eth0.100`: the 802.1Q sub-interface for VLAN 100 on eth0, created when missing. */
  | { readonly kind: 'vlan'; readonly name: string; readonly lower: string; readonly vlanId: number }
  /** No parent, or --internal: a berth-made dummy `dm-<id12>`, as Docker does. */
  | { readonly kind: 'dummy'; readonly name: string };

const NAME_PATTERN = /^[^\s/:]{1,15}$/;
const VLAN_PATTERN = /^(.+)\.(\d+)$/;

/** Docker's dummy parent name for a network without a parent (macvlan_network.go getDummyName). */
export function dummyParentName(networkId: string): string {
  return `dm-${networkId.slice(0, 12)}`;
}

/**
 * Reads `-o parent`: `name.N` names VLAN N on `name` (Docker's parseVlan), anything else an
 * existing interface; absent (or `internal`) means a dummy parent.
 */
export function parseParentOption(init: { readonly networkId: string; readonly value: string | undefined; readonly internal: boolean }): ParentSpec {
  const { value } = init;
  if (init.internal) {
    if (value !== undefined) {
      throw new BerthError('INVALID_OPTION', `invalid option parent=${JSON.stringify(value)}: an --internal network gets its own dummy parent (${dummyParentName(init.networkId)}) and no uplink; drop -o parent or --internal`, { object: 'parent' });
    }
    return { kind: 'dummy', name: dummyParentName(init.networkId) };
  }
  if (value === undefined) return { kind: 'dummy', name: dummyParentName(init.networkId) };
  if (!NAME_PATTERN.test(value)) throw new BerthError('INVALID_OPTION', `invalid option parent=${JSON.stringify(value)}: an interface name of 1-15 characters, no spaces, '/' or ':'`, { object: 'parent' });
  const vlan = VLAN_PATTERN.exec(value);
  if (vlan?.[1] === undefined || vlan[2] === undefined) return { kind: 'link', name: value };
  const vlanId = Number(vlan[2]);
  if (!(vlanId >= 1 && vlanId <= 4094)) {
    throw new BerthError('INVALID_OPTION', `invalid option parent=${value}: VLAN id ${vlan[2]} is outside 1-4094 (name.N is VLAN N on interface name)`, { object: 'parent' });
  }
  return { kind: 'vlan', name: value, lower: vlan[1], vlanId };
}
