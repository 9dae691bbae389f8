import { BerthError } from '../errors/index.js';
import type { DriverNetwork, IpamData, IpamDriver, NetworkDriver, NetworkIpam } from '../driver-api/index.js';
import type { IpamConfigRecord, NetworkRecord } from '../store/index.js';
import { PREDEFINED_NETWORK_NAMES } from './controller-deps.js';
import type { ControllerDeps } from './controller-deps.js';
import type { CreateNetworkInput, IpamConfigInput } from './inputs.js';
import { allocatePools, releasePools, validateIpamConfig } from './ipam-allocation.js';
import { UndoStack, runAll } from './undo-stack.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Drivers whose networks have no addresses and exist once (libnetwork's "special" networks). */
const SPECIAL_DRIVERS = new Set(['host', 'null']);
/** Lock key of the set of networks (names), held by create and remove, and by the cluster sync. */
export const NETWORKS_LOCK = 'networks';

/** The driver-facing view of a stored network. */
export function driverNetwork(record: NetworkRecord): DriverNetwork {
  return { id: record.id, name: record.name, internal: record.internal, ipam: ipamData(record), state: record.driverState };
}

export function ipamData(record: NetworkRecord): NetworkIpam {
  return { ipv4: record.ipam.ipv4.map(driverIpamData), ipv6: record.ipam.ipv6.map(driverIpamData) };
}

/** A pool as drivers see it: the allocation plus the requested --ip-range (macvlan host access routes it). */
function driverIpamData(config: IpamConfigRecord): IpamData {
  return config.requested.ipRange === undefined ? config.allocated : { ...config.allocated, ipRange: config.requested.ipRange };
}

export function driverOf(deps: ControllerDeps, name: string): NetworkDriver {
  const driver = deps.drivers.get(name);
  if (driver === undefined) throw new BerthError('DRIVER_NOT_FOUND', `plugin "${name}" not found`, { object: name, operation: 'find network driver' });
  return driver;
}

export function ipamOf(deps: ControllerDeps, name: string): IpamDriver {
  const ipam = deps.ipams.get(name);
  if (ipam === undefined) throw new BerthError('IPAM_DRIVER_NOT_FOUND', `IPAM driver "${name}" not found`, { object: name, operation: 'find IPAM driver' });
  return ipam;
}

function splitConfigs(input: CreateNetworkInput): { ipv4: IpamConfigInput[]; ipv6: IpamConfigInput[] } {
  const ipv4: IpamConfigInput[] = [];
  const ipv6: IpamConfigInput[] = [];
  for (const config of input.ipam?.config ?? []) {
    const family = validateIpamConfig(config);
    if (family === undefined) continue;
    (family === 4 ? ipv4 : ipv6).push(config);
  }
  if (ipv6.length > 0 && input.enableIpv6 !== true) {
    throw new BerthError('INVALID_ARGUMENT', `IPv6 subnet ${ipv6[0]?.subnet ?? ''} given but IPv6 is not enabled (add --ipv6)`, { object: ipv6[0]?.subnet });
  }
  if (ipv4.length > 0 && input.enableIpv4 === false) {
    throw new BerthError('INVALID_ARGUMENT', `IPv4 subnet ${ipv4[0]?.subnet ?? ''} given but IPv4 is disabled`, { object: ipv4[0]?.subnet });
  }
  return {
    ipv4: input.enableIpv4 === false ? [] : ipv4.length > 0 ? ipv4 : [{}],
    ipv6: input.enableIpv6 === true ? (ipv6.length > 0 ? ipv6 : [{}]) : [],
  };
}

/** Checks everything that needs no allocation; throws the first problem found. */
function validateCreate(deps: ControllerDeps, input: CreateNetworkInput, options: { readonly predefined: boolean }): void {
  if (!NAME_PATTERN.test(input.name)) {
    throw new BerthError('INVALID_ARGUMENT', `invalid network name ${JSON.stringify(input.name)}: use 1-128 of [A-Za-z0-9_.-], starting with a letter or digit`, { object: input.name });
  }
  if (!options.predefined && (PREDEFINED_NETWORK_NAMES as readonly string[]).includes(input.name)) {
    throw new BerthError('PREDEFINED_NETWORK', `operation is not permitted on predefined ${input.name} network `, { object: input.name });
  }
  if ([...deps.state.networks.values()].some((network) => network.name === input.name)) {
    throw new BerthError('NETWORK_EXISTS', `network with name ${input.name} already exists`, { object: input.name });
  }
  const driverName = input.driver ?? 'bridge';
  driverOf(deps, driverName);
  if (SPECIAL_DRIVERS.has(driverName) && !options.predefined) {
    throw new BerthError('PREDEFINED_NETWORK', `only one instance of "${driverName}" network is allowed`, { object: input.name });
  }
  ipamOf(deps, input.ipam?.driver ?? 'default');
}

