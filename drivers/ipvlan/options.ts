import type { IpvlanMode } from '../../src/kernel/index.js';
import type { OptionSyntax } from '../macvlan/options.js';

/** The ipvlan driver's option syntax (libnetwork's `ipvlan_mode`, l2 by default). */
export const IPVLAN_SYNTAX: OptionSyntax<IpvlanMode> = { driver: 'ipvlan', modeKey: 'ipvlan_mode', modes: ['l2', 'l3', 'l3s'], defaultMode: 'l2' };
