import { Address4, Address6 } from 'ip-address';
import { BerthError, hasCode } from '../errors/index.js';
import type { IpamDriver } from '../driver-api/index.js';
import type { IpamConfigRecord } from '../store/index.js';
import type { IpamConfigInput } from './inputs.js';
import type { UndoStack } from './undo-stack.js';

type Family = 4 | 6;

function familyOf(value: string): Family | undefined {
  if (Address4.isValid(value)) return 4;
  if (Address6.isValid(value)) return 6;
  return undefined;
}

function invalid(message: string, object: string): BerthError {
  return new BerthError('INVALID_ARGUMENT', message, { object, operation: 'create network' });
}

function inside(cidr: string, ip: string): boolean {
  const family = familyOf(cidr);
  if (family === 4) return new Address4(ip).isInSubnet(new Address4(cidr));
  return new Address6(ip).isInSubnet(new Address6(cidr));
}

/**
 * Checks one --subnet/--ip-range/--gateway/--aux-address group before anything is allocated:
 * every value parses, belongs to one family, and lies inside the subnet. Returns its family.
 */
export function validateIpamConfig(config: IpamConfigInput): Family | undefined {
  const fields: [string, string | undefined][] = [['subnet', config.subnet], ['ip-range', config.ipRange], ['gateway', config.gateway]];
  for (const [name, value] of Object.entries(config.auxAddresses ?? {})) fields.push([`aux-address ${name}`, value]);
  let family: Family | undefined;
  for (const [field, value] of fields) {
    if (value === undefined) continue;
    const found = familyOf(value);
    if (found === undefined) throw invalid(`invalid ${field} ${JSON.stringify(value)}: not an IP address${field === 'gateway' || field.startsWith('aux') ? '' : ' or CIDR'}`, value);
    if ((field === 'subnet' || field === 'ip-range') && !value.includes('/')) throw invalid(`invalid ${field} ${value}: a CIDR (address/prefix) is required`, value);
    if ((field === 'gateway' || field.startsWith('aux')) && value.includes('/')) throw invalid(`invalid ${field} ${value}: a plain address is required, not a CIDR`, value);
    if (family !== undefined && found !== family) throw invalid(`${field} ${value} is not of the same IP family as the other addresses of this config`, value);
    family = found;
  }
  const subnet = config.subnet;
  if (subnet === undefined) {
    if (config.ipRange !== undefined || config.gateway !== undefined || Object.keys(config.auxAddresses ?? {}).length > 0) {
      throw invalid('ip-range, gateway and aux-address need a --subnet to belong to', config.ipRange ?? config.gateway ?? '');
    }
    return family;
  }
  if (config.ipRange !== undefined && !inside(subnet, config.ipRange)) throw invalid(`ip-range ${config.ipRange} is not inside subnet ${subnet}`, config.ipRange);
  if (config.gateway !== undefined && !inside(subnet, config.gateway)) throw invalid(`gateway ${config.gateway} is not inside subnet ${subnet}`, config.gateway);
  for (const [name, value] of Object.entries(config.auxAddresses ?? {})) {
    if (!inside(subnet, value)) throw invalid(`aux-address ${name}=${value} is not inside subnet ${subnet}`, value);
  }
  return family;
}

/** Strips the prefix length from "ip/len". */
export function plainIp(cidr: string): string {
  return cidr.split('/')[0] ?? cidr;
}

export interface AllocatePoolsOptions {
  readonly ipam: IpamDriver;
  readonly configs: readonly IpamConfigInput[];
  readonly v6: boolean;
  readonly options: Readonly<Record<string, string>>;
  /** Prefixes a dynamic pool must avoid (host routes). */
  readonly exclude: readonly string[];
  readonly undo: UndoStack;
}

/** Allocates each config's pool, gateway and aux addresses, pushing every reverse onto `undo`. */
export async function allocatePools(request: AllocatePoolsOptions): Promise<IpamConfigRecord[]> {
  const { ipam, undo } = request;
  const records: IpamConfigRecord[] = [];
  for (const config of request.configs) {
    const pool = await ipam.requestPool({
      ...(config.subnet === undefined ? {} : { pool: config.subnet }),
      ...(config.ipRange === undefined ? {} : { subPool: config.ipRange }),
      options: request.options,
      v6: request.v6,
      exclude: request.exclude,
    });
    undo.push(`release pool ${pool.pool}`, () => ipam.releasePool(pool.poolId));
    const gatewayCidr = await ipam.requestAddress(pool.poolId, { gateway: true, ...(config.gateway === undefined ? {} : { address: config.gateway }) });
    undo.push(`release gateway ${gatewayCidr}`, () => ipam.releaseAddress(pool.poolId, plainIp(gatewayCidr)));
    const auxAddresses: Record<string, string> = {};
    for (const [name, address] of Object.entries(config.auxAddresses ?? {})) {
      auxAddresses[name] = address;
      try {
        await ipam.requestAddress(pool.poolId, { address });
      } catch (error) {
        // Outside the ip-range the address can never be handed out: nothing to reserve (Docker ignores this too).
        if (config.ipRange !== undefined && hasCode(error, 'ADDRESS_OUT_OF_RANGE')) continue;
        throw error;
      }
      undo.push(`release aux-address ${address}`, () => ipam.releaseAddress(pool.poolId, address));
    }
    records.push({
      requested: {
        ...(config.subnet === undefined ? {} : { subnet: config.subnet }),
        ...(config.ipRange === undefined ? {} : { ipRange: config.ipRange }),
        ...(config.gateway === undefined ? {} : { gateway: config.gateway }),
        auxAddresses: config.auxAddresses ?? {},
      },
      poolId: pool.poolId,
      allocated: { pool: pool.pool, gateway: plainIp(gatewayCidr), auxAddresses },
    });
  }
  return records;
}

/** Re-reserves what a stored network holds (after a restart), exactly as recorded. */
export async function replayPools(ipam: IpamDriver, records: readonly IpamConfigRecord[], v6: boolean): Promise<IpamConfigRecord[]> {
  const replayed: IpamConfigRecord[] = [];
  for (const record of records) {
    const pool = await ipam.requestPool({
      pool: record.allocated.pool,
      ...(record.requested.ipRange === undefined ? {} : { subPool: record.requested.ipRange }),
      v6,
    });
    if (record.allocated.gateway !== undefined) await ipam.requestAddress(pool.poolId, { address: record.allocated.gateway, gateway: true });
    for (const address of Object.values(record.allocated.auxAddresses)) {
      await ipam.requestAddress(pool.poolId, { address }).catch((error: unknown) => {
        if (!hasCode(error, 'ADDRESS_OUT_OF_RANGE')) throw error;
      });
    }
    replayed.push({ ...record, poolId: pool.poolId });
  }
  return replayed;
}

/** Releases a network's gateways, aux addresses and pools; every step runs. */
export async function releasePools(ipam: IpamDriver, records: readonly IpamConfigRecord[]): Promise<void> {
  for (const record of records) {
    if (record.allocated.gateway !== undefined) await ipam.releaseAddress(record.poolId, record.allocated.gateway);
    for (const address of Object.values(record.allocated.auxAddresses)) await ipam.releaseAddress(record.poolId, address);
    await ipam.releasePool(record.poolId);
  }
}
