import { BerthError } from '../../src/errors/index.js';
import type { MacvlanMode } from '../../src/kernel/index.js';

/** Parsed `-o` options shared by the macvlan and ipvlan drivers. */
export interface ParentNetworkOptions<Mode extends string> {
  readonly parent: string | undefined;
  readonly mode: Mode;
  readonly hostAccess: boolean;
  readonly mtu: number | undefined;
}

/** How one driver spells its options. */
export interface OptionSyntax<Mode extends string> {
  readonly driver: string;
  /** `macvlan_mode`, `ipvlan_mode`. */
  readonly modeKey: string;
  readonly modes: readonly Mode[];
  readonly defaultMode: Mode;
}

export const PARENT_KEY = 'parent';
export const HOST_ACCESS_KEY = 'berth.host_access';
const MTU_KEY = 'com.docker.network.driver.mtu';
/** Generic keys the docker CLI may send with any driver; accepted and ignored here. */
const GENERIC_KEYS = ['com.docker.network.enable_ipv4', 'com.docker.network.enable_ipv6'];

function invalid(key: string, value: string, reason: string): BerthError {
  return new BerthError('INVALID_OPTION', `invalid option ${key}=${JSON.stringify(value)}: ${reason}`, { object: key });
}

/** Go's strconv.ParseBool, as Docker parses boolean options. */
function parseBool(key: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw invalid(key, value, 'expected true or false');
}

/** Parses and validates a macvlan/ipvlan network's options; unknown keys are INVALID_OPTION. */
export function parseParentNetworkOptions<Mode extends string>(syntax: OptionSyntax<Mode>, options: Readonly<Record<string, string>>): ParentNetworkOptions<Mode> {
  const known = [PARENT_KEY, syntax.modeKey, HOST_ACCESS_KEY, MTU_KEY, ...GENERIC_KEYS];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new BerthError('INVALID_OPTION', `unknown option ${JSON.stringify(key)} for driver ${syntax.driver} (known: ${known.join(', ')})`, { object: key });
  }
  const modeText = options[syntax.modeKey];
  const mode = modeText === undefined ? syntax.defaultMode : syntax.modes.find((candidate) => candidate === modeText);
  if (mode === undefined || modeText === '') throw invalid(syntax.modeKey, modeText ?? '', `one of ${syntax.modes.join(', ')}`);
  const mtuText = options[MTU_KEY];
  let mtu: number | undefined;
  if (mtuText !== undefined) {
    mtu = Number(mtuText);
    if (!Number.isInteger(mtu) || mtu < 0 || mtu > 65535 || (mtu > 0 && mtu < 68)) throw invalid(MTU_KEY, mtuText, 'an MTU between 68 and 65535 (0 for the default)');
    if (mtu === 0) mtu = undefined;
  }
  return { parent: options[PARENT_KEY], mode, hostAccess: parseBool(HOST_ACCESS_KEY, options[HOST_ACCESS_KEY]), mtu };
}

/** The macvlan driver's option syntax (Docker's `macvlan_mode`, bridge by default). */
export const MACVLAN_SYNTAX: OptionSyntax<MacvlanMode> = { driver: 'macvlan', modeKey: 'macvlan_mode', modes: ['bridge', 'private', 'vepa', 'passthru'], defaultMode: 'bridge' };