/** Creates a network: validate, allocate addresses, plan, create in the kernel, store; undo on failure. */
export async function createNetwork(deps: ControllerDeps, input: CreateNetworkInput, options = { predefined: false }): Promise<NetworkRecord> {
  return deps.lock.with([NETWORKS_LOCK], async () => {
    validateCreate(deps, input, options);
    const driverName = input.driver ?? 'bridge';
    const driver = driverOf(deps, driverName);
    const ipamName = input.ipam?.driver ?? 'default';
    const special = SPECIAL_DRIVERS.has(driverName);
    const configs = special ? { ipv4: [], ipv6: [] } : splitConfigs(input);
    const id = deps.newId();
    const undo = new UndoStack();
    try {
      const ipam = ipamOf(deps, ipamName);
      const exclude = special ? [] : await hostRoutes(deps);
      const ipamOptions = input.ipam?.options ?? {};
      const ipv4 = await allocatePools({ ipam, configs: configs.ipv4, v6: false, options: ipamOptions, exclude, undo });
      const ipv6 = await allocatePools({ ipam, configs: configs.ipv6, v6: true, options: ipamOptions, exclude, undo });
      const data: NetworkIpam = { ipv4: ipv4.map(driverIpamData), ipv6: ipv6.map(driverIpamData) };
      const request = { id, name: input.name, options: input.options ?? {}, internal: input.internal === true, enableIpv6: input.enableIpv6 === true, attachable: input.attachable === true };
      const plan = driver.planNetwork(request, data);
      const driverState = await driver.createNetwork(plan, data);
      const record = networkRecord({ deps, input, id, driverState, ipam: { driver: ipamName, options: ipamOptions, ipv4, ipv6 }, predefined: options.predefined, scope: driver.capabilities.dataScope });
      undo.push(`remove ${driverName} network ${input.name}`, () => driver.removeNetwork(driverNetwork(record)));
      await deps.state.commit((tx) => tx.putNetwork(record));
      deps.log.info({ network: id, name: input.name, driver: driverName }, 'network created');
      return record;
    } catch (error) {
      const failures = await undo.unwind();
      if (failures.length > 0) deps.log.error({ network: id, failures }, 'undo of a failed network create was incomplete');
      throw error;
    }
  });
}

function networkRecord(init: {
  deps: ControllerDeps; input: CreateNetworkInput; id: string; driverState: NetworkRecord['driverState'];
  ipam: { driver: string; options: Readonly<Record<string, string>>; ipv4: IpamConfigRecord[]; ipv6: IpamConfigRecord[] };
  predefined: boolean; scope: 'local' | 'global';
}): NetworkRecord {
  const { input } = init;
  return {
    id: init.id,
    name: input.name,
    driver: input.driver ?? 'bridge',
    scope: init.scope,
    created: init.deps.now().toISOString(),
    internal: input.internal === true,
    attachable: input.attachable === true,
    enableIpv4: input.enableIpv4 !== false,
    enableIpv6: input.enableIpv6 === true,
    options: input.options ?? {},
    labels: input.labels ?? {},
    ipam: init.ipam,
    predefined: init.predefined,
    driverState: init.driverState,
  };
}

/** IPv4/IPv6 destinations of the host's routes, which dynamic pools must not overlap. */
async function hostRoutes(deps: ControllerDeps): Promise<string[]> {
  const routes = await deps.kernel.in(deps.kernel.netns.host).routes.list();
  return routes.map((route) => route.destination).filter((destination) => destination.includes('/') && !destination.endsWith('/0'));
}

/** Removes a network that has no endpoints; predefined networks cannot be removed. */
export async function removeNetwork(deps: ControllerDeps, idOrName: string): Promise<void> {
  const target = deps.state.network(idOrName);
  await deps.lock.with([NETWORKS_LOCK, target.id], async () => {
    const network = deps.state.network(target.id);
    if (network.predefined) {
      throw new BerthError('PREDEFINED_NETWORK', `${network.name} is a pre-defined network and cannot be removed`, { object: network.name });
    }
    const endpoints = deps.state.endpointsOf({ networkId: network.id });
    if (endpoints.length > 0) {
      const list = endpoints.map((endpoint) => `name:"${endpoint.name}" id:"${endpoint.sandboxId.slice(0, 12)}"`).join(', ');
      throw new BerthError('NETWORK_HAS_ENDPOINTS', `error while removing network: network ${network.name} has active endpoints (${list})`, { object: network.name });
    }
    if (network.scope === 'global') await deps.cluster?.checkRemovable(network);
    await driverOf(deps, network.driver).removeNetwork(driverNetwork(network));
    await deps.state.commit((tx) => tx.deleteNetwork(network.id));
    const ipam = deps.ipams.get(network.ipam.driver);
    if (ipam !== undefined) {
      await runAll(`release addresses of network ${network.name}`, [
        ['ipv4', () => releasePools(ipam, network.ipam.ipv4)],
        ['ipv6', () => releasePools(ipam, network.ipam.ipv6)],
      ]);
    }
    deps.log.info({ network: network.id, name: network.name }, 'network removed');
  });
}
