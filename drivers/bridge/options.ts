import { Address4, Address6 } from 'ip-address';
import { BerthError } from '../../src/errors/index.js';

/** Parsed `-o` options of a bridge network (Docker's com.docker.network.* keys). */
export interface BridgeOptions {
  /** Linux bridge name; br-<first 12 of the network id> unless set. */
  readonly bridgeName: string;
  readonly mtu: number | undefined;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  readonly hostBindingIpv4: string | undefined;
  readonly inhibitIpv4: boolean;
}

const KEYS = {
  name: 'com.docker.network.bridge.name',
  icc: 'com.docker.network.bridge.enable_icc',
  masquerade: 'com.docker.network.bridge.enable_ip_masquerade',
  hostBinding: 'com.docker.network.bridge.host_binding_ipv4',
  inhibitIpv4: 'com.docker.network.bridge.inhibit_ipv4',
  defaultBridge: 'com.docker.network.bridge.default_bridge',
  mtu: 'com.docker.network.driver.mtu',
  enableIpv4: 'com.docker.network.enable_ipv4',
  enableIpv6: 'com.docker.network.enable_ipv6',
} as const;
const KNOWN = new Set<string>(Object.values(KEYS));
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,15}$/;

function invalid(key: string, value: string, reason: string): BerthError {
  return new BerthError('INVALID_OPTION', `invalid option ${key}=${JSON.stringify(value)}: ${reason}`, { object: key, operation: 'create bridge network' });
}

/** Go's strconv.ParseBool, which Docker uses for these options. */
function parseBool(key: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw invalid(key, value, 'expected true or false');
}

/** Parses and validates a bridge network's options; unknown keys are INVALID_OPTION. */
export function parseBridgeOptions(networkId: string, options: Readonly<Record<string, string>>): BridgeOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new BerthError('INVALID_OPTION', `unknown option ${JSON.stringify(key)} for driver bridge (known: ${[...KNOWN].join(', ')})`, { object: key });
  }
  const get = (key: string): string | undefined => options[key];
  const bridgeName = get(KEYS.name) ?? `br-${networkId.slice(0, 12)}`;
  if (!NAME_PATTERN.test(bridgeName)) throw invalid(KEYS.name, bridgeName, '1-15 characters of [A-Za-z0-9_.-]');
  const mtuText = get(KEYS.mtu);
  let mtu: number | undefined;
  if (mtuText !== undefined) {
    mtu = Number(mtuText);
    if (!Number.isInteger(mtu) || mtu < 0 || mtu > 65535 || (mtu > 0 && mtu < 68)) throw invalid(KEYS.mtu, mtuText, 'an MTU between 68 and 65535 (0 for the default)');
    if (mtu === 0) mtu = undefined;
  }
  const hostBindingIpv4 = get(KEYS.hostBinding);
  if (hostBindingIpv4 !== undefined && !((Address4.isValid(hostBindingIpv4) || Address6.isValid(hostBindingIpv4)) && !hostBindingIpv4.includes('/'))) {
    throw invalid(KEYS.hostBinding, hostBindingIpv4, 'an IP address');
  }
  parseBool(KEYS.defaultBridge, get(KEYS.defaultBridge), false);
  parseBool(KEYS.enableIpv4, get(KEYS.enableIpv4), true);
  parseBool(KEYS.enableIpv6, get(KEYS.enableIpv6), false);
  return {
    bridgeName,
    mtu,
    enableIcc: parseBool(KEYS.icc, get(KEYS.icc), true),
    enableIpMasquerade: parseBool(KEYS.masquerade, get(KEYS.masquerade), true),
    hostBindingIpv4,
    inhibitIpv4: parseBool(KEYS.inhibitIpv4, get(KEYS.inhibitIpv4), false),
  };
}
