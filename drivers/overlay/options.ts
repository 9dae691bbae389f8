import { BerthError } from '../../src/errors/index.js';

/** Parsed `-o` options of an overlay network (Docker's keys). */
export interface OverlayOptions {
  /** The VNI the user chose (first of vxlanid_list); absent: allocated cluster-wide from 4096 up. */
  readonly vni: number | undefined;
  readonly mtu: number | undefined;
}

const KEYS = {
  vxlanIdList: 'com.docker.network.driver.overlay.vxlanid_list',
  mtu: 'com.docker.network.driver.mtu',
  enableIpv4: 'com.docker.network.enable_ipv4',
  enableIpv6: 'com.docker.network.enable_ipv6',
} as const;
const KNOWN = new Set<string>(Object.values(KEYS));
/** VNIs below this are left to other users of VXLAN on the hosts, as Docker does. */
export const FIRST_DYNAMIC_VNI = 4096;
export const MAX_VNI = 2 ** 24 - 1;

function invalid(key: string, value: string, reason: string): BerthError {
  return new BerthError('INVALID_OPTION', `invalid option ${key}=${JSON.stringify(value)}: ${reason}`, { object: key, operation: 'create overlay network' });
}

/** Parses and validates an overlay network's options; unknown keys are INVALID_OPTION. */
export function parseOverlayOptions(options: Readonly<Record<string, string>>): OverlayOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new BerthError('INVALID_OPTION', `unknown option ${JSON.stringify(key)} for driver overlay (known: ${[...KNOWN].join(', ')})`, { object: key });
  }
  const list = options[KEYS.vxlanIdList];
  let vni: number | undefined;
  if (list !== undefined) {
    // Docker takes one VNI per subnet; berth's overlay has one subnet per family, so one VNI.
    const ids = list.split(',').map((part) => part.trim());
    const first = ids[0] ?? '';
    vni = Number(first);
    if (ids.length !== 1 || !/^\d+$/.test(first) || vni < 1 || vni > MAX_VNI) throw invalid(KEYS.vxlanIdList, list, `one VNI from 1 to ${MAX_VNI}`);
  }
  const mtuText = options[KEYS.mtu];
  let mtu: number | undefined;
  if (mtuText !== undefined) {
    mtu = Number(mtuText);
    if (!Number.isInteger(mtu) || mtu < 0 || mtu > 65535 || (mtu > 0 && mtu < 68)) throw invalid(KEYS.mtu, mtuText, 'an MTU between 68 and 65535 (0 for the default)');
    if (mtu === 0) mtu = undefined;
  }
  return { vni, mtu };
}
