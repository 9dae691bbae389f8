import { Address4 } from 'ip-address';
import type { CreateNetworkInput } from '../controller/index.js';
import { BerthError } from '../errors/index.js';

/**
 * Docker's predefined networks, created at start when missing: `bridge` on berth0 (first
 * default pool, 172.17.0.0/16, unless `--bip` sets its gateway/prefix or the host routes it
 * already), `host` and `none`. Unlike Docker, berth keeps `bridge` (and its id) across restarts
 * instead of re-creating it; `--bip` applies when it is created.
 */
export function predefinedNetworks(options: { readonly bip?: string | undefined } = {}): readonly CreateNetworkInput[] {
  const bridge: CreateNetworkInput = {
    name: 'bridge',
    driver: 'bridge',
    options: { 'com.docker.network.bridge.name': 'berth0', 'com.docker.network.bridge.default_bridge': 'true' },
    ...(options.bip === undefined ? {} : { ipam: { config: [bipConfig(options.bip)] } }),
  };
  return [bridge, { name: 'host', driver: 'host' }, { name: 'none', driver: 'null' }];
}

/** `--bip 172.17.0.1/16`: the bridge's gateway address and the subnet's prefix length, as Docker reads it. */
export function bipConfig(bip: string): { readonly subnet: string; readonly gateway: string } {
  const [ip = '', prefix] = bip.split('/');
  if (prefix === undefined || !Address4.isValid(bip) || !/^\d+$/.test(prefix) || Number(prefix) > 30) {
    throw new BerthError('INVALID_ARGUMENT', `--bip ${bip}: expected the bridge's IPv4 address with a prefix length of at most /30, e.g. 172.17.0.1/16`, { object: 'bip' });
  }
  const subnet = new Address4(bip);
  if (ip === subnet.startAddress().correctForm()) {
    throw new BerthError('INVALID_ARGUMENT', `--bip ${bip}: the address is the network address; give the gateway, e.g. ${subnet.startAddressExclusive().correctForm()}/${prefix}`, { object: 'bip' });
  }
  return { subnet: `${subnet.startAddress().correctForm()}/${prefix}`, gateway: ip };
}
