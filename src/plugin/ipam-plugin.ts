import type { IpamDriver } from '../driver-api/index.js';
import { BerthError } from '../errors/index.js';
import { asObject, optionalBoolean, optionalString, stringMap } from '../api/wire/fields.js';
import type { PluginState } from './plugin-state.js';
import { without } from './plugin-state.js';

type JsonObject = Record<string, unknown>;

const GATEWAY_REQUEST = 'com.docker.network.gateway';

function required(body: JsonObject, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw new BerthError('INVALID_ARGUMENT', `${field} is required`, { object: field });
  return value;
}

function plain(address: string): string {
  return address.split('/')[0] ?? address;
}

/**
 * dockerd's remote IPAM driver (`--ipam-driver berth`), answered by berth's default IPAM — the
 * same instance berth's own networks use, so pools handed to dockerd never overlap them.
 */
export class IpamPlugin {
  readonly #ipam: IpamDriver;
  readonly #state: PluginState;

  constructor(init: { readonly ipam: IpamDriver; readonly state: PluginState }) {
    this.#ipam = init.ipam;
    this.#state = init.state;
  }

  /** After a restart: the pools and addresses dockerd holds are reserved again. */
  async replay(): Promise<readonly string[]> {
    const problems: string[] = [];
    for (const [poolId, pool] of Object.entries(this.#state.data.pools)) {
      try {
        const again = await this.#ipam.requestPool({ addressSpace: pool.addressSpace, pool: pool.pool, v6: pool.v6, ...(pool.subPool === undefined ? {} : { subPool: pool.subPool }) });
        if (again.poolId !== poolId) problems.push(`pool ${poolId} came back as ${again.poolId}`);
        for (const address of pool.addresses) await this.#ipam.requestAddress(poolId, { address: plain(address), gateway: address === pool.gateway });
      } catch (error) {
        problems.push(`pool ${poolId}: ${String(error)}`);
      }
    }
    return problems;
  }

  capabilities(): JsonObject {
    return { RequiresMACAddress: false, RequiresRequestReplay: false };
  }

  defaultAddressSpaces(): JsonObject {
    return { LocalDefaultAddressSpace: 'LocalDefault', GlobalDefaultAddressSpace: 'GlobalDefault' };
  }

  async requestPool(body: JsonObject): Promise<JsonObject> {
    const addressSpace = optionalString(body, 'AddressSpace') || 'LocalDefault';
    const pool = optionalString(body, 'Pool');
    const subPool = optionalString(body, 'SubPool');
    const v6 = optionalBoolean(body, 'V6') ?? false;
    const options = body['Options'] === undefined || body['Options'] === null ? {} : stringMap(body, 'Options');
    const allocation = await this.#ipam.requestPool({
      addressSpace, v6, options,
      ...(pool === undefined || pool === '' ? {} : { pool }),
      ...(subPool === undefined || subPool === '' ? {} : { subPool }),
    });
    try {
      this.#state.update((data) => ({
        ...data,
        pools: { ...data.pools, [allocation.poolId]: { pool: allocation.pool, addressSpace, v6, addresses: [], ...(subPool === undefined || subPool === '' ? {} : { subPool }) } },
      }));
    } catch (error) {
      await this.#ipam.releasePool(allocation.poolId);
      throw error;
    }
    return { PoolID: allocation.poolId, Pool: allocation.pool, Data: allocation.meta };
  }

  async releasePool(body: JsonObject): Promise<JsonObject> {
    const poolId = required(body, 'PoolID');
    await this.#ipam.releasePool(poolId);
    this.#state.update((data) => ({ ...data, pools: without(data.pools, poolId) }));
    return {};
  }

  async requestAddress(body: JsonObject): Promise<JsonObject> {
    const poolId = required(body, 'PoolID');
    const pool = this.#state.data.pools[poolId];
    if (pool === undefined) throw new BerthError('POOL_NOT_FOUND', `cannot find address pool for pool id ${poolId}`, { object: poolId });
    const requested = optionalString(body, 'Address');
    const options = body['Options'] === undefined || body['Options'] === null ? {} : asObject(body['Options'], 'Options');
    const gateway = options['RequestAddressType'] === GATEWAY_REQUEST;
    const address = await this.#ipam.requestAddress(poolId, { gateway, ...(requested === undefined || requested === '' ? {} : { address: requested }) });
    this.#state.update((data) => ({
      ...data,
      pools: { ...data.pools, [poolId]: { ...pool, addresses: [...pool.addresses, plain(address)], ...(gateway ? { gateway: plain(address) } : {}) } },
    }));
    return { Address: address, Data: {} };
  }

  async releaseAddress(body: JsonObject): Promise<JsonObject> {
    const poolId = required(body, 'PoolID');
    const address = plain(required(body, 'Address'));
    await this.#ipam.releaseAddress(poolId, address);
    const pool = this.#state.data.pools[poolId];
    if (pool !== undefined) {
      this.#state.update((data) => ({ ...data, pools: { ...data.pools, [poolId]: { ...pool, addresses: pool.addresses.filter((held) => held !== address) } } }));
    }
    return {};
  }
}
